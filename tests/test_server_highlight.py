"""Entities highlighted on the article page, every character still escaped."""

from __future__ import annotations

from pathlib import Path

import pytest

from storylens.api import ingest_raw
from storylens.enrich.entities import extract_entities
from storylens.records import RawDoc
from storylens.server.highlight import highlighted_paragraphs
from storylens.store import open_store
from tests.browser.serverproc import TestClient
from tests.conftest import JFORUM


def test_segments_cover_the_text_and_mark_entities() -> None:
    text = ("Le ministre Benny Gantz a rencontré Recep Tayyip Erdoğan à Ankara.\n\n"
            "Le Hamas et le Mossad sont cités.")
    paras = highlighted_paragraphs(text, extract_entities(text, "fr"))
    assert ["".join(seg for seg, _ in p) for p in paras] == [
        "Le ministre Benny Gantz a rencontré Recep Tayyip Erdoğan à Ankara.",
        "Le Hamas et le Mossad sont cités."]
    marked = {seg: label for p in paras for seg, label in p if label}
    assert marked.get("Ankara") == "LOC" and marked.get("Hamas") in ("ORG", "MISC")
    assert highlighted_paragraphs("", []) == []
    text = JFORUM.read_text(encoding="utf-8")
    paras = highlighted_paragraphs(text, extract_entities(text, "fr"))
    assert "".join(seg for p in paras for seg, _ in p) == text.replace("\n", "")
    people = {seg for p in paras for seg, label in p if label == "PER"}
    assert any("Gantz" in s for s in people) and any("Erdo" in s for s in people)


@pytest.mark.slow
def test_article_page_marks_entities_and_escapes(tmp_path: Path) -> None:
    from storylens.server.app import create_app

    db = tmp_path / "s.db"
    hostile = JFORUM.read_text(encoding="utf-8").replace(
        "Benny Gantz", "Benny Gantz <script>alert(1)</script>", 1)
    with open_store(db) as store:
        aid = ingest_raw([RawDoc(source="j", content=hostile, fmt="text", lang="fr")],
                         store).ingested[0]
    client = TestClient(create_app(db, token=None, allow_no_auth=False))
    page = client.get(f"/articles/{aid}").text
    assert '<mark class="ent ent-per" title="PER">' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    with open_store(db) as store:  # the page's enrichment is kept and read back
        art = store.get_article(aid)
        from storylens.compare.analysis import AnalysisCache

        cache = AnalysisCache()
        found = cache.enrichments([art.text], [art.lang], store)
        assert found[0] is not None and cache.computed["enrichments"] == 0
