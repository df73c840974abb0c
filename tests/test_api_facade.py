"""The facade (``storylens.api``): compare agrees with the stored clusters, what compare
computes is kept in the store and read back, and articles resolve by id, file or URL."""

from __future__ import annotations

import itertools
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from storylens import api
from storylens.compare import analysis
from storylens.errors import NotFoundError
from storylens.store import ArticleQuery, Store, open_store
from tests.conftest import JFORUM, PRESSTV, ROOT

SAMPLE = ROOT / "samples" / "news-sample.jsonl"


@pytest.fixture(scope="module")
def sample_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """The README's sample corpus, ingested and clustered, in a file store."""
    db = tmp_path_factory.mktemp("facade") / "sample.db"
    with open_store(db) as store:
        api.ingest([str(SAMPLE)], store)
        api.cluster(store)
        yield store


def _events(store: Store) -> dict[str, list[str]]:
    events, _ = api.list_stories(store, level="event", limit=1000)
    return {s.id: [str(m["id"]) for m in api.get_story(store, s.id).members]
            for s in events}


@pytest.mark.slow
def test_compare_says_same_event_for_every_pair_stories_put_together(
        sample_store: Store) -> None:
    events = _events(sample_store)
    pairs = [p for ids in events.values() if len(ids) > 1
             for p in itertools.combinations(ids, 2)]
    assert len(pairs) >= 4  # the sample's cross-lingual pairs are linked
    for a, b in pairs:
        c = api.compare(sample_store, a, b, embedder="static")
        assert c.same_event is not None and c.same_event.decision, (a, b)
        assert c.same_event.source == "clusters"
        assert c.to_dict()["verdicts"]["same_event"]["decision"] is True


@pytest.mark.slow
def test_compare_says_different_event_for_articles_stories_kept_apart(
        sample_store: Store) -> None:
    events = _events(sample_store)
    firsts = [ids[0] for ids in events.values()][:4]
    for a, b in itertools.combinations(firsts, 2):
        c = api.compare(sample_store, a, b, embedder="static")
        assert c.same_event is not None and not c.same_event.decision
        assert c.same_event.source == "clusters"


def test_unclustered_articles_fall_back_to_the_pair_model(tmp_path: Path) -> None:
    with open_store(tmp_path / "s.db") as store:
        rep = api.ingest([str(JFORUM), str(PRESSTV)], store)
        c = api.compare(store, rep.ingested[0], rep.ingested[1], embedder="hashing")
    assert c.same_event is not None and c.same_event.source == "model"
    assert c.same_event.decision == (c.same_event.probability >= c.same_event.threshold)


