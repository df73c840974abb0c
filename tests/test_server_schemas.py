"""``server.schemas`` and ``server.schemas_story``: the ``.of`` constructors that turn
records into API bodies (excerpts cut at a word, raw only on request, hrefs, members)
and the OpenAPI reference (``server.api_docs.operations``) built from the same schema."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from storylens.records import Article, RemovedLine
from storylens.records_story import Story
from storylens.server.api_docs import Operation, _type_of, operations
from storylens.server.schemas import ArticleDetail, ArticleSummary, IngestItem
from storylens.server.schemas_story import StoryDetail, StorySummary

T0 = datetime(2022, 10, 24, 8, tzinfo=UTC)


def art(text: str = "Body text.", **kw: object) -> Article:
    base: dict[str, object] = dict(id="abc123", source="/x/a.txt", title="Title",
                                   text=text, raw="<p>raw</p>", raw_format="html",
                                   url="https://x.org/a", outlet="x.org", published=T0,
                                   published_source="html", lang="fr", lang_score=0.97,
                                   removed=[RemovedLine(2, "Partager", "share")],
                                   warnings=["w"], ingested_at=T0)
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_summary_excerpt_is_flat_and_cut_at_a_word() -> None:
    s = ArticleSummary.of(art("Short\n\n text   here."))
    assert s.excerpt == "Short text here." and s.href == "/api/v1/articles/abc123"
    assert s.removed_lines == 1 and s.lang == "fr" and s.published == T0
    long = ArticleSummary.of(art("word " * 100))
    assert long.excerpt.endswith("…") and len(long.excerpt) <= 240
    assert long.excerpt.removesuffix("…") == ("word " * 47).strip(), "never a cut word"
    exact = ArticleSummary.of(art("x" * 240))
    assert exact.excerpt == "x" * 240, "240 characters fit"
    assert "text" not in s.model_dump()


def test_detail_carries_the_text_and_raw_only_on_request() -> None:
    a = art()
    d = ArticleDetail.of(a)
    assert d.text == a.text and d.raw is None and d.content_hash == a.content_hash
    assert [r.model_dump() for r in d.removed] == [
        {"line_no": 2, "text": "Partager", "reason": "share"}]
    assert ArticleDetail.of(a, include_raw=True).raw == "<p>raw</p>"
    dumped = d.model_dump(mode="json")
    assert dumped["published"] == "2022-10-24T08:00:00Z"
    assert dumped["source"] == "/x/a.txt" and dumped["raw_format"] == "html"


def test_ingest_item_status_is_closed() -> None:
    assert IngestItem(index=0, status="ingested", id="a").reason is None
    with pytest.raises(ValidationError):
        IngestItem(index=0, status="maybe")  # type: ignore[arg-type]


def _story(level: str = "event") -> Story:
    return Story(id="ev-1" if level == "event" else "sl-1", level=level,  # type: ignore[arg-type]
                 title="T", size=2, n_copies=1, n_events=1, first_time=T0, last_time=T0,
                 langs={"fr": 2}, outlets={"x.org": 1, "y.org": 1},
                 storyline_id="sl-1" if level == "event" else None,
                 members=[{"id": "a", "title": "A", "outlet": "x.org", "lang": "fr",
                           "published": T0.isoformat(), "event_id": "ev-1",
                           "duplicate_of": None, "event_score": 0.9, "undated": False,
                           "extra": "ignored"},
                          {"id": "b", "title": "B", "outlet": None, "lang": None,
                           "published": None, "event_id": "ev-1", "duplicate_of": "a",
                           "event_score": 1.0, "undated": True}],
                 events=["ev-1"] if level == "storyline" else [])


def test_story_summary_links() -> None:
    s = StorySummary.of(_story())
    assert (s.href, s.page, s.storyline_id) == ("/api/v1/stories/ev-1", "/stories/ev-1",
                                                "sl-1")
    assert s.outlets == {"x.org": 1, "y.org": 1} and s.n_copies == 1


def test_story_detail_members_and_coverage() -> None:
    d = StoryDetail.of_story(_story("storyline"), {"source": "fallback"})
    assert d.level == "storyline" and d.events == ["ev-1"]
    assert [(m.id, m.duplicate_of, m.undated, m.href) for m in d.members] == [
        ("a", None, False, "/api/v1/articles/a"), ("b", "a", True, "/api/v1/articles/b")]
    assert "extra" not in d.members[0].model_dump()
    assert d.coverage == {"source": "fallback"}
    assert d.model_dump()["page"] == "/stories/sl-1"


def test_type_of_schema_fragments() -> None:
    assert _type_of({"type": "integer"}) == "integer"
    assert _type_of({"$ref": "#/components/schemas/ArticlePage"}) == "ArticlePage"
    assert _type_of({"type": "array", "items": {"type": "string"}}) == "array of string"
    assert _type_of({"anyOf": [{"type": "string"}, {"type": "null"}]}) == "string | null"
    assert _type_of({}) == "any"


def test_operations_of_a_hand_made_schema() -> None:
    schema = {"paths": {"/api/v1/things/{id}": {
        "get": {"summary": "One thing", "tags": ["things"],
                "parameters": [{"name": "id", "in": "path", "required": True,
                                "schema": {"type": "string", "description": "Its id."}}],
                "responses": {"404": {"description": "Unknown"},
                              "200": {"description": "OK"}}},
        "post": {"security": [{"bearer": []}],
                 "requestBody": {"content": {"application/json": {"schema": {
                     "type": "array", "items": {"$ref": "#/c/ArticleIn"},
                     "description": "Articles."}}}}},
        "parameters": [{"name": "ignored"}]}}}
    get, post = operations(schema)
    assert (get.method, get.path, get.tag, get.auth) == ("GET", "/api/v1/things/{id}",
                                                         "things", False)
    assert [(p.name, p.where, p.required, p.type, p.description) for p in get.params] == [
        ("id", "path", True, "string", "Its id.")]
    assert get.responses == [("200", "OK"), ("404", "Unknown")]
    assert (post.method, post.tag, post.auth) == ("POST", "other", True)
    assert post.body == "application/json: array of ArticleIn — Articles."
    assert get.anchor == "get-api-v1-things--id"
    assert operations({}) == []


def test_operations_of_the_real_app(tmp_path: Path) -> None:
    from storylens.server import create_app

    ops = operations(create_app(tmp_path / "s.db", token="t", allow_no_auth=False)
                     .openapi())
    by = {(o.method, o.path): o for o in ops}
    assert ("GET", "/api/v1/articles") in by and ("POST", "/api/v1/articles") in by
    assert by[("POST", "/api/v1/articles")].auth, "writes need the token"
    assert not by[("GET", "/api/v1/articles")].auth
    assert any(p.name == "limit" and p.where == "query"
               for p in by[("GET", "/api/v1/articles")].params)
    assert len({o.anchor for o in ops}) == len(ops), "anchors are unique"
    assert all(isinstance(o, Operation) and o.responses for o in ops)
