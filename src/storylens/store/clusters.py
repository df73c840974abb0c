"""SQLite persistence of the link stage: article representations, document frequencies,
cluster assignments and event/storyline summaries. Mixed into ``SQLiteStore``."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from typing import Any

import numpy as np

from storylens.errors import NotFoundError
from storylens.records_story import ClusterAssignment, Level, Story
from storylens.represent.article import ArticleRep
from storylens.store.chunks import chunks


class ClusterTablesMixin:
    """Methods over the schema-2 tables; expects ``self._db`` and ``self._tx()``."""

    _db: sqlite3.Connection

    def _tx(self) -> AbstractContextManager[None]:  # provided by SQLiteStore
        raise NotImplementedError

    # -- representations ------------------------------------------------------------------
    def get_reprs(self, ids: Sequence[str], model: str) -> dict[str, tuple[str, ArticleRep]]:
        """Stored representations by article id: ``(text_hash, rep)`` for ``model``."""
        out: dict[str, tuple[str, ArticleRep]] = {}
        for chunk in chunks(list(ids), 500):
            marks = ",".join("?" * len(chunk))
            rows = self._db.execute(
                "SELECT r.article_id, r.text_hash, r.dense, r.title_vec, r.body_vec, r.names, "
                "r.numbers, r.minhash, a.published, a.lang, a.outlet, a.title "
                f"FROM article_repr r JOIN articles a ON a.id = r.article_id "
                f"WHERE r.model = ? AND r.article_id IN ({marks})", [model, *chunk])
            for r in rows:
                out[r[0]] = (r[1], ArticleRep(
                    id=r[0], time=datetime.fromisoformat(r[8]).timestamp() if r[8] else None,
                    lang=r[9], outlet=r[10], dense=np.frombuffer(r[2], dtype=np.float32),
                    title_vec={int(k): v for k, v in json.loads(r[3]).items()},
                    body_vec={int(k): v for k, v in json.loads(r[4]).items()},
                    names=frozenset(json.loads(r[5])), numbers=frozenset(json.loads(r[6])),
                    minhash=np.frombuffer(r[7], dtype=np.uint32), title=r[11]))
        return out

    def put_reprs(self, items: Sequence[tuple[str, str, ArticleRep]]) -> None:
        """Store ``(model, text_hash, rep)`` triples, replacing older ones."""
        rows = [(rep.id, th, model, rep.dense.astype(np.float32).tobytes(),
                 json.dumps({str(k): round(v, 5) for k, v in rep.title_vec.items()}),
                 json.dumps({str(k): round(v, 5) for k, v in rep.body_vec.items()}),
                 json.dumps(sorted(rep.names), ensure_ascii=False),
                 json.dumps(sorted(rep.numbers)), rep.minhash.tobytes())
                for model, th, rep in items]
        with self._tx():
            self._db.executemany(
                "INSERT OR REPLACE INTO article_repr VALUES (?,?,?,?,?,?,?,?,?)", rows)

    def load_docfreq(self) -> tuple[dict[int, int], int]:
        df = {int(f): int(n) for f, n in self._db.execute("SELECT feature, n FROM lex_df")}
        row = self._db.execute("SELECT value FROM kv WHERE key = 'lex_n_docs'").fetchone()
        return df, int(row[0]) if row else 0

    def save_docfreq(self, delta: Mapping[int, int], n_docs: int) -> None:
        with self._tx():
            self._db.executemany(
                "INSERT INTO lex_df(feature, n) VALUES (?, ?) "
                "ON CONFLICT(feature) DO UPDATE SET n = n + excluded.n", list(delta.items()))
            self._db.execute("INSERT OR REPLACE INTO kv VALUES ('lex_n_docs', ?)",
                             (str(n_docs),))

    # -- assignments ----------------------------------------------------------------------
    def unclustered_ids(self, limit: int | None = None) -> list[str]:
        """Ids of stored articles not yet clustered, in publication (else ingest) order:
        read from the ``unclustered`` table the triggers keep (CROSS JOIN pins that order
        of the join, so only those articles are looked up, never the archive)."""
        sql = ("SELECT a.id FROM unclustered u CROSS JOIN articles a ON a.id = u.article_id "
               "ORDER BY a.sort_time, a.rowid")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._db.execute(sql)]

    def save_assignments(self, assignments: Sequence[ClusterAssignment],
                         states: Sequence[tuple[str, str, float, bytes]] = (),
                         merged: Sequence[tuple[str, str]] = ()) -> None:
        """Store assignments and refresh the summaries of every cluster they touch, with
        the clusterer's changed state snapshots ``(model, cluster id, last time, blob)``,
        in one transaction: a crash never leaves snapshots out of step with assignments."""
        if not assignments and not states and not merged:
            return
        with self._tx():
            self._db.executemany(
                "INSERT OR REPLACE INTO cluster_state VALUES (?,?,?,?)", states)
            seq = int(self._db.execute("SELECT coalesce(max(seq), 0) FROM article_clusters")
                      .fetchone()[0])
            self._db.executemany(
                "INSERT OR REPLACE INTO article_clusters VALUES (?,?,?,?,?,?,?,?,?)",
                [(a.article_id, a.event_id, a.storyline_id, a.duplicate_of, a.event_score,
                  a.storyline_score, int(a.undated), seq + i + 1, a.placed_time)
                 for i, a in enumerate(assignments)])
            events = {a.event_id for a in assignments}
            storylines = {a.storyline_id for a in assignments}
            for old, new in merged:
                (events if self._fold(old, new) == "event" else storylines).update((old, new))
            for ev in sorted(events):
                self._refresh("event", ev)
            for sl in sorted(storylines):
                self._refresh("storyline", sl)

    def _fold(self, old: str, new: str) -> Level:
        """Re-point cluster ``old``'s articles (and, for a storyline, its events) to
        ``new``; drop its snapshot; keep ``old`` as an alias. Returns its level."""
        row = self._db.execute("SELECT level FROM clusters WHERE id = ?", (old,)).fetchone()
        level: Level = row[0] if row else ("event" if old.startswith("ev-") else "storyline")
        col = "event_id" if level == "event" else "storyline_id"
        self._db.execute(f"UPDATE article_clusters SET {col} = ? WHERE {col} = ?", (new, old))
        if level == "storyline":
            self._db.execute("UPDATE clusters SET storyline_id = ? WHERE storyline_id = ?",
                             (new, old))
        self._db.execute("DELETE FROM cluster_state WHERE id = ?", (old,))
        self._db.execute("UPDATE cluster_alias SET into_id = ? WHERE into_id = ?", (new, old))
        self._db.execute("INSERT OR REPLACE INTO cluster_alias VALUES (?,?,?)",
                         (old, new, datetime.now(UTC).isoformat()))
        return level

    def assignments_since(self, since: float, level: Level = "storyline"
                          ) -> list[tuple[str, str, str, str | None, float]]:
        """(article id, event id, storyline id, duplicate_of, placed time) of clustered
        articles whose storyline (or event, with ``level="event"``) was active at or after
        ``since`` (UNIX seconds), in the order they were clustered: what rebuilds the
        clusterer's live window. The active clusters are found by index and their
        articles looked up (CROSS JOIN pins that order: scanning every assignment in
        ``seq`` order to skip a sort would cost the whole archive)."""
        col = "storyline_id" if level == "storyline" else "event_id"
        rows = self._db.execute(
            "SELECT c.article_id, c.event_id, c.storyline_id, c.duplicate_of, c.placed_time "
            f"FROM clusters s CROSS JOIN article_clusters c ON c.{col} = s.id "
            "WHERE s.level = ? AND s.active_to >= ? ORDER BY c.seq", (level, since))
        return [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    def has_cluster_states(self, model: str) -> bool:
        """Whether the clusterer has saved state snapshots for ``model``'s vectors."""
        return self._db.execute("SELECT 1 FROM cluster_state WHERE model = ? LIMIT 1",
                                (model,)).fetchone() is not None

    def cluster_states_since(self, model: str, since: float
                             ) -> list[tuple[str, float, bytes]]:
        """(cluster id, last placement time, snapshot) of the states last active at or
        after ``since``."""
        rows = self._db.execute(
            "SELECT id, last_time, state FROM cluster_state WHERE model = ? AND "
            "last_time >= ? ORDER BY last_time, id", (model, since))
        return [(str(r[0]), float(r[1]), bytes(r[2])) for r in rows]

    def stream_clock(self) -> float | None:
        """The latest placed time of any clustered article (the clusterer's clock)."""
        row = self._db.execute("SELECT max(placed_time) FROM article_clusters").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def _refresh(self, level: Level, cid: str) -> None:
        # ``+c.seq``: sort the cluster's rows, never walk every assignment in seq order
        col = "event_id" if level == "event" else "storyline_id"
        rows = self._db.execute(
            f"SELECT a.title, a.lang, a.outlet, a.sort_time, c.duplicate_of, c.event_id, "
            f"c.storyline_id, a.published, c.placed_time FROM article_clusters c "
            f"JOIN articles a ON a.id = c.article_id WHERE c.{col} = ? ORDER BY +c.seq",
            (cid,)).fetchall()
        if not rows:
            self._db.execute("DELETE FROM clusters WHERE id = ?", (cid,))
            return
        times = sorted(r[7] for r in rows if r[7]) or sorted(r[3] for r in rows)
        langs = Counter(r[1] or "?" for r in rows)
        outlets = Counter(r[2] for r in rows if r[2])
        self._db.execute(
            "INSERT OR REPLACE INTO clusters VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (cid, level, rows[0][6] if level == "event" else None, rows[0][0], len(rows),
             sum(1 for r in rows if r[4]), len({r[5] for r in rows}), times[0], times[-1],
             json.dumps(dict(langs.most_common())),
             json.dumps(dict(outlets.most_common()), ensure_ascii=False),
             datetime.now(UTC).isoformat(), min(r[8] for r in rows), max(r[8] for r in rows)))

    # -- reads ----------------------------------------------------------------------------
    def list_stories(self, level: Level = "event", *, min_size: int = 1, limit: int = 50,
                     offset: int = 0, sort: str = "recent") -> list[Story]:
        order = "last_time DESC, size DESC" if sort == "recent" else "size DESC, last_time DESC"
        rows = self._db.execute(
            f"SELECT * FROM clusters WHERE level = ? AND size >= ? ORDER BY {order} "
            f"LIMIT ? OFFSET ?", (level, min_size, limit, offset)).fetchall()
        return [_story(r) for r in rows]

    def count_stories(self, level: Level = "event", *, min_size: int = 1) -> int:
        return int(self._db.execute("SELECT count(*) FROM clusters WHERE level = ? AND size >= ?",
                                    (level, min_size)).fetchone()[0])

    def get_story(self, cid: str) -> Story:
        row = self._db.execute("SELECT * FROM clusters WHERE id = ?", (cid,)).fetchone()
        if row is None:
            into = self._db.execute("SELECT into_id FROM cluster_alias WHERE id = ?",
                                    (cid,)).fetchone()
            if into is not None:  # folded into another cluster: answer as that one
                return self.get_story(str(into[0]))
            raise NotFoundError(f"{cid}: no such event or storyline (see `storylens stories`)")
        story = _story(row)
        col = "event_id" if story.level == "event" else "storyline_id"
        for r in self._db.execute(
                f"SELECT a.id, a.title, a.outlet, a.lang, a.published, c.event_id, "
                f"c.duplicate_of, c.event_score, c.undated FROM article_clusters c "
                f"JOIN articles a ON a.id = c.article_id WHERE c.{col} = ? "
                f"ORDER BY a.sort_time, c.seq", (cid,)):
            story.members.append({"id": r[0], "title": r[1], "outlet": r[2], "lang": r[3],
                                  "published": r[4], "event_id": r[5], "duplicate_of": r[6],
                                  "event_score": r[7], "undated": bool(r[8])})
        if story.level == "storyline":
            story.events = list(dict.fromkeys(m["event_id"] for m in story.members))
        return story

    def article_assignment(self, article_id: str) -> ClusterAssignment | None:
        r = self._db.execute("SELECT * FROM article_clusters WHERE article_id = ?",
                             (article_id,)).fetchone()
        return (ClusterAssignment(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[8])
                if r else None)


def _story(r: Sequence[Any]) -> Story:
    return Story(
        id=r[0], level=r[1], storyline_id=r[2], title=r[3], size=r[4], n_copies=r[5],
        n_events=r[6], first_time=datetime.fromisoformat(r[7]) if r[7] else None,
        last_time=datetime.fromisoformat(r[8]) if r[8] else None, langs=json.loads(r[9]),
        outlets=json.loads(r[10]))
