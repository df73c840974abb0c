"""The ``Store`` contract: what every backend must do, written against the protocol in
``storylens.store.base`` only (no SQL, no backend class), so a new backend runs it by
subclassing ``StoreContract`` and giving the ``open_store_fn`` fixture:

    class TestMyBackend(StoreContract):
        @pytest.fixture
        def open_store_fn(self, tmp_path):
            return lambda: open_my_backend(...)

``open_store_fn()`` opens the *same* store each call when ``persistent`` is true (tests
that reopen a store are skipped otherwise, e.g. for an in-memory store).

Covered: articles (add, get by id and prefix, get many, find by source/URL/``path:line``,
list/count with filters, full-text search and its errors, outlet line counts),
representations and document frequencies, assignments and story summaries, clusterer
snapshots and the stream clock, enrichments and sentence vectors (content-addressed,
first write wins), settings, the robots.txt cache, ``transaction()`` (all or nothing),
``change_count``, the clustering lock (``clustering()``) and ``schema_version``.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest

from storylens.errors import NotFoundError, StoreError
from storylens.records import Article, RemovedLine
from storylens.records_story import ClusterAssignment
from storylens.represent.article import ArticleRep
from storylens.store.base import ArticleQuery, Store
from tests.store_contract_sources import T0, OpenStore, SourcesContract


def article(i: int, **kw: object) -> Article:
    """Article ``i``: id ``i`` in 16 hex digits, published ``T0 + i`` days."""
    base: dict[str, object] = dict(
        id=f"{i:016x}", source=f"t{i}.txt", title=f"Title {i}",
        text=f"Body number {i} here.", raw=f"Title {i}\nBody number {i} here.",
        raw_format="text", lang="en", published=T0 + timedelta(days=i),
        published_source="input")
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def assignment(a: Article | str, ev: str, sl: str, t: float, *, dup: str | None = None,
               undated: bool = False) -> ClusterAssignment:
    aid = a if isinstance(a, str) else a.id
    return ClusterAssignment(aid, ev, sl, dup, 0.8, 0.6, undated, t)


def rep(aid: str, seed: int = 0) -> ArticleRep:
    rng = np.random.default_rng(seed)
    return ArticleRep(id=aid, time=None, lang=None, outlet=None,
                      dense=rng.normal(size=8).astype(np.float32),
                      title_vec={1: 0.5, 7: 0.25}, body_vec={3: 0.125},
                      names=frozenset({"erdogan", "gantz"}), numbers=frozenset({"12"}),
                      minhash=np.arange(16, dtype=np.uint32) + seed)


class StoreContract(SourcesContract):
    """Every test of the ``Store`` contract; subclass it with a store factory (the web
    sources' part is in ``SourcesContract``)."""

    persistent: bool = True
    """Whether ``open_store_fn()`` opens the same store again (a file, a database)."""

    @pytest.fixture
    def open_store_fn(self) -> OpenStore:  # pragma: no cover - overridden
        raise NotImplementedError("give the backend's store factory")

    @pytest.fixture
    def store(self, open_store_fn: OpenStore) -> Iterator[Store]:
        s = open_store_fn()
        try:
            yield s
        finally:
            s.close()

    def reopen_or_skip(self, open_store_fn: OpenStore) -> Store:
        if not self.persistent:
            pytest.skip("this store does not outlive its connection")
        return open_store_fn()

    # -- articles -----------------------------------------------------------------------

    def test_round_trip_keeps_every_field(self, store: Store) -> None:
        a = article(1, removed=[RemovedLine(3, "Share this", "share button")],
                    warnings=["w1", "ünïcode ✓"], url="https://x.org/a", outlet="x.org",
                    lang_score=0.9, title="Érdoğan « quoted » 日本",
                    ingested_at=datetime(2023, 5, 1, 12, tzinfo=UTC))
        assert store.add_articles([a]) == 1
        b = store.get_article(a.id)
        assert b.to_dict(include_raw=True) == a.to_dict(include_raw=True)
        assert b.removed == a.removed and b.content_hash == a.content_hash

    def test_published_time_is_the_same_instant(self, store: Store) -> None:
        paris = timezone(timedelta(hours=2))
        store.add_articles([article(1, published=datetime(2022, 6, 1, 10, tzinfo=paris)),
                            article(2, published=None, published_source="none")])
        got = store.get_article(article(1).id).published
        assert got == datetime(2022, 6, 1, 8, tzinfo=UTC) and got.utcoffset() is not None
        undated = store.get_article(article(2).id)
        assert undated.published is None and undated.published_source == "none"
        assert undated.ingested_at is not None, "the store stamps the ingest time"

    def test_add_counts_only_new_ids(self, store: Store) -> None:
        assert store.add_articles([]) == 0
        assert store.add_articles([article(1), article(2)]) == 2
        assert store.add_articles([article(1), article(2), article(3)]) == 1
        assert store.add_articles([article(4), article(4)]) == 1, "a batch's repeat once"
        assert store.count_articles() == 4
        # an already stored id keeps its first version
        store.add_articles([article(1, title="Changed")])
        assert store.get_article(article(1).id).title == "Title 1"

    def test_existing_ids(self, store: Store) -> None:
        assert store.existing_ids([]) == set()
        store.add_articles([article(1), article(2)])
        assert store.existing_ids([article(1).id, "nope", article(2).id]) == {
            article(1).id, article(2).id}
        many = [f"x{i}" for i in range(1200)] + [article(2).id]
        assert store.existing_ids(many) == {article(2).id}, "large inputs are batched"

    def test_get_by_exact_id_and_unique_prefix(self, store: Store) -> None:
        store.add_articles([article(0x110), article(0x120), article(0x2000)])
        full = article(0x110).id
        assert store.get_article(full).id == full
        assert store.get_article(f"  {full}\n").id == full, "surrounding space is ignored"
        assert store.get_article(full[:15]).id == full
        assert store.get_article(article(0x2000).id[:13]).id == article(0x2000).id

    def test_get_errors_name_the_input(self, store: Store) -> None:
        store.add_articles([article(0x110), article(0x120)])
        with pytest.raises(NotFoundError, match="ambiguous") as e:
            store.get_article(article(0x110).id[:14])
        assert article(0x110).id[:14] in str(e.value)
        with pytest.raises(NotFoundError, match="no such article") as e:
            store.get_article("ffffdead")
        assert "ffffdead" in str(e.value)
        with pytest.raises(NotFoundError):
            store.get_article("")

    def test_get_articles_in_the_order_given(self, store: Store) -> None:
        store.add_articles([article(i) for i in range(1, 5)])
        ids = [article(3).id, "unknown", article(1).id, article(4).id]
        assert [a.id for a in store.get_articles(ids)] == [article(3).id, article(1).id,
                                                          article(4).id]
        assert store.get_articles([]) == []

    def test_find_articles_by_source_url_and_jsonl_line(self, store: Store) -> None:
        store.add_articles([
            article(1, source="/data/a.txt"),
            article(2, source="/data/feed.jsonl:1", url="https://x.org/2"),
            article(3, source="/data/feed.jsonl:2"),
            article(4, source="/data/feed.jsonl.bak:1"),
            article(5, source="https://y.org/5", url="https://y.org/5"),
        ])
        assert store.find_articles(["/data/a.txt"]) == [article(1).id]
        assert store.find_articles(["https://x.org/2"]) == [article(2).id]
        assert store.find_articles(["/data/feed.jsonl:2"]) == [article(3).id]
        assert sorted(store.find_articles(["/data/feed.jsonl"], limit=5)) == [
            article(2).id, article(3).id], "every line of the file, not the .bak"
        assert len(store.find_articles(["/data/feed.jsonl"])) == 2, "default limit 2"
        assert len(store.find_articles(["/data/feed.jsonl"], limit=1)) == 1
        assert store.find_articles(["https://y.org/5"]) == [article(5).id], "once"
        assert store.find_articles(["", "/nowhere"]) == []
        assert store.find_articles(["/data/a.txt", "https://y.org/5"], limit=5) == [
            article(1).id, article(5).id]

    def test_known_urls_match_url_or_source(self, store: Store) -> None:
        store.add_articles([article(1, url="https://x.org/1"),
                            article(2, source="https://x.org/2", url="https://x.org/2b")])
        asked = ["https://x.org/1", "https://x.org/2", "https://x.org/2b", "https://x.org/3",
                 "t1.txt", ""]
        assert store.known_urls(asked) == {"https://x.org/1", "https://x.org/2",
                                           "https://x.org/2b", "t1.txt"}
        assert store.known_urls([]) == set()
        many = [f"https://x.org/n{i}" for i in range(1200)] + ["https://x.org/1"]
        assert store.known_urls(many) == {"https://x.org/1"}

    def test_list_is_newest_first_by_published_else_ingest_time(self, store: Store) -> None:
        undated = article(9, published=None, published_source="none",
                          ingested_at=T0 + timedelta(days=2, hours=12))
        store.add_articles([article(1), article(3), undated, article(2)])
        assert [a.id for a in store.list_articles(ArticleQuery())] == [
            article(3).id, undated.id, article(2).id, article(1).id]

    def test_filters_and_paging(self, store: Store) -> None:
        store.add_articles([
            article(1, lang="fr", outlet="a.fr"), article(2, lang="en", outlet="b.com"),
            article(3, lang="en", outlet="b.com"), article(4, lang="de", outlet="c.de")])

        def ids(**kw: object) -> list[str]:
            return [a.id for a in store.list_articles(ArticleQuery(**kw))]  # type: ignore[arg-type]

        assert ids(lang="en") == [article(3).id, article(2).id]
        assert ids(outlet="b.com", lang="en") == [article(3).id, article(2).id]
        assert ids(outlet="nowhere") == []
        assert ids(since=T0 + timedelta(days=3)) == [article(4).id, article(3).id]
        assert ids(until=T0 + timedelta(days=3)) == [article(2).id, article(1).id], \
            "until is exclusive"
        naive = datetime(2022, 1, 3)  # read as UTC
        assert ids(since=naive, until=naive + timedelta(days=1)) == [article(2).id]
        assert ids(limit=2, offset=1) == [article(3).id, article(2).id]
        assert ids(limit=10, offset=10) == []
        assert store.count_articles() == 4
        assert store.count_articles(ArticleQuery(lang="en", limit=1, offset=5)) == 2, \
            "count ignores paging"
        assert store.count_articles(ArticleQuery(since=T0 + timedelta(days=2))) == 3

    def test_full_text_search_over_title_and_text(self, store: Store) -> None:
        store.add_articles([
            article(1, title="Hamas and Turkey", text="Talks in Ankara went on."),
            article(2, title="Weather", text="Hamas officials met Turkish ministers."),
            article(3, title="Cake", text="Flour, sugar and eggs.")])

        def found(q: str, **kw: object) -> set[str]:
            return {a.id for a in store.list_articles(ArticleQuery(search=q, **kw))}  # type: ignore[arg-type]

        assert found("hamas") == {article(1).id, article(2).id}
        assert found("HAMAS") == found("hamas"), "case-insensitive"
        assert found("ankara") == {article(1).id}, "text is searched"
        assert found("weather") == {article(2).id}, "title is searched"
        assert found("hamas ankara") == {article(1).id}, "all words must match"
        assert found("zebra") == set()
        assert found("hamas", lang="de") == set(), "search combines with filters"
        assert store.count_articles(ArticleQuery(search="hamas")) == 2

    def test_malformed_search_is_a_store_error_naming_it(self, store: Store) -> None:
        store.add_articles([article(1)])
        for q in ('"unbalanced', "AND OR (", "title:"):
            try:
                store.list_articles(ArticleQuery(search=q))
                store.count_articles(ArticleQuery(search=q))
            except StoreError as e:
                assert "full-text" in str(e) or "search" in str(e), e
            # any other exception type fails the test

    def test_outlet_line_counts_accumulate(self, store: Store) -> None:
        assert store.outlet_line_counts("a.fr", ["x"]) == {}
        store.add_outlet_lines({})
        store.add_outlet_lines({("a.fr", "partager"): 1, ("a.fr", "x"): 2})
        store.add_outlet_lines({("a.fr", "partager"): 1, ("b.fr", "partager"): 5})
        assert store.outlet_line_counts("a.fr", ["partager", "x", "y", "x"]) == {
            "partager": 2, "x": 2}
        assert store.outlet_line_counts("b.fr", ["partager"]) == {"partager": 5}
        assert store.outlet_line_counts("a.fr", []) == {}

    def test_articles_survive_a_reopen(self, open_store_fn: OpenStore) -> None:
        s = open_store_fn()
        s.add_articles([article(1)])
        s.set_setting("k", "v")
        s.close()
        again = self.reopen_or_skip(open_store_fn)
        try:
            assert again.get_article(article(1).id).title == "Title 1"
            assert again.get_setting("k") == "v"
        finally:
            again.close()

    # -- representations and document frequencies --------------------------------------

    def test_reprs_round_trip_per_model(self, store: Store) -> None:
        a = article(1, outlet="x.org", lang="fr")
        store.add_articles([a, article(2)])
        r = rep(a.id)
        store.put_reprs([("hashing", "h1", r)])
        got = store.get_reprs([a.id, article(2).id, "unknown"], "hashing")
        assert set(got) == {a.id}
        th, back = got[a.id]
        assert th == "h1"
        np.testing.assert_array_equal(back.dense, r.dense)
        np.testing.assert_array_equal(back.minhash, r.minhash)
        assert back.title_vec == pytest.approx(r.title_vec)
        assert back.body_vec == pytest.approx(r.body_vec)
        assert back.names == r.names and back.numbers == r.numbers
        # the article's own metadata comes from the article
        assert (back.lang, back.outlet, back.title) == ("fr", "x.org", a.title)
        assert back.time == pytest.approx(a.published.timestamp())  # type: ignore[union-attr]
        assert store.get_reprs([a.id], "static") == {}, "another model's reprs are apart"

    def test_put_reprs_replaces(self, store: Store) -> None:
        store.add_articles([article(1)])
        store.put_reprs([("hashing", "h1", rep(article(1).id, 1))])
        store.put_reprs([("hashing", "h2", rep(article(1).id, 2))])
        th, back = store.get_reprs([article(1).id], "hashing")[article(1).id]
        assert th == "h2"
        np.testing.assert_array_equal(back.minhash, rep(article(1).id, 2).minhash)

    def test_docfreq_adds_deltas(self, store: Store) -> None:
        assert store.load_docfreq() == ({}, 0)
        store.save_docfreq({1: 2, 5: 1}, 3)
        store.save_docfreq({1: 1, 9: 4}, 7)
        assert store.load_docfreq() == ({1: 3, 5: 1, 9: 4}, 7)
        store.save_docfreq({}, 8)
        assert store.load_docfreq()[1] == 8

    # -- assignments and stories ----------------------------------------------------------

    def _clustered(self, store: Store) -> list[Article]:
        """Five articles: ev-a (1, 2 and 3, a copy of 1) and ev-b (4, 5); both in sl-1 but
        5 in sl-2."""
        arts = [article(1, outlet="x.org", lang="en", title="First report"),
                article(2, outlet="y.org", lang="fr"),
                article(3, outlet="z.org", lang="en"),
                article(4, outlet="x.org", lang="de"),
                article(5, outlet=None, lang=None)]
        store.add_articles(arts)
        t = [a.published.timestamp() for a in arts]  # type: ignore[union-attr]
        store.save_assignments([
            assignment(arts[0], "ev-a", "sl-1", t[0]),
            assignment(arts[1], "ev-a", "sl-1", t[1]),
            assignment(arts[2], "ev-a", "sl-1", t[2], dup=arts[0].id),
            assignment(arts[3], "ev-b", "sl-1", t[3]),
        ])
        store.save_assignments([assignment(arts[4], "ev-c", "sl-2", t[4])])
        return arts

    def test_unclustered_ids_in_publication_order(self, store: Store) -> None:
        arts = [article(3), article(1), article(2, published=None, published_source="none",
                                                   ingested_at=T0 + timedelta(days=2, hours=1))]
        store.add_articles(arts)
        assert store.unclustered_ids() == [article(1).id, article(2).id, article(3).id]
        assert store.unclustered_ids(limit=1) == [article(1).id]
        store.save_assignments([assignment(article(1), "ev", "sl", 1.0)])
        assert store.unclustered_ids() == [article(2).id, article(3).id]

    def test_save_nothing_is_a_no_op(self, store: Store) -> None:
        store.save_assignments([])
        assert store.count_stories() == 0 and store.stream_clock() is None

    def test_article_assignment(self, store: Store) -> None:
        arts = self._clustered(store)
        got = store.article_assignment(arts[2].id)
        assert got == assignment(arts[2], "ev-a", "sl-1",
                                 arts[2].published.timestamp(),  # type: ignore[union-attr]
                                 dup=arts[0].id)
        assert store.article_assignment("nope") is None

    def test_story_summaries(self, store: Store) -> None:
        arts = self._clustered(store)
        ev = store.get_story("ev-a")
        assert (ev.level, ev.title, ev.size, ev.n_copies, ev.n_events) == (
            "event", "First report", 3, 1, 1)
        assert ev.storyline_id == "sl-1"
        assert ev.first_time == arts[0].published and ev.last_time == arts[2].published
        assert ev.langs == {"en": 2, "fr": 1}
        assert ev.outlets == {"x.org": 1, "y.org": 1, "z.org": 1}
        assert [m["id"] for m in ev.members] == [a.id for a in arts[:3]], "oldest first"
        m = ev.members[2]
        assert (m["duplicate_of"], m["event_id"], m["outlet"], m["undated"]) == (
            arts[0].id, "ev-a", "z.org", False)
        assert m["event_score"] == pytest.approx(0.8)
        sl = store.get_story("sl-1")
        assert (sl.level, sl.size, sl.n_events, sl.storyline_id) == ("storyline", 4, 2, None)
        assert sl.events == ["ev-a", "ev-b"]
        assert sl.outlets == {"x.org": 2, "y.org": 1, "z.org": 1}
        lone = store.get_story("ev-c")
        assert lone.langs == {"?": 1} and lone.outlets == {}

    def test_folded_clusters_are_repointed_and_keep_answering(self, store: Store) -> None:
        arts = self._clustered(store)
        late = article(6, outlet="x.org")
        store.add_articles([late])
        t6 = late.published.timestamp()  # type: ignore[union-attr]
        store.save_assignments([], [("m", "sl-2", 1.0, b"s2"), ("m", "sl-1", 1.0, b"s1")])
        # ev-c, alone in sl-2, is found to be part of ev-b: both fold in, in the batch
        # whose article showed it
        store.save_assignments([assignment(late, "ev-b", "sl-1", t6)],
                               merged=[("sl-2", "sl-1"), ("ev-c", "ev-b")])
        got = store.article_assignment(arts[4].id)
        assert got is not None and (got.event_id, got.storyline_id) == ("ev-b", "sl-1")
        assert [s.id for s in store.list_stories("storyline")] == ["sl-1"]
        assert sorted(s.id for s in store.list_stories("event")) == ["ev-a", "ev-b"]
        ev = store.get_story("ev-c")
        assert (ev.id, ev.size) == ("ev-b", 3), "an old id answers as what it became"
        assert [m["id"] for m in ev.members] == [arts[3].id, arts[4].id, late.id]
        sl = store.get_story("sl-2")
        assert (sl.id, sl.size, sl.n_events) == ("sl-1", 6, 2)
        assert store.get_story("ev-b").storyline_id == "sl-1"
        assert [c for c, _, _ in store.cluster_states_since("m", 0.0)] == ["sl-1"], \
            "the folded storyline's snapshot is gone"
        store.save_assignments([], merged=[("ev-b", "ev-a")])
        assert store.get_story("ev-c").id == "ev-a", "folds chain"
        assert store.count_stories("event") == 1

    def test_get_story_unknown_names_it(self, store: Store) -> None:
        with pytest.raises(NotFoundError, match="ev-nope"):
            store.get_story("ev-nope")

    def test_list_and_count_stories(self, store: Store) -> None:
        self._clustered(store)
        assert [s.id for s in store.list_stories("event")] == ["ev-c", "ev-b", "ev-a"]
        assert [s.id for s in store.list_stories("event", sort="size")] == [
            "ev-a", "ev-c", "ev-b"], "biggest first, then most recent"
        assert [s.id for s in store.list_stories("event", min_size=2)] == ["ev-a"]
        assert [s.id for s in store.list_stories("event", limit=1, offset=1)] == ["ev-b"]
        assert [s.id for s in store.list_stories("storyline")] == ["sl-2", "sl-1"]
        assert store.count_stories("event") == 3
        assert store.count_stories("event", min_size=2) == 1
        assert store.count_stories("storyline", min_size=5) == 0
        assert all(s.members == [] for s in store.list_stories("event")), \
            "lists carry summaries, not members"

    def test_assignments_since_and_stream_clock(self, store: Store) -> None:
        arts = self._clustered(store)
        t = [a.published.timestamp() for a in arts]  # type: ignore[union-attr]
        assert store.stream_clock() == pytest.approx(t[4])
        every = store.assignments_since(0.0)
        assert [r[0] for r in every] == [a.id for a in arts], "in clustering order"
        assert every[2] == (arts[2].id, "ev-a", "sl-1", arts[0].id, pytest.approx(t[2]))
        # sl-1 was last active at t[3]: after that only sl-2's article
        assert [r[0] for r in store.assignments_since(t[3] + 1)] == [arts[4].id]
        assert [r[0] for r in store.assignments_since(t[3])] == [a.id for a in arts]
        # by event: ev-a ended at t[2]
        assert [r[0] for r in store.assignments_since(t[2] + 1, level="event")] == [
            arts[3].id, arts[4].id]

    def test_cluster_state_snapshots(self, store: Store) -> None:
        store.add_articles([article(1)])
        assert not store.has_cluster_states("m")
        store.save_assignments([assignment(article(1), "ev", "sl", 10.0)],
                               [("m", "sl", 10.0, b"blob-1"), ("m", "old", 2.0, b"x"),
                                ("other", "sl", 50.0, b"o")])
        assert store.has_cluster_states("m") and not store.has_cluster_states("nope")
        assert store.cluster_states_since("m", 0.0) == [("old", 2.0, b"x"),
                                                        ("sl", 10.0, b"blob-1")]
        assert store.cluster_states_since("m", 5.0) == [("sl", 10.0, b"blob-1")]
        store.save_assignments([], [("m", "sl", 20.0, b"blob-2")])
        assert store.cluster_states_since("m", 15.0) == [("sl", 20.0, b"blob-2")], \
            "a snapshot replaces the cluster's previous one"

    def test_cluster_index_beside_snapshots(self, store: Store) -> None:
        store.add_articles([article(1)])
        cent = np.arange(4, dtype=np.float32).tobytes()
        keys = np.array([7, -3], dtype="<i8").tobytes()
        cols = (cent, 1.0, 10.0, "Zürich\x1fBasel", keys, b"", True)
        store.save_assignments([assignment(article(1), "ev", "sl", 10.0)],
                               [("m", "sl", 10.0, b"blob-1", cols), ("m", "old", 2.0, b"x"),
                                ("other", "sl", 50.0, b"o", cols)])
        got = store.cluster_index_since("m", 0.0)
        assert [(c, t, b) for c, t, _, b in got] == [("old", 2.0, b"x"), ("sl", 10.0, None)]
        assert got[0][2] is None, "saved without an index: the snapshot to index it from"
        centroid, first, last, names, name_keys, drop_keys, noop = got[1][2] or ((),) * 7
        assert (bytes(centroid), first, last, names, bytes(name_keys), bytes(drop_keys),
                bool(noop)) == (cent, 1.0, 10.0, "Zürich\x1fBasel", keys, b"", True)
        assert store.cluster_states("m", ["sl", "old", "nope"]) == {"sl": b"blob-1",
                                                                   "old": b"x"}
        assert store.cluster_states("m", []) == {}
        fill = (cent, 0.5, 2.0, "", b"", b"", False)
        store.put_cluster_index("m", [("old", 2.0, fill), ("sl", 10.0, fill)])
        got = store.cluster_index_since("m", 0.0)
        assert [b for _, _, _, b in got] == [None, None], "both indexed now"
        old_cols, sl_cols = got[0][2] or (), got[1][2] or ()
        assert tuple(old_cols[1:4]) == (0.5, 2.0, "") and not old_cols[6]
        assert sl_cols[1] == 1.0 and sl_cols[6], "an index saved with its snapshot is kept"
        store.save_assignments([], [("m", "sl", 20.0, b"blob-2")])
        got = store.cluster_index_since("m", 15.0)
        assert got == [("sl", 20.0, None, b"blob-2")], (
            "a snapshot saved again without its index is not indexed by the old one")
        store.save_assignments([], [("m", "sl", 30.0, b"blob-3", cols)])
        store.save_assignments([], merged=[("sl", "old")])
        assert [c for c, _, _, _ in store.cluster_index_since("m", 0.0)] == ["old"], \
            "a folded storyline's index goes with its snapshot"

    # -- analyses and settings ------------------------------------------------------------

    def test_enrichments_are_content_addressed(self, store: Store) -> None:
        assert store.get_enrichments(["k1"]) == {}
        store.put_enrichments({})
        store.put_enrichments({"k1": {"entities": [{"text": "Ankara"}], "n": 1},
                               "k2": {"unicode": "Erdoğan ✓"}})
        store.put_enrichments({"k1": {"changed": True}})
        assert store.get_enrichments(["k1", "k2", "k3", "k1"]) == {
            "k1": {"entities": [{"text": "Ankara"}], "n": 1},
            "k2": {"unicode": "Erdoğan ✓"}}, "the first write of a key wins"

    def test_sentence_vectors_per_model(self, store: Store) -> None:
        v1 = np.arange(4, dtype=np.float32).tobytes()
        v2 = np.ones(4, dtype=np.float32).tobytes()
        store.put_sentence_vectors("hashing/512", {"s1": v1})
        store.put_sentence_vectors("static/300", {"s1": v2})
        store.put_sentence_vectors("hashing/512", {"s1": v2, "s2": v2})
        store.put_sentence_vectors("hashing/512", {})
        assert store.get_sentence_vectors("hashing/512", ["s1", "s2", "s3"]) == {
            "s1": v1, "s2": v2}, "existing keys are kept"
        assert store.get_sentence_vectors("static/300", ["s1", "s2"]) == {"s1": v2}
        assert store.get_sentence_vectors("use/512", ["s1"]) == {}
        many = {f"k{i}": v1 for i in range(1100)}
        store.put_sentence_vectors("big", many)
        assert len(store.get_sentence_vectors("big", list(many))) == 1100

    def test_settings(self, store: Store) -> None:
        assert store.get_setting("link_embedder") is None
        store.set_setting("link_embedder", "static")
        store.set_setting("link_embedder", "use")
        store.set_setting("other", "")
        assert store.get_setting("link_embedder") == "use"
        assert store.get_setting("other") == ""

    # -- transactions and schema ---------------------------------------------------------

    def test_transaction_commits_together(self, store: Store) -> None:
        with store.transaction():
            store.add_articles([article(1)])
            store.add_outlet_lines({("x", "k"): 1})
            store.set_setting("k", "v")
            assert store.count_articles() == 1, "reads inside see the writes"
        assert store.count_articles() == 1 and store.get_setting("k") == "v"
        assert store.outlet_line_counts("x", ["k"]) == {"k": 1}

    def test_transaction_is_all_or_nothing(self, store: Store) -> None:
        store.add_articles([article(1)])

        class Boom(Exception):
            pass

        with pytest.raises(Boom), store.transaction():
            store.add_articles([article(2), article(3)])
            store.set_setting("k", "v")
            store.put_enrichments({"e": {"x": 1}})
            store.save_assignments([assignment(article(1), "ev", "sl", 1.0)])
            raise Boom
        assert store.count_articles() == 1
        assert store.existing_ids([article(2).id, article(3).id]) == set()
        assert store.get_setting("k") is None and store.get_enrichments(["e"]) == {}
        assert store.article_assignment(article(1).id) is None
        assert store.count_stories() == 0
        # the store is still usable afterwards
        assert store.add_articles([article(2)]) == 1

    def test_change_count_moves_with_every_visible_write(self, store: Store) -> None:
        seen = [store.change_count()]

        def moved() -> bool:
            seen.append(store.change_count())
            return seen[-1] != seen[-2]

        assert not moved(), "reading changes nothing"
        store.add_articles([article(1), article(2)])
        assert moved()
        store.add_articles([article(1)])
        assert not moved(), "an already stored id writes nothing"
        store.save_assignments([assignment(article(1), "ev", "sl", 1.0)])
        assert moved()
        store.save_assignments([assignment(article(2), "ev", "sl", 2.0)])
        assert moved(), "a story that grew"
        assert store.list_stories() and not moved()

    def test_change_count_is_seen_by_other_connections(self, store: Store,
                                                      open_store_fn: OpenStore) -> None:
        with store as reader, self.reopen_or_skip(open_store_fn) as writer:
            before = reader.change_count()
            writer.add_articles([article(1)])
            assert reader.change_count() != before
            with writer.transaction():
                writer.add_articles([article(2)])
                inside = reader.change_count()
            assert reader.change_count() != inside, "a commit is seen once it commits"

    def test_clustering_is_one_process_at_a_time(self, store: Store,
                                                 open_store_fn: OpenStore) -> None:
        with store.clustering(), self.reopen_or_skip(open_store_fn) as other:
            with pytest.raises(StoreError, match="another process is clustering"), \
                        other.clustering(wait=False):
                pytest.fail("two clusterers at once")  # pragma: no cover
            assert other.count_articles() == 0, "other work goes on meanwhile"
        with self.reopen_or_skip(open_store_fn) as other, other.clustering(wait=False):
            pass  # released when the holder is done

    def test_schema_version(self, store: Store) -> None:
        v = store.schema_version
        assert isinstance(v, int) and v >= 1

    def test_context_manager_closes(self, open_store_fn: OpenStore) -> None:
        with open_store_fn() as s:
            s.add_articles([article(1)])
            assert s.count_articles() == 1
