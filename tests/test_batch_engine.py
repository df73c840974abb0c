"""`batch` stores what `ingest` + `cluster` store: the same articles (text, removed lines,
outlet line counts, insertion order) and the same events, with the in-process engine and
with a real Dask LocalCluster of two worker processes."""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from storylens.api.ingestion import ingest
from storylens.batch.driver import represent_stored, run_batch
from storylens.batch.engine import DaskEngine, LocalEngine, TaskFailed, open_engine
from storylens.batch.shards import plan_shards, read_shard
from storylens.errors import ConfigError
from storylens.ingest.files import read_inputs
from storylens.link.service import cluster_store
from storylens.records import RawDoc
from storylens.store import open_store
from storylens.store.base import ArticleQuery, Store
from tests.batch_helpers import (
    NOW,
    dump_articles,
    dump_events,
    dump_scores,
    furniture,
    write_corpus,
)
from tests.warc_helpers import page, write_warc

STORES = ("postgresql", "sqlite")
"""Store backends the equivalence runs on (PostgreSQL: a fresh schema per name in the
test server of ``tests/pg_server.py``)."""

OpenDb = Callable[[str], Store]


def with_schema(dsn: str, schema: str) -> str:
    """``dsn`` whose connections use ``schema``. (Not imported from ``tests.pg_server``:
    Dask workers import this module to run its task functions, and must not import the
    test configuration with it.)"""
    sep = "&" if "?" in dsn else "?"
    return f"{dsn}{sep}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(params=STORES)
