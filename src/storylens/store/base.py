"""The store interface every stage, the CLI, the HTTP server and the facade talk to.

One ``Store`` protocol, composed of the concerns below so each reads on its own:
articles (and the cleaner's per-outlet line counts), representations (what linking
computes per article), clusters (assignments, summaries and the clusterer's snapshots),
analyses (enrichments and sentence vectors that compare and coverage reuse) and settings
of record (what a store was built with). Callers are typed against ``Store``, never a
concrete class: a PostgreSQL backend implements these methods and the stages run on it
unchanged. ``tests/store_contract.py`` is the suite every backend must pass.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from storylens.records import Article
from storylens.records_source import FetchFailure, RobotsEntry, Source
from storylens.records_story import ClusterAssignment, Level, Story
from storylens.represent.article import ArticleRep

StateRow = tuple[str, str, float, bytes] | tuple[str, str, float, bytes, "tuple[Any, ...] | None"]
"""A state to save: ``(model, cluster id, last time, snapshot)``, optionally followed by
its index columns ``(centroid bytes, span first, span last, names, name keys, drop
keys, compact_noop)`` (``link.snapshot_index.to_columns``)."""
IndexedState = tuple[str, float, "tuple[Any, ...] | None", "bytes | None"]
"""A stored state as a restore reads it (``cluster_index_since``)."""


@dataclass(frozen=True, slots=True)
class ArticleQuery:
    """Filters for listing articles; ``None`` means no filter on that field."""

    lang: str | None = None
    outlet: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    search: str | None = None
    """Full-text query over title and text (FTS5 syntax on SQLite)."""
    limit: int = 50
    offset: int = 0


class ArticleStore(Protocol):
    """Articles. Every write is atomic per call."""

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` are already stored."""
        ...

    def add_articles(self, articles: Sequence[Article]) -> int:
        """Insert articles in one transaction; already-stored ids are skipped.
        Returns how many were inserted."""
        ...

    def get_article(self, id_or_prefix: str) -> Article:
        """The article with this id, or the only one whose id starts with this prefix.
        Raises ``NotFoundError`` (unknown or ambiguous)."""
        ...

    def get_articles(self, ids: Sequence[str]) -> list[Article]:
        """The stored articles among ``ids``, in the order given (unknown ids skipped)."""
        ...

    def find_articles(self, refs: Sequence[str], limit: int = 2) -> list[str]:
        """Ids of up to ``limit`` articles whose source or URL is one of ``refs``, or
        whose source is ``ref:<line>`` (one line of a JSONL file)."""
        ...

    def known_urls(self, urls: Sequence[str]) -> set[str]:
        """Which of ``urls`` are the URL or the source of a stored article (the fetcher
        asks before fetching, so a stored page is never fetched again)."""
        ...

    def list_articles(self, query: ArticleQuery) -> list[Article]:
        """Articles matching ``query``, newest first (by published, else ingest time)."""
        ...

    def count_articles(self, query: ArticleQuery | None = None) -> int:
        """How many articles match ``query`` (all when ``None``), ignoring limit/offset."""
        ...

    def outlet_line_counts(self, outlet: str, keys: Sequence[str]) -> dict[str, int]:
        """For each line key, in how many stored articles of ``outlet`` it occurs."""
        ...

    def add_outlet_lines(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add occurrence counts of (outlet, line key) pairs."""
        ...


class ReprStore(Protocol):
    """What linking computes once per article, and the running document frequencies."""

    def get_reprs(self, ids: Sequence[str], model: str, *, lexical: bool = True
                  ) -> dict[str, tuple[str, ArticleRep]]:
        """Stored representations by article id: ``(text_hash, rep)`` for ``model``;
        with ``lexical=False`` without their title and body vectors and numbers (empty),
        which are most of what parsing one costs."""
        ...

    def put_reprs(self, items: Sequence[tuple[str, str, ArticleRep]]) -> None:
        """Store ``(model, text_hash, rep)`` triples, replacing older ones."""
        ...

    def load_docfreq(self) -> tuple[dict[int, int], int]:
        """Lexical document frequencies (feature -> documents) and the document count."""
        ...

    def save_docfreq(self, delta: Mapping[int, int], n_docs: int) -> None:
        """Add ``delta`` to the document frequencies and set the document count."""
        ...


class ClusterStore(Protocol):
    """Cluster assignments, event/storyline summaries and the clusterer's snapshots."""

    def unclustered_ids(self, limit: int | None = None) -> list[str]:
        """Ids of stored articles not yet clustered, in publication (else ingest) order."""
        ...

    def save_assignments(self, assignments: Sequence[ClusterAssignment],
                         states: Sequence[StateRow] = (),
                         merged: Sequence[tuple[str, str]] = ()) -> None:
        """Store assignments, refresh the summaries they touch and save the changed
        snapshots ``(model, cluster id, last time, blob[, index columns])``, then fold
        each ``(old, new)`` cluster of ``merged`` into ``new`` (its articles re-pointed,
        its summary and snapshot dropped, ``old`` kept as an alias of ``new``), in one
        transaction."""
        ...

    def assignments_since(self, since: float, level: Level = "storyline"
                          ) -> list[tuple[str, str, str, str | None, float]]:
        """(article, event, storyline, duplicate_of, placed time) of the articles whose
        storyline (or event) was active at or after ``since``, in clustering order."""
        ...

    def has_cluster_states(self, model: str) -> bool:
        """Whether the clusterer saved state snapshots for ``model``'s vectors."""
        ...

    def cluster_states_since(self, model: str, since: float
                             ) -> list[tuple[str, float, bytes]]:
        """(cluster id, last placement time, snapshot) of states active since ``since``."""
        ...

    def cluster_index_since(self, model: str, since: float) -> list[IndexedState]:
        """(cluster id, last placement time, index columns, snapshot) of the states active
        since ``since``, in ``cluster_states_since``'s order: the index columns where
        saved (the snapshot then ``None``: fetch it with ``cluster_states``), else
        ``None`` and the snapshot."""
        ...

    def cluster_states(self, model: str, ids: Sequence[str]) -> dict[str, bytes]:
        """Snapshots of ``model``'s states ``ids`` (those stored)."""
        ...

    def put_cluster_index(self, model: str,
                          rows: Sequence[tuple[str, float, Sequence[Any]]]) -> None:
        """Add the index columns of states saved without them (``(id, last time,
        columns)``); a state indexed since keeps its own."""
        ...

    def stream_clock(self) -> float | None:
        """The latest placed time of any clustered article (the clusterer's clock)."""
        ...

    def list_stories(self, level: Level = "event", *, min_size: int = 1, limit: int = 50,
                     offset: int = 0, sort: str = "recent") -> list[Story]:
        """Events or storylines, most recent (or ``sort="size"``: biggest) first."""
        ...

    def count_stories(self, level: Level = "event", *, min_size: int = 1) -> int:
        """How many events or storylines have at least ``min_size`` articles."""
        ...

    def get_story(self, cid: str) -> Story:
        """One event or storyline with its members; raises ``NotFoundError``."""
        ...

    def article_assignment(self, article_id: str) -> ClusterAssignment | None:
        """Where an article was clustered, or None when it is not clustered yet."""
        ...


class AnalysisStore(Protocol):
    """Content-addressed memo of what comparing articles costs most: enrichments (keyed
    by the enricher's signature and the text's hash) and sentence vectors (keyed by the
    embedder and the sentence's hash). Content keys make stale entries impossible: a
    changed text or model simply misses."""

    def get_enrichments(self, keys: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Stored enrichments (their ``to_dict()``) by key."""
        ...

    def put_enrichments(self, items: Mapping[str, dict[str, Any]]) -> None:
        """Store enrichments by key (existing keys are kept)."""
        ...

    def get_sentence_vectors(self, model: str, keys: Sequence[str]) -> dict[str, bytes]:
        """Stored float32 sentence vectors of ``model`` by key."""
        ...

    def put_sentence_vectors(self, model: str, items: Mapping[str, bytes]) -> None:
        """Store float32 sentence vectors of ``model`` by key."""
        ...


class SettingsStore(Protocol):
    """Settings of record: what the stored data was built with (e.g. the embedder that
    clustered it), so later commands read it back instead of guessing."""

    def get_setting(self, key: str) -> str | None:
        """The recorded value, or None."""
        ...

    def set_setting(self, key: str, value: str) -> None:
        """Record ``value`` under ``key``."""
        ...


class SourceStore(Protocol):
    """Followed sources (feeds, sitemaps, pages listing articles) and their poll state."""

    def add_source(self, source: Source) -> Source:
        """Store ``source`` and return it with its id; a source with the same URL is
        kept as it is and returned instead."""
        ...

    def list_sources(self) -> list[Source]:
        """Every source, in the order they were added."""
        ...

    def get_source(self, source_id: int) -> Source:
        """The source with this id; raises ``NotFoundError``."""
        ...

    def update_source(self, source: Source) -> None:
        """Save a polled source's state (by id); raises ``NotFoundError``."""
        ...

    def remove_source(self, source_id: int) -> Source:
        """Delete a source (its articles stay); the removed source. Raises
        ``NotFoundError``."""
        ...

    def fetch_failures(self, urls: Sequence[str]) -> dict[str, FetchFailure]:
        """The fetch log's entries of those of ``urls`` that failed last time."""
        ...

    def record_fetch_failure(self, url: str, reason: str, when: datetime, *,
                             transient: bool) -> FetchFailure:
        """Log one more failure of ``url`` at ``when``; the entry, with the time before
        which it is not fetched again (longer after each failure in a row)."""
        ...

    def clear_fetch_failures(self, urls: Sequence[str]) -> None:
        """Forget the failures of ``urls`` (they were fetched and stored)."""
        ...


class RobotsStore(Protocol):
    """Each site's robots.txt as last fetched (or why it could not be), with the time,
    so a new process honours it without asking the site again until it expires (the
    ``Fetcher`` decides when: RFC 9309 asks for at most a day)."""

    def get_robots(self, site: str) -> RobotsEntry | None:
        """The entry of ``site`` (``scheme://host[:port]``), fresh or not; None when
        never stored."""
        ...

    def put_robots(self, entry: RobotsEntry) -> None:
        """Store ``entry``, replacing the site's older one."""
        ...


class Store(ArticleStore, ReprStore, ClusterStore, AnalysisStore, SettingsStore, SourceStore,
            RobotsStore, Protocol):
    """Everything storylens persists. Every write is atomic per call."""

    @property
    def schema_version(self) -> int:
        """The version of the stored schema (migrations applied)."""
        ...

    def change_count(self) -> int:
        """A counter that every committed write to articles, assignments or stories moves
        on, whoever makes it (another connection, another process): while it reads the
        same, so does every article list and story. What a cache of pages keys on."""
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """A context in which every write commits together at the end, or none does (a
        kill inside leaves the store as it was before)."""
        ...

    def clustering(self, wait: bool = True) -> AbstractContextManager[None]:
        """Held for a whole clustering run, so one process links at a time and cluster
        ids stay stable when several processes write: another process's ``clustering()``
        waits for it, or with ``wait=False`` raises ``StoreError`` ("another process is
        clustering"). A killed holder releases it."""
        ...

    def close(self) -> None:
        """Release the connection; the store stays readable by others meanwhile."""
        ...

    def __enter__(self) -> Store:
        ...

    def __exit__(self, *exc: object) -> None:
        ...
