"""Persistence of the link stage, for both backends: article representations, document
frequencies, cluster assignments, event/storyline summaries, the clusterer's snapshots
and folds. Written once over the ``SqlSeam``; mixed into ``SQLiteStore`` and
``PostgresStore``.

Vectors are stored as float32 bytes (``BLOB`` / ``bytea``), not pgvector: linking never
asks the database for nearest neighbours (the clusterer keeps its candidate window in
memory and reads representations by article id only), so an index over vectors would buy
nothing, and pgvector is not in Debian 12's archive.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import numpy as np

from storylens.errors import NotFoundError
from storylens.records_story import ClusterAssignment, Level, Story
from storylens.represent.article import ArticleRep
from storylens.store.base import IndexedState, StateRow
from storylens.store.sql import Dialect, SqlSeam

_REPR_COLS = ("article_id", "text_hash", "model", "dense", "title_vec", "body_vec", "names",
              "numbers", "minhash")
_STATE_COLS = ("model", "id", "last_time", "state")
_INDEX_COLS = ("model", "id", "last_time", "centroid", "span_first", "span_last", "names",
               "name_keys", "drop_keys", "compact_noop")
_ASSIGNMENT_COLS = ("article_id", "event_id", "storyline_id", "duplicate_of", "event_score",
                    "storyline_score", "undated", "seq", "placed_time")
_CLUSTER_COLS = ("id", "level", "storyline_id", "title", "size", "n_copies", "n_events",
                 "first_time", "last_time", "langs", "outlets", "updated_at", "active_from",
                 "active_to")
_ALIAS_COLS = ("id", "into_id", "merged_at")
_STORY_COLS = ", ".join(_CLUSTER_COLS[:11])


class ClusterTablesMixin(SqlSeam):
    """Methods over the link tables."""

    # -- representations ------------------------------------------------------------------
    def get_reprs(self, ids: Sequence[str], model: str, *, lexical: bool = True
                  ) -> dict[str, tuple[str, ArticleRep]]:
        """Stored representations by article id: ``(text_hash, rep)`` for ``model``
        (``lexical=False``: title/body vectors and numbers left empty, not parsed)."""
        out: dict[str, tuple[str, ArticleRep]] = {}
        lex = "r.title_vec, r.body_vec, r.numbers" if lexical else "'', '', ''"
        for cond, params in self._dialect.in_list("r.article_id", ids):
            for r in self._rows(
                    f"SELECT r.article_id, r.text_hash, r.dense, {lex}, "
                    "r.names, r.minhash, a.published, a.lang, a.outlet, a.title "
                    "FROM article_repr r JOIN articles a ON a.id = r.article_id "
                    f"WHERE r.model = ? AND {cond}", [model, *params]):
                published = self._dialect.time_out(r[8])
                out[r[0]] = (r[1], ArticleRep(
                    id=r[0], time=published.timestamp() if published else None, lang=r[9],
                    outlet=r[10], dense=np.frombuffer(bytes(r[2]), dtype=np.float32),
                    title_vec={int(k): v for k, v in json.loads(r[3]).items()}
                    if lexical else {},
                    body_vec={int(k): v for k, v in json.loads(r[4]).items()}
                    if lexical else {},
                    names=frozenset(json.loads(r[6])),
                    numbers=frozenset(json.loads(r[5])) if lexical else frozenset(),
                    minhash=np.frombuffer(bytes(r[7]), dtype=np.uint32), title=r[11]))
        return out

    def put_reprs(self, items: Sequence[tuple[str, str, ArticleRep]]) -> None:
        """Store ``(model, text_hash, rep)`` triples, replacing older ones."""
        self._many(self._dialect.put("article_repr", _REPR_COLS, ("article_id",)), [
            (rep.id, th, model, rep.dense.astype(np.float32).tobytes(),
             json.dumps({str(k): round(v, 5) for k, v in rep.title_vec.items()}),
             json.dumps({str(k): round(v, 5) for k, v in rep.body_vec.items()}),
             json.dumps(sorted(rep.names), ensure_ascii=False),
             json.dumps(sorted(rep.numbers)), rep.minhash.tobytes())
            for model, th, rep in items])

    def load_docfreq(self) -> tuple[dict[int, int], int]:
        df = {int(f): int(n) for f, n in self._rows("SELECT feature, n FROM lex_df")}
        row = self._one("SELECT value FROM kv WHERE key = 'lex_n_docs'")
        return df, int(row[0]) if row else 0

    def save_docfreq(self, delta: Mapping[int, int], n_docs: int) -> None:
        with self._tx():
            self._many("INSERT INTO lex_df(feature, n) VALUES (?, ?) ON CONFLICT "
                       "(feature) DO UPDATE SET n = lex_df.n + excluded.n",
                       sorted(delta.items()))
            self._many(self._dialect.put("kv", ("key", "value"), ("key",)),
                       [("lex_n_docs", str(n_docs))])

    # -- assignments ----------------------------------------------------------------------
    def unclustered_ids(self, limit: int | None = None) -> list[str]:
        """Ids of stored articles not yet clustered, in publication (else ingest) order
        (on SQLite from the ``unclustered`` table its triggers keep: only those articles
        are looked up, never the archive)."""
        sql = f"{self._dialect.unclustered} ORDER BY a.sort_time, a.{self._dialect.seq}"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._rows(sql)]

    def save_assignments(self, assignments: Sequence[ClusterAssignment],
                         states: Sequence[StateRow] = (),
                         merged: Sequence[tuple[str, str]] = ()) -> None:
        """Store assignments and refresh the summaries of every cluster they touch, with
        the clusterer's changed state snapshots ``(model, cluster id, last time, blob)``
        and its folds ``(old, new)``, in one transaction: a crash never leaves snapshots
        out of step with assignments."""
        if not assignments and not states and not merged:
            return
        d = self._dialect
        with self._tx():
            self._many(d.put("cluster_state", _STATE_COLS, ("model", "id")),
                       [tuple(s[:4]) for s in states])
            self._many(d.put("cluster_index", _INDEX_COLS, ("model", "id")),
                       [_index_row(s[0], s[1], s[2], s[4], d) for s in states
                        if len(s) > 4 and s[4] is not None])
            # a snapshot saved without its index: the old index row is not its index
            self._many("DELETE FROM cluster_index WHERE model = ? AND id = ?",
                       [(s[0], s[1]) for s in states if len(s) < 5 or s[4] is None])
            row = self._one("SELECT coalesce(max(seq), 0) FROM article_clusters")
            seq = int(row[0]) if row else 0
            self._many(d.put("article_clusters", _ASSIGNMENT_COLS, ("article_id",)), [
                (a.article_id, a.event_id, a.storyline_id, a.duplicate_of, a.event_score,
                 a.storyline_score, d.flag(a.undated), seq + i + 1, a.placed_time)
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
        row = self._one("SELECT level FROM clusters WHERE id = ?", (old,))
        level: Level = row[0] if row else ("event" if old.startswith("ev-") else "storyline")
        col = "event_id" if level == "event" else "storyline_id"
        self._write(f"UPDATE article_clusters SET {col} = ? WHERE {col} = ?", (new, old))
        if level == "storyline":
            self._write("UPDATE clusters SET storyline_id = ? WHERE storyline_id = ?",
                        (new, old))
        self._write("DELETE FROM cluster_state WHERE id = ?", (old,))
        self._write("DELETE FROM cluster_index WHERE id = ?", (old,))
        self._write("UPDATE cluster_alias SET into_id = ? WHERE into_id = ?", (new, old))
        self._many(self._dialect.put("cluster_alias", _ALIAS_COLS, ("id",)),
                   [(old, new, datetime.now(UTC).isoformat())])
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
        rows = self._rows(
            "SELECT c.article_id, c.event_id, c.storyline_id, c.duplicate_of, c.placed_time "
            f"FROM clusters s {self._dialect.pinned_join} article_clusters c "
            f"ON c.{col} = s.id "
            "WHERE s.level = ? AND s.active_to >= ? ORDER BY c.seq", (level, since))
        return [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    def has_cluster_states(self, model: str) -> bool:
        """Whether the clusterer has saved state snapshots for ``model``'s vectors."""
        return self._one("SELECT 1 FROM cluster_state WHERE model = ? LIMIT 1",
                         (model,)) is not None

    def cluster_states_since(self, model: str, since: float
                             ) -> list[tuple[str, float, bytes]]:
        """(cluster id, last placement time, snapshot) of the states last active at or
        after ``since``."""
        rows = self._rows(
            "SELECT id, last_time, state FROM cluster_state WHERE model = ? AND "
            "last_time >= ? ORDER BY last_time, id", (model, since))
        return [(str(r[0]), float(r[1]), bytes(r[2])) for r in rows]

    def cluster_index_since(self, model: str, since: float) -> list[IndexedState]:
        """(cluster id, last placement time, index columns, snapshot) of the states last
        active at or after ``since``, as ``cluster_states_since`` orders them: the index
        columns (centroid, span first, span last, names, name keys, drop keys,
        compact_noop) with no
        snapshot (``cluster_states`` fetches it), or, for a state saved without them
        (before schema 10 / 5), ``None`` and its snapshot."""
        indexed = self._rows(
            "SELECT id, last_time, centroid, span_first, span_last, names, name_keys, "
            "drop_keys, compact_noop FROM cluster_index WHERE model = ? AND last_time >= ?",
            (model, since))
        out: list[IndexedState] = [(str(r[0]), float(r[1]), tuple(r[2:9]), None)
                                   for r in indexed]
        row = self._one("SELECT count(*) FROM cluster_state WHERE model = ? AND "
                        "last_time >= ?", (model, since))
        if row and int(row[0]) > len(out):  # states saved without an index (an old store)
            bare = self._rows(
                "SELECT s.id, s.last_time FROM cluster_state s WHERE s.model = ? AND "
                "s.last_time >= ? AND NOT EXISTS (SELECT 1 FROM cluster_index i WHERE "
                "i.model = s.model AND i.id = s.id)", (model, since))
            blobs = self.cluster_states(model, [str(r[0]) for r in bare])
            out += [(str(r[0]), float(r[1]), None, blobs[str(r[0])]) for r in bare]
        out.sort(key=lambda r: (r[1], r[0]))
        return out

    def cluster_states(self, model: str, ids: Sequence[str]) -> dict[str, bytes]:
        """Snapshots of ``model``'s states ``ids`` (those stored)."""
        out: dict[str, bytes] = {}
        for cond, params in self._dialect.in_list("id", ids):
            for r in self._rows(f"SELECT id, state FROM cluster_state WHERE model = ? AND "
                                f"{cond}", [model, *params]):
                out[str(r[0])] = bytes(r[1])
        return out

    def put_cluster_index(self, model: str,
                          rows: Sequence[tuple[str, float, Sequence[Any]]]) -> None:
        """Add the index of states saved without one: ``(id, last time, columns)``, as
        ``cluster_index_since`` gave them; an index saved since is kept."""
        d = self._dialect
        self._many(d.put("cluster_index", _INDEX_COLS, ("model", "id"), replace=False),
                   [_index_row(model, cid, last, cols, d) for cid, last, cols in rows])

    def stream_clock(self) -> float | None:
        """The latest placed time of any clustered article (the clusterer's clock)."""
        row = self._one("SELECT max(placed_time) FROM article_clusters")
        return float(row[0]) if row and row[0] is not None else None

    def _refresh(self, level: Level, cid: str) -> None:
        # ``+c.seq``: sort the cluster's rows, never walk every assignment in seq order
        col = "event_id" if level == "event" else "storyline_id"
        rows = self._rows(
            "SELECT a.title, a.lang, a.outlet, a.sort_time, c.duplicate_of, c.event_id, "
            "c.storyline_id, a.published, c.placed_time FROM article_clusters c "
            f"JOIN articles a ON a.id = c.article_id WHERE c.{col} = ? "
            f"ORDER BY {self._dialect.unsorted}c.seq", (cid,))
        if not rows:
            self._write("DELETE FROM clusters WHERE id = ?", (cid,))
            return
        times = sorted(r[7] for r in rows if r[7]) or sorted(r[3] for r in rows)
        langs = Counter(r[1] or "?" for r in rows)
        outlets = Counter(r[2] for r in rows if r[2])
        self._many(self._dialect.put("clusters", _CLUSTER_COLS, ("id",)), [(
            cid, level, rows[0][6] if level == "event" else None, rows[0][0], len(rows),
            sum(1 for r in rows if r[4]), len({r[5] for r in rows}), times[0], times[-1],
            json.dumps(dict(langs.most_common())),
            json.dumps(dict(outlets.most_common()), ensure_ascii=False),
            self._dialect.time_in(datetime.now(UTC)), min(r[8] for r in rows),
            max(r[8] for r in rows))])

    # -- reads ----------------------------------------------------------------------------
    def list_stories(self, level: Level = "event", *, min_size: int = 1, limit: int = 50,
                     offset: int = 0, sort: str = "recent") -> list[Story]:
        last = "last_time DESC" + self._dialect.nulls_last
        order = f"{last}, size DESC" if sort == "recent" else f"size DESC, {last}"
        return [_story(r, self._dialect) for r in self._rows(
            f"SELECT {_STORY_COLS} FROM clusters WHERE level = ? AND size >= ? "
            f"ORDER BY {order}{self._dialect.story_tiebreak} LIMIT ? OFFSET ?",
            (level, min_size, limit, offset))]

    def count_stories(self, level: Level = "event", *, min_size: int = 1) -> int:
        row = self._one("SELECT count(*) FROM clusters WHERE level = ? AND size >= ?",
                        (level, min_size))
        return int(row[0]) if row else 0

    def get_story(self, cid: str) -> Story:
        row = self._one(f"SELECT {_STORY_COLS} FROM clusters WHERE id = ?", (cid,))
        if row is None:
            into = self._one("SELECT into_id FROM cluster_alias WHERE id = ?", (cid,))
            if into is not None:  # folded into another cluster: answer as that one
                return self.get_story(str(into[0]))
            raise NotFoundError(f"{cid}: no such event or storyline (see `storylens stories`)")
        story = _story(row, self._dialect)
        col = "event_id" if story.level == "event" else "storyline_id"
        for r in self._rows(
                "SELECT a.id, a.title, a.outlet, a.lang, a.published, c.event_id, "
                "c.duplicate_of, c.event_score, c.undated FROM article_clusters c "
                f"JOIN articles a ON a.id = c.article_id WHERE c.{col} = ? "
                "ORDER BY a.sort_time, c.seq", (cid,)):
            story.members.append({"id": r[0], "title": r[1], "outlet": r[2], "lang": r[3],
                                  "published": self._dialect.time_text(r[4]),
                                  "event_id": r[5], "duplicate_of": r[6],
                                  "event_score": r[7], "undated": bool(r[8])})
        if story.level == "storyline":
            story.events = list(dict.fromkeys(m["event_id"] for m in story.members))
        return story

    def article_assignment(self, article_id: str) -> ClusterAssignment | None:
        r = self._one("SELECT * FROM article_clusters WHERE article_id = ?", (article_id,))
        return (ClusterAssignment(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[8])
                if r else None)


def _index_row(model: str, cid: str, last: float, cols: Sequence[Any], d: Dialect
               ) -> tuple[Any, ...]:
    """A ``cluster_index`` row from a state's index columns."""
    centroid, first, span_last, names, keys, drop_keys, noop = cols
    return (model, cid, last, centroid, first, span_last, names, keys, drop_keys,
            d.flag(bool(noop)))


def _story(r: Sequence[Any], d: Dialect) -> Story:
    return Story(
        id=r[0], level=r[1], storyline_id=r[2], title=r[3], size=r[4], n_copies=r[5],
        n_events=r[6], first_time=d.time_out(r[7]), last_time=d.time_out(r[8]),
        langs=json.loads(r[9]), outlets=json.loads(r[10]))