def open_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[OpenDb]:
    """Opens a fresh, empty store of the parameter's backend under a name."""
    opened: list[Store] = []
    schemas: list[str] = []
    dsn = request.getfixturevalue("pg_dsn") if request.param == "postgresql" else ""

    def open_(name: str) -> Store:
        if request.param == "sqlite":
            store = open_store(tmp_path / f"{name}.db")
        else:
            import psycopg

            schema = f"b_{uuid.uuid4().hex[:10]}_{name}"
            with psycopg.connect(dsn, autocommit=True) as conn:
                conn.execute(f"CREATE SCHEMA {schema}")
            schemas.append(schema)
            store = open_store(with_schema(dsn, schema))
        opened.append(store)
        return store

    yield open_
    for s in opened:
        s.close()
    if schemas:
        import psycopg

        with psycopg.connect(dsn, autocommit=True) as conn:
            for schema in schemas:
                conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """240 JSONL reports from six outlets with furniture, bad lines and repeats, plus a
    folder of HTML pages and a text file from one more outlet."""
    root = tmp_path_factory.mktemp("corpus")
    write_corpus(root / "a-reports.jsonl", 240)
    pages = root / "b-pages"
    pages.mkdir()
    head, foot = furniture("pages.example")
    for i in range(4):
        story = [f"The harbour authority said on Monday that ship {i} was held after an "
                 f"inspection found {12 + i} faults in its engines and safety gear.",
                 "Officials expect the investigation to take weeks, a spokesperson said."]
        paras = "".join(f"<p>{ln}</p>" for ln in [*head, *story, *foot])
        (pages / f"p{i}.html").write_text(
            f"<html><head><title>Ship {i} held</title><link rel='canonical' "
            f"href='https://pages.example/ship-{i}'></head><body><article>"
            f"<h1>Ship {i} held at the harbour</h1>{paras}</article></body></html>",
            encoding="utf-8")
    (root / "c-note.txt").write_text("Council votes on the budget\n\nThe city council "
                                     "voted 7 to 2 on Tuesday to pass next year's budget "
                                     "after a long debate about schools.\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def dask_engine() -> Iterator[DaskEngine]:
    engine = DaskEngine(workers=2)
    yield engine
    engine.close()


def _reference(open_db: OpenDb, corpus: Path) -> Store:
    ref = open_db("ingest")
    report = ingest([str(corpus)], ref, now=NOW)
    assert len(report.failed) == 2 and report.duplicates
    cluster_store(ref)
    return ref


def _same(ref: Store, got: Store) -> None:
    assert dump_articles(got) == dump_articles(ref)
    assert dump_events(got) == dump_events(ref)
    assert dump_scores(got) == pytest.approx(dump_scores(ref), abs=2e-4)
    for outlet in ("north.example", "pages.example"):
        keys = [k for k, _ in Counter(ln for ln in _lines(ref, outlet)).items()]
        assert got.outlet_line_counts(outlet, keys) == ref.outlet_line_counts(outlet, keys)


def _lines(store: Store, outlet: str) -> list[str]:
    from storylens.extract.plaintext import line_key

    arts = store.list_articles(ArticleQuery(outlet=outlet, limit=1000))
    assert arts
    return [line_key(ln) for a in arts for ln in (a.raw if a.raw_format == "text"
                                                  else a.text).splitlines() if ln.strip()]


@pytest.mark.slow
def test_local_engine_stores_what_ingest_stores(open_db: OpenDb, corpus: Path) -> None:
    ref = _reference(open_db, corpus)
    got = open_db("batch")
    report = run_batch([str(corpus)], got, LocalEngine(), shard_size=30, now=NOW)
    _same(ref, got)
    ing = report.ingest
    assert (len(ing.ingested), len(ing.failed)) == (got.count_articles(), 2)
    assert sorted(ing.failed) == sorted(ingest([str(corpus)], open_db("again"), now=NOW
                                               ).failed)
    assert report.represented == got.count_articles()
    assert report.cluster is not None and report.cluster.reused_vectors == report.represented
    # the furniture went, by the outlet-repetition rule, as in ingest
    assert any("other articles of this outlet" in r.reason
               for a in got.get_articles(ing.ingested[-20:]) for r in a.removed)


@pytest.mark.slow
def test_dask_cluster_stores_what_ingest_stores(open_db: OpenDb, corpus: Path,
                                                dask_engine: DaskEngine) -> None:
    ref = _reference(open_db, corpus)
    got = open_db("batch")
    report = run_batch([str(corpus)], got, dask_engine, shard_size=25, now=NOW)
    assert report.shards > 4 and report.workers == 2
    _same(ref, got)
    assert report.recleaned == 0  # text: the counts handed out were exact
    again = run_batch([str(corpus)], got, dask_engine, shard_size=25, now=NOW)
    assert again.ingest.ingested == [] and again.represented == 0  # idempotent
    _same(ref, got)


def test_shards_read_what_ingest_reads(tmp_path: Path) -> None:
    n = write_corpus(tmp_path / "c.jsonl", 60)
    (tmp_path / "big.jsonl").write_text('{"text": "' + "x" * 6000 + '"}\n' + "\n\n",
                                        encoding="utf-8")
    (tmp_path / "blank.jsonl").write_text("\n\n", encoding="utf-8")
    (tmp_path / "t.txt").write_text("A title\n\nSome text of a story.\n", encoding="utf-8")
    write_warc(tmp_path / "n.warc.gz", [
        {"url": f"https://news.example/{i}", "body": page(f"Title {i}", "Body text " * 20)}
        for i in range(3)] + [{"kind": "request"}])
    paths = [str(tmp_path), str(tmp_path / "missing.jsonl")]
    plan = plan_shards(paths, shard_size=7, max_bytes=4000)
    assert [s.index for s in plan.shards] == list(range(len(plan.shards)))
    got = [plan.refused[0]] + [x for s in plan.shards for x in read_shard(s, Counter())]
    want = list(read_inputs(paths, max_bytes=4000))
    def key(x: object) -> tuple[str, str | None, str | None]:
        return (getattr(x, "source", ""), getattr(x, "reason", None),
                getattr(x, "content", None))

    assert sorted(map(key, got)) == sorted(map(key, want))
    ranges = [s for s in plan.shards if s.jsonl and s.jsonl.endswith("c.jsonl")]
    assert sum(s.n_lines for s in ranges) == n and len(ranges) > 5
    r = ranges[1]
    assert r.describe().endswith(f"c.jsonl:{r.first_line}-{r.first_line + r.n_lines - 1}")
    assert sum(isinstance(x, RawDoc) for x in got) == 60 + 2 + 3 + 1  # 2 repeats, 3 pages
    assert any("over the limit" in getattr(x, "reason", "") for x in got)
    assert [s.paths for s in plan.shards if s.paths and s.paths[0].endswith(".warc.gz")
            ] == [(str(tmp_path / "n.warc.gz"),)]  # an archive is a shard of its own
    assert sum(isinstance(x, RawDoc) and "n.warc.gz@" in x.source for x in got) == 3


def test_stdin_is_refused_with_a_reason() -> None:
    plan = plan_shards(["-"])
    assert plan.shards == [] and "stdin" in plan.refused[0].reason


def _slow_square(x: int) -> int:
    time.sleep(0.05 * (x % 3))
    return x * x


def _fails_on_three(x: int) -> int:
    if x == 3:
        raise ValueError("three")
    return x


def test_local_engine_maps_in_order_and_reports_a_failing_task() -> None:
    out = list(LocalEngine().map_ordered(_fails_on_three, range(5), window=2))
    assert out[:3] == [0, 1, 2] and out[4] == 4
    assert isinstance(out[3], TaskFailed) and "ValueError: three" in out[3].reason


@pytest.mark.slow
def test_dask_engine_keeps_order_under_a_window(dask_engine: DaskEngine) -> None:
    assert list(dask_engine.map_ordered(_slow_square, range(12), window=3)) == [
        x * x for x in range(12)]
    out = list(dask_engine.map_ordered(_fails_on_three, range(5), window=5))
    assert isinstance(out[3], TaskFailed) and [out[i] for i in (0, 1, 2, 4)] == [0, 1, 2, 4]


def test_open_engine_names_and_errors() -> None:
    assert isinstance(open_engine("dask", workers=0), LocalEngine)
    assert isinstance(open_engine("local", workers=4), LocalEngine)
    with pytest.raises(ConfigError, match="unknown engine 'spark'"):
        open_engine("spark")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        DaskEngine("tcp://127.0.0.1:9", workers=1, connect_timeout=1)


def test_represent_stored_gives_clusters_vectors(open_db: OpenDb, tmp_path: Path) -> None:
    """Vectors made by the batch (IDF-free parts, then weighted in stream order) are the
    ones `cluster` would make: clustering after it reuses all and gives the same events."""
    write_corpus(tmp_path / "c.jsonl", 50, bad=False)
    a, b = open_db("a"), open_db("b")
    for s in (a, b):
        ingest([str(tmp_path / "c.jsonl")], s, now=NOW)
    assert represent_stored(b, LocalEngine())[0] == b.count_articles()
    assert represent_stored(b, LocalEngine())[0] == 0  # stored: nothing left to do
    cluster_store(a)
    rep = cluster_store(b)
    assert rep.reused_vectors == b.count_articles()
    assert dump_events(a) == dump_events(b)
    assert a.load_docfreq() == b.load_docfreq()


@pytest.mark.slow
def test_lines_of_shards_still_in_flight_count(open_db: OpenDb, tmp_path: Path,
                                               dask_engine: DaskEngine) -> None:
    """One article per shard, all of one outlet: the third article's furniture is only
    known repeated from the first two shards, which are still in flight (not stored)
    when its counts are handed out; it must still go, as in ingest."""
    path = tmp_path / "one-outlet.jsonl"
    write_corpus(path, 8, bad=False, outlets=("north.example",))
    ref = open_db("ingest")
    ingest([str(path)], ref, now=NOW)
    got = open_db("batch")
    run_batch([str(path)], got, dask_engine, shard_size=1, now=NOW, cluster=False)
    assert dump_articles(got) == dump_articles(ref)
    arts = sorted(ref.list_articles(ArticleQuery(limit=100)),
                  key=lambda a: int(a.source.rsplit(":", 1)[1]))
    by_rule = [sum("other articles of this outlet" in r.reason for r in a.removed)
               for a in arts]
    assert by_rule[:2] == [0, 0] and all(n >= 4 for n in by_rule[2:])


def _html_page_line(i: int) -> str:
    """A JSONL line: an English HTML page of one outlet whose closing line is kept by the
    cleaner (a plain sentence), so only the outlet-repetition rule removes it."""
    story = (f"The river rose by {20 + i} centimetres overnight in district {i}, and the "
             f"city opened {3 + i} shelters for families who had to leave their homes.")
    more = ("Engineers said the dykes were holding, but warned that more rain was "
            f"expected on day {i} of the week.")
    tail = "Read more of our reporting on the floods in the city in our special section."
    html = (f"<html><head><title>Flood update {i}</title></head><body><article>"
            f"<h1>Flood update {i}</h1><p>{story}</p><p>{more}</p><p>{tail}</p>"
            "</article></body></html>")
    return json.dumps({"id": f"h{i}", "html": html, "lang": "en",
                       "url": f"https://river.example/flood-{i}",
                       "published": f"2024-03-0{1 + i % 9}T10:00:00+00:00"})


@pytest.mark.slow
def test_html_cleaned_with_a_wrong_guess_is_settled(open_db: OpenDb, tmp_path: Path,
                                                    dask_engine: DaskEngine) -> None:
    """HTML pages count their *cleaned* lines, unknown while a page is in flight: the
    driver checks each returning shard against the store and cleans again the pages
    that saw other counts than ingest, so the store is still ingest's."""
    path = tmp_path / "pages.jsonl"
    path.write_text("\n".join(_html_page_line(i) for i in range(8)) + "\n", encoding="utf-8")
    ref = open_db("ingest")
    ingest([str(path)], ref, now=NOW)
    pages = sorted(ref.list_articles(ArticleQuery(limit=10)),
                   key=lambda a: int(a.source.rsplit(":", 1)[1]))
    assert [any("other articles of this outlet" in r.reason for r in a.removed)
            for a in pages] == [False, False] + [True] * 6
    got = open_db("batch")
    report = run_batch([str(path)], got, dask_engine, shard_size=1, now=NOW, cluster=False)
    assert report.recleaned > 0  # the guess was wrong in flight, and fixed
    assert dump_articles(got) == dump_articles(ref)
    local = open_db("local")
    assert run_batch([str(path)], local, LocalEngine(), shard_size=1, now=NOW,
                     cluster=False).recleaned == 0  # nothing in flight: nothing to fix
    assert dump_articles(local) == dump_articles(ref)
