"""Pipeline records (storylens.records, storylens.records_story): ids, hashes, JSON forms,
story spans."""

from __future__ import annotations

import json
from dataclasses import FrozenInstanceError
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.records import Article, RawDoc, RemovedLine, article_id
from storylens.records_story import ClusterAssignment, Story

T = datetime(2022, 10, 24, 10, 17, tzinfo=UTC)


def _article(**kw: object) -> Article:
    base: dict[str, object] = dict(id="a1", source="f.txt", title="T", text="Body text.",
                                   raw="<p>Body text.</p>", raw_format="html")
    base.update(kw)
    return Article(**base)  # type: ignore[arg-type]


def test_article_id_ignores_the_file_path_and_surrounding_space() -> None:
    a = RawDoc(source="a/x.txt", content="Body\n", fmt="text", url="https://o.org/1")
    b = RawDoc(source="b/y.txt", content="  Body", fmt="html", url=" https://o.org/1 ")
    assert article_id(a) == article_id(b)
    assert len(article_id(a)) == 16 and int(article_id(a), 16) >= 0


def test_article_id_depends_on_url_and_content_or_given_id() -> None:
    base = RawDoc(source="s", content="Body", fmt="text", url="https://o.org/1")
    other_url = RawDoc(source="s", content="Body", fmt="text", url="https://o.org/2")
    other_body = RawDoc(source="s", content="Body 2", fmt="text", url="https://o.org/1")
    given1 = RawDoc(source="s", content="Body", fmt="text", url="https://o.org/1", given_id="7")
    given2 = RawDoc(source="s", content="Edited", fmt="text", url="https://o.org/1",
                    given_id="7")
    ids = {article_id(d) for d in (base, other_url, other_body, given1)}
    assert len(ids) == 4
    assert article_id(given1) == article_id(given2)  # the given id replaces the content


def test_no_url_and_empty_url_are_the_same_identity() -> None:
    assert article_id(RawDoc("s", "Body", "text")) == article_id(RawDoc("s", "Body", "text",
                                                                       url=""))


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=20), st.text(max_size=20), st.none() | st.text(max_size=10))
def test_article_id_is_a_pure_function(content: str, url: str, given_id: str | None) -> None:
    d = RawDoc("s", content, "text", url=url, given_id=given_id)
    assert article_id(d) == article_id(RawDoc("elsewhere", content, "html", url=url,
                                              given_id=given_id))


def test_raw_doc_is_frozen() -> None:
    d = RawDoc("s", "c", "text")
    with pytest.raises(FrozenInstanceError):
        d.content = "x"  # type: ignore[misc]


def test_content_hash_follows_the_clean_text_only() -> None:
    a, b = _article(), _article(id="a2", raw="other", title="Other")
    assert a.content_hash == b.content_hash and len(a.content_hash) == 24
    assert _article(text="Body text!").content_hash != a.content_hash


def test_to_dict_is_json_ready_and_leaves_raw_out_unless_asked() -> None:
    a = _article(published=T, ingested_at=T, removed=[RemovedLine(3, "Share", "short")],
                 warnings=["w"], lang="fr", lang_score=0.9)
    d = a.to_dict()
    assert "raw" not in d and a.to_dict(include_raw=True)["raw"] == "<p>Body text.</p>"
    assert d["published"] == "2022-10-24T10:17:00+00:00" == d["ingested_at"]
    assert d["removed"] == [{"line_no": 3, "text": "Share", "reason": "short"}]
    assert d["content_hash"] == a.content_hash
    assert json.loads(json.dumps(d)) == d
    blank = _article().to_dict()
    assert blank["published"] is None and blank["ingested_at"] is None
    assert blank["published_source"] == "none" and blank["removed"] == []


def _story(first: datetime | None, last: datetime | None) -> Story:
    return Story(id="s1", level="event", title="T", size=3, n_copies=1, n_events=1,
                 first_time=first, last_time=last, langs={"fr": 2}, outlets={"x.fr": 3})


def test_story_span() -> None:
    assert _story(None, None).span() == "—"
    assert _story(T, None).span() == "2022-10-24"
    assert _story(T, T.replace(hour=23)).span() == "2022-10-24"
    assert _story(T, T.replace(day=30)).span() == "2022-10-24 → 2022-10-30"


def test_story_to_dict() -> None:
    d = _story(T, None).to_dict()
    assert d["first_time"] == T.isoformat() and d["last_time"] is None
    assert d["members"] == [] and d["events"] == [] and d["storyline_id"] is None
    assert json.loads(json.dumps(d)) == d


def test_cluster_assignment_is_frozen() -> None:
    a = ClusterAssignment("a", "e", "s", None, 0.9, 0.8, False, 1.0)
    with pytest.raises(FrozenInstanceError):
        a.event_id = "x"  # type: ignore[misc]
