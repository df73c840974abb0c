"""PostgreSQL persistence of the link stage: representations, document frequencies,
cluster assignments, event/storyline summaries and the clusterer's snapshots. Mixed into
``PostgresStore``; the same rows as the SQLite store's ``clusters.py``.

Vectors are ``bytea`` (float32 bytes, as on SQLite), not pgvector: linking never asks the
database for nearest neighbours (the clusterer keeps its candidate window in memory and
reads representations by article id only), so an index over vectors would buy nothing,
and pgvector is not in Debian 12's archive.
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
from storylens.store.postgres.base import PgHelpers

_UPSERT_ASSIGNMENT = (
    "INSERT INTO article_clusters VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT "
    "(article_id) DO UPDATE SET event_id = excluded.event_id, storyline_id = "
    "excluded.storyline_id, duplicate_of = excluded.duplicate_of, event_score = "
    "excluded.event_score, storyline_score = excluded.storyline_score, undated = "
    "excluded.undated, seq = excluded.seq, placed_time = excluded.placed_time")
_UPSERT_CLUSTER = (
    "INSERT INTO clusters VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT (id) "
    "DO UPDATE SET level = excluded.level, storyline_id = excluded.storyline_id, title = "
    "excluded.title, size = excluded.size, n_copies = excluded.n_copies, n_events = "
    "excluded.n_events, first_time = excluded.first_time, last_time = excluded.last_time, "
    "langs = excluded.langs, outlets = excluded.outlets, updated_at = excluded.updated_at, "
    "active_from = excluded.active_from, active_to = excluded.active_to")
_STORY_COLS = ("id, level, storyline_id, title, size, n_copies, n_events, first_time, "
               "last_time, langs, outlets")


class PgClusterMixin(PgHelpers):
    """Methods over the link tables."""

    # -- representations ------------------------------------------------------------------
    def get_reprs(self, ids: Sequence[str], model: str) -> dict[str, tuple[str, ArticleRep]]:
        if not ids:
            return {}
        out: dict[str, tuple[str, ArticleRep]] = {}
        for r in self._rows(
                "SELECT r.article_id, r.text_hash, r.dense, r.title_vec, r.body_vec, r.names, "
                "r.numbers, r.minhash, a.published, a.lang, a.outlet, a.title "
                "FROM article_repr r JOIN articles a ON a.id = r.article_id "
                "WHERE r.model = %s AND r.article_id = ANY(%s)", (model, list(ids))):
            out[r[0]] = (r[1], ArticleRep(
                id=r[0], time=r[8].timestamp() if r[8] else None, lang=r[9], outlet=r[10],
                dense=np.frombuffer(bytes(r[2]), dtype=np.float32),
                title_vec={int(k): v for k, v in json.loads(r[3]).items()},
                body_vec={int(k): v for k, v in json.loads(r[4]).items()},
                names=frozenset(json.loads(r[5])), numbers=frozenset(json.loads(r[6])),
                minhash=np.frombuffer(bytes(r[7]), dtype=np.uint32), title=r[11]))
        return out

    def put_reprs(self, items: Sequence[tuple[str, str, ArticleRep]]) -> None:
        rows = [(rep.id, th, model, rep.dense.astype(np.float32).tobytes(),
                 json.dumps({str(k): round(v, 5) for k, v in rep.title_vec.items()}),
                 json.dumps({str(k): round(v, 5) for k, v in rep.body_vec.items()}),
                 json.dumps(sorted(rep.names), ensure_ascii=False),
                 json.dumps(sorted(rep.numbers)), rep.minhash.tobytes())
                for model, th, rep in items]
        self._many(
            "INSERT INTO article_repr VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s) ON CONFLICT "
            "(article_id) DO UPDATE SET text_hash = excluded.text_hash, model = "
            "excluded.model, dense = excluded.dense, title_vec = excluded.title_vec, "
            "body_vec = excluded.body_vec, names = excluded.names, numbers = "
            "excluded.numbers, minhash = excluded.minhash", rows)

    def load_docfreq(self) -> tuple[dict[int, int], int]:
        df = {int(f): int(n) for f, n in self._rows("SELECT feature, n FROM lex_df")}
        row = self._one("SELECT value FROM kv WHERE key = 'lex_n_docs'")
        return df, int(row[0]) if row else 0

    def save_docfreq(self, delta: Mapping[int, int], n_docs: int) -> None:
        with self._tx():
            self._many("INSERT INTO lex_df(feature, n) VALUES (%s, %s) ON CONFLICT "
                       "(feature) DO UPDATE SET n = lex_df.n + excluded.n",
                       sorted(delta.items()))
            self._many("INSERT INTO kv VALUES ('lex_n_docs', %s) ON CONFLICT (key) "
                       "DO UPDATE SET value = excluded.value", [(str(n_docs),)])

    # -- assignments ----------------------------------------------------------------------
    def unclustered_ids(self, limit: int | None = None) -> list[str]:
        sql = ("SELECT a.id FROM articles a LEFT JOIN article_clusters c "
               "ON c.article_id = a.id WHERE c.article_id IS NULL ORDER BY a.sort_time, a.seq")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [r[0] for r in self._rows(sql)]

    def save_assignments(self, assignments: Sequence[ClusterAssignment],
                         states: Sequence[tuple[str, str, float, bytes]] = (),
                         merged: Sequence[tuple[str, str]] = ()) -> None:
        """Assignments, the summaries they touch, the clusterer's changed snapshots and
        its folds (``Store.save_assignments``), in one transaction."""
        if not assignments and not states and not merged:
            return
        with self._tx():
            self._many("INSERT INTO cluster_state VALUES (%s,%s,%s,%s) ON CONFLICT "
                       "(model, id) DO UPDATE SET last_time = excluded.last_time, "
                       "state = excluded.state", list(states))
            row = self._one("SELECT coalesce(max(seq), 0) FROM article_clusters")
            seq = int(row[0]) if row else 0
            self._many(_UPSERT_ASSIGNMENT, [
                (a.article_id, a.event_id, a.storyline_id, a.duplicate_of, a.event_score,
                 a.storyline_score, bool(a.undated), seq + i + 1, a.placed_time)
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
        row = self._one("SELECT level FROM clusters WHERE id = %s", (old,))
        level: Level = row[0] if row else ("event" if old.startswith("ev-") else "storyline")
        col = "event_id" if level == "event" else "storyline_id"
        self._many(f"UPDATE article_clusters SET {col} = %s WHERE {col} = %s", [(new, old)])
        if level == "storyline":
            self._many("UPDATE clusters SET storyline_id = %s WHERE storyline_id = %s",
                       [(new, old)])
        self._many("DELETE FROM cluster_state WHERE id = %s", [(old,)])
        self._many("UPDATE cluster_alias SET into_id = %s WHERE into_id = %s", [(new, old)])
        self._many("INSERT INTO cluster_alias VALUES (%s,%s,%s) ON CONFLICT (id) DO UPDATE "
                   "SET into_id = excluded.into_id, merged_at = excluded.merged_at",
                   [(old, new, datetime.now(UTC).isoformat())])
        return level

    def assignments_since(self, since: float, level: Level = "storyline"
                          ) -> list[tuple[str, str, str, str | None, float]]:
        col = "storyline_id" if level == "storyline" else "event_id"
        rows = self._rows(
            "SELECT c.article_id, c.event_id, c.storyline_id, c.duplicate_of, c.placed_time "
            f"FROM article_clusters c JOIN clusters s ON s.id = c.{col} "
            "WHERE s.level = %s AND s.active_to >= %s ORDER BY c.seq", (level, since))
        return [(r[0], r[1], r[2], r[3], float(r[4])) for r in rows]

    def has_cluster_states(self, model: str) -> bool:
        return self._one("SELECT 1 FROM cluster_state WHERE model = %s LIMIT 1",
                         (model,)) is not None

    def cluster_states_since(self, model: str, since: float
                             ) -> list[tuple[str, float, bytes]]:
        rows = self._rows(
            "SELECT id, last_time, state FROM cluster_state WHERE model = %s AND "
            "last_time >= %s ORDER BY last_time, id", (model, since))
        return [(str(r[0]), float(r[1]), bytes(r[2])) for r in rows]

    def stream_clock(self) -> float | None:
        row = self._one("SELECT max(placed_time) FROM article_clusters")
        return float(row[0]) if row and row[0] is not None else None

    def _refresh(self, level: Level, cid: str) -> None:
        col = "event_id" if level == "event" else "storyline_id"
        rows = self._rows(
            "SELECT a.title, a.lang, a.outlet, a.sort_time, c.duplicate_of, c.event_id, "
            "c.storyline_id, a.published, c.placed_time FROM article_clusters c "
            f"JOIN articles a ON a.id = c.article_id WHERE c.{col} = %s ORDER BY c.seq",
            (cid,))
        if not rows:
            self._many("DELETE FROM clusters WHERE id = %s", [(cid,)])
            return
        times = sorted(r[7] for r in rows if r[7]) or sorted(r[3] for r in rows)
        langs = Counter(r[1] or "?" for r in rows)
        outlets = Counter(r[2] for r in rows if r[2])
        self._many(_UPSERT_CLUSTER, [(
            cid, level, rows[0][6] if level == "event" else None, rows[0][0], len(rows),
            sum(1 for r in rows if r[4]), len({r[5] for r in rows}), times[0], times[-1],
            json.dumps(dict(langs.most_common())),
            json.dumps(dict(outlets.most_common()), ensure_ascii=False),
            datetime.now(UTC), min(r[8] for r in rows), max(r[8] for r in rows))])

    # -- reads ----------------------------------------------------------------------------
    def list_stories(self, level: Level = "event", *, min_size: int = 1, limit: int = 50,
                     offset: int = 0, sort: str = "recent") -> list[Story]:
        order = ("last_time DESC NULLS LAST, size DESC" if sort == "recent"
                 else "size DESC, last_time DESC NULLS LAST")
        return [_story(r) for r in self._rows(
            f"SELECT {_STORY_COLS} FROM clusters WHERE level = %s AND size >= %s "
            f"ORDER BY {order}, id LIMIT %s OFFSET %s", (level, min_size, limit, offset))]

    def count_stories(self, level: Level = "event", *, min_size: int = 1) -> int:
        row = self._one("SELECT count(*) FROM clusters WHERE level = %s AND size >= %s",
                        (level, min_size))
        return int(row[0]) if row else 0

    def get_story(self, cid: str) -> Story:
        row = self._one(f"SELECT {_STORY_COLS} FROM clusters WHERE id = %s", (cid,))
        if row is None:
            into = self._one("SELECT into_id FROM cluster_alias WHERE id = %s", (cid,))
            if into is not None:  # folded into another cluster: answer as that one
                return self.get_story(str(into[0]))
            raise NotFoundError(f"{cid}: no such event or storyline (see `storylens stories`)")
        story = _story(row)
        col = "event_id" if story.level == "event" else "storyline_id"
        for r in self._rows(
                "SELECT a.id, a.title, a.outlet, a.lang, a.published, c.event_id, "
                "c.duplicate_of, c.event_score, c.undated FROM article_clusters c "
                f"JOIN articles a ON a.id = c.article_id WHERE c.{col} = %s "
                "ORDER BY a.sort_time, c.seq", (cid,)):
            story.members.append({"id": r[0], "title": r[1], "outlet": r[2], "lang": r[3],
                                  "published": _iso(r[4]), "event_id": r[5],
                                  "duplicate_of": r[6], "event_score": r[7],
                                  "undated": bool(r[8])})
        if story.level == "storyline":
            story.events = list(dict.fromkeys(m["event_id"] for m in story.members))
        return story

    def article_assignment(self, article_id: str) -> ClusterAssignment | None:
        r = self._one("SELECT * FROM article_clusters WHERE article_id = %s", (article_id,))
        return (ClusterAssignment(r[0], r[1], r[2], r[3], r[4], r[5], bool(r[6]), r[8])
                if r else None)


def _iso(dt: datetime | None) -> str | None:
    """A member's publication time as the SQLite store gives it: ISO 8601 in UTC."""
    return dt.astimezone(UTC).isoformat() if dt else None


def _utc(dt: datetime | None) -> datetime | None:
    return dt.astimezone(UTC) if dt else None


def _story(r: Sequence[Any]) -> Story:
    return Story(
        id=r[0], level=r[1], storyline_id=r[2], title=r[3], size=r[4], n_copies=r[5],
        n_events=r[6], first_time=_utc(r[7]), last_time=_utc(r[8]), langs=json.loads(r[9]),
        outlets=json.loads(r[10]))