def test_second_compare_reads_enrichment_and_vectors_from_the_store(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    with open_store(db) as store:
        ids = api.ingest([str(JFORUM), str(PRESSTV)], store).ingested
        first = api.compare(store, ids[0], ids[1], embedder="hashing")
        assert store.get_enrichments([]) == {}
    calls: list[int] = []
    real_enrich, real_embed = analysis._enrich_all, analysis._embed_unique

    def counting_enrich(docs, langs):  # type: ignore[no-untyped-def]
        calls.append(len(docs))
        return real_enrich(docs, langs)

    def counting_embed(embedder, texts):  # type: ignore[no-untyped-def]
        calls.append(len(texts))
        return real_embed(embedder, texts)

    monkeypatch.setattr(analysis, "_enrich_all", counting_enrich)
    monkeypatch.setattr(analysis, "_embed_unique", counting_embed)
    with open_store(db) as store:  # a new process would see the same: nothing in memory
        second = api.compare(store, ids[0], ids[1], embedder="hashing")
    assert all(n == 0 for n in calls), calls
    assert json.dumps(second.to_dict(), sort_keys=True, default=str) == \
        json.dumps(first.to_dict(), sort_keys=True, default=str)


def test_story_coverage_reuses_the_store(sample_store: Store,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    events, _ = api.list_stories(sample_store, level="event", sort="size", limit=1)
    cache = analysis.AnalysisCache()
    s, cov = api.story_coverage(sample_store, events[0].id, embedder="hashing")
    assert s.id == events[0].id and cov.articles and cov.facts
    from storylens.compare import coverage

    monkeypatch.setattr(coverage, "ANALYSIS_CACHE", cache)  # nothing in memory
    _, again = api.story_coverage(sample_store, events[0].id, embedder="hashing")
    assert cache.computed == {"vectors": 0, "enrichments": 0}
    assert [f.text for f in again.facts] == [f.text for f in cov.facts]


def test_resolve_article_by_id_prefix_file_and_url(tmp_path: Path) -> None:
    copy = tmp_path / "elsewhere" / JFORUM.name
    copy.parent.mkdir()
    shutil.copy(JFORUM, copy)
    jsonl = tmp_path / "one.jsonl"
    jsonl.write_text(json.dumps({"url": "https://example.org/a", "title": "A title",
                                 "text": "Some text about a thing that happened. " * 5}) + "\n",
                     encoding="utf-8")
    with open_store(tmp_path / "s.db") as store:
        ids = api.ingest([str(JFORUM), str(jsonl)], store).ingested
        assert api.resolve_article(store, ids[0][:8]).id == ids[0]
        assert api.resolve_article(store, str(JFORUM)).id == ids[0]
        assert api.resolve_article(store, str(copy)).id == ids[0]  # same content elsewhere
        assert api.resolve_article(store, str(jsonl)).id == ids[1]  # its only article
        assert api.resolve_article(store, "https://example.org/a").id == ids[1]
        with pytest.raises(NotFoundError, match="not ingested yet"):
            api.resolve_article(store, str(PRESSTV))
        with pytest.raises(NotFoundError, match="no such article"):
            api.resolve_article(store, "zzzz-nothing")


def test_resolve_article_refuses_a_file_of_several_articles(tmp_path: Path) -> None:
    jsonl = tmp_path / "two.jsonl"
    jsonl.write_text("".join(json.dumps({"title": f"T{i}", "text": f"Body number {i}. " * 9})
                             + "\n" for i in range(2)), encoding="utf-8")
    with open_store(tmp_path / "s.db") as store:
        api.ingest([str(jsonl)], store)
        with pytest.raises(NotFoundError, match="several"):
            api.resolve_article(store, str(jsonl))


def test_cluster_records_its_embedder_and_later_runs_keep_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with open_store(tmp_path / "s.db") as store:
        api.ingest([str(JFORUM)], store)
        api.cluster(store, embedder="static")
        assert store.get_setting("link_embedder") == "static"
        monkeypatch.setenv("STORYLENS_EMBEDDER", "use")  # the store's record wins
        api.ingest([str(PRESSTV)], store)
        assert api.cluster(store).clustered == 1
        assert store.get_setting("link_embedder") == "static"
        a, b = api.list_articles(store, ArticleQuery(limit=2))
        links = api.stored_links(store, a, b)
    assert links.model == "static" and links.reps is not None
    assert all(x is not None for x in links.assigned)


@pytest.mark.slow
def test_the_readme_python_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
                                        ) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    (tmp_path / "articles").mkdir()
    shutil.copy(SAMPLE, tmp_path / "articles" / SAMPLE.name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("STORYLENS_COMPARE_EMBEDDER", "static")
    exec(compile(code, "README.md", "exec"), {})
    assert (tmp_path / "news.db").is_file()


def test_copy_roots_fold_chains_and_keep_orphans() -> None:
    from storylens.records_story import copy_roots

    roots = copy_roots({"a": None, "b": "a", "c": "b", "d": "zz", "e": "f", "f": "e"})
    assert roots["a"] == "a" and roots["b"] == "a" and roots["c"] == "a"
    assert roots["d"] == "d"  # its original is not a member: shown as an original
    assert {roots["e"], roots["f"]} <= {"e", "f"}  # a cycle ends, never loops
