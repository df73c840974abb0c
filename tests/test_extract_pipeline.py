"""RawDoc -> Article: HTML extraction, metadata precedence, dates with provenance."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storylens.enrich.dates import date_from_text, date_from_url, parse_date
from storylens.enrich.language import detect, dominant_script, script_runs
from storylens.enrich.outlets import domain_of, outlet_of
from storylens.errors import InputError
from storylens.extract.html import visible_text
from storylens.extract.pipeline import extract_article, raw_line_keys
from storylens.records import RawDoc, article_id

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
BODY = ("Die Stadtverwaltung hat am Dienstag den Haushalt für das kommende Jahr beschlossen. "
        "Die Investitionen steigen um zehn Prozent, sagte der Bürgermeister vor dem Rat. ")

PAGE = f"""<!doctype html><html lang="de"><head>
<title>Haushalt beschlossen | Stadtanzeiger</title>
<meta property="og:site_name" content="Stadtanzeiger">
<meta property="article:published_time" content="2022-10-24T08:30:00+02:00">
</head><body><nav><a href="/">Start</a> <a href="/politik">Politik</a></nav>
<article><h1>Haushalt beschlossen</h1><p>{BODY}</p><p>{BODY.replace('zehn', 'zwölf')}</p>
<p>{BODY.replace('Dienstag', 'Mittwoch')}</p></article>
<footer>© Stadtanzeiger — Impressum — Datenschutz</footer></body></html>"""


def test_html_page_gives_text_title_date_outlet() -> None:
    raw = RawDoc(source="p.html", content=PAGE, fmt="html",
                 url="https://www.stadtanzeiger.de/politik/haushalt")
    a = extract_article(raw, now=NOW)
    assert a.title.startswith("Haushalt beschlossen")
    assert "zwölf Prozent" in a.text and "Impressum" not in a.text and "Politik" not in a.text
    assert a.published == datetime(2022, 10, 24, tzinfo=UTC) or (
        a.published is not None and a.published.date().isoformat() == "2022-10-24")
    assert a.published_source == "html"
    assert a.outlet == "stadtanzeiger.de" and a.lang == "de" and a.raw_format == "html"


def test_input_metadata_wins_and_bad_date_is_a_warning() -> None:
    raw = RawDoc(source="x:1", content="Titel\n\n" + BODY, fmt="text", title="Given title",
                 outlet="My Outlet", published="not a date at all", lang="de")
    a = extract_article(raw, now=NOW)
    assert a.title == "Given title" and a.outlet == "My Outlet" and a.lang == "de"
    assert a.published is None and a.published_source == "none"
    assert any("not a date" in w for w in a.warnings)


def test_future_date_is_flagged() -> None:
    raw = RawDoc(source="x:1", content=BODY, fmt="text", title="T", published="2031-01-01")
    a = extract_article(raw, now=NOW)
    assert a.published_source == "input" and any("future" in w for w in a.warnings)


def test_html_without_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no readable text"):
        extract_article(RawDoc(source="e.html", content="<html><body> </body></html>",
                               fmt="html"), now=NOW)


def test_ids_are_stable_and_content_based() -> None:
    a = RawDoc(source="a.txt", content="T\n\nbody", fmt="text")
    b = RawDoc(source="elsewhere/a.txt", content="T\n\nbody\n", fmt="text")
    c = RawDoc(source="a.txt", content="T\n\nother body", fmt="text")
    assert article_id(a) == article_id(b) != article_id(c)
    d1 = RawDoc(source="f:1", content="x", fmt="text", given_id="42", url="https://o.org/1")
    d2 = RawDoc(source="g:9", content="y", fmt="text", given_id="42", url="https://o.org/1")
    assert article_id(d1) == article_id(d2)


def test_dates() -> None:
    assert date_from_url("https://a.fr/2022/10/24/x") == datetime(2022, 10, 24, tzinfo=UTC)
    assert date_from_url("https://a.fr/news-20220224-x") == datetime(2022, 2, 24, tzinfo=UTC)
    assert date_from_url("https://a.fr/1234567") is None
    assert parse_date("il y a 2 heures", lang="fr", now=NOW) == datetime(2026, 11, 23, 10,
                                                                         tzinfo=UTC)
    assert parse_date("24 octobre 2022", lang="fr") == datetime(2022, 10, 24, tzinfo=UTC)
    assert parse_date("2022-10-24T10:00:00+02:00") == datetime(2022, 10, 24, 8, tzinfo=UTC)
    assert parse_date("") is None
    got = date_from_text(["Publié il y a 3 heures", "Texte long de l'article."], lang="fr",
                         now=NOW)
    assert got == datetime(2026, 11, 23, 9, tzinfo=UTC)


def test_outlets() -> None:
    assert domain_of("https://www.bbc.co.uk/news/world") == "bbc.co.uk"
    assert domain_of("french.presstv.ir/Detail/2022") == "presstv.ir"
    assert domain_of(None) is None and domain_of("") is None
    assert domain_of("javascript:alert(1)") is None and domain_of("mailto:a@b.org") is None
    assert domain_of("ftp://files.example.org/x") is None
    assert outlet_of("Le Monde", "lemonde", "https://lemonde.fr/x") == "Le Monde"
    assert outlet_of(None, "Le Monde", "https://www.lemonde.fr/x") == "lemonde.fr"
    assert outlet_of(None, "Le Monde", None) == "Le Monde"


def test_language_and_scripts() -> None:
    assert detect(BODY)[0] == "de" and detect(BODY)[1] > 0.9
    assert detect("ok")[0] is None
    line = "שר הביטחון בני גנץ באנקרהLe ministre de la Défense Benny Gantz"
    assert [s for s, _ in script_runs(line)] == ["HEBREW", "LATIN"]
    assert dominant_script("Привет, мир and hi") == "CYRILLIC"


def test_visible_text_one_line_per_block() -> None:
    txt = visible_text("<html><head><style>x{}</style></head><body><div>A <b>bold</b> word"
                       "</div><script>evil()</script><p>Second</p></body></html>")
    assert txt.splitlines() == ["A bold word", "Second"]


@pytest.mark.shared_data
def test_real_pages_extract(shared_data: Path) -> None:
    """A few real pages of the extraction benchmark: text found, most gold text kept."""
    gt = json.loads((shared_data / "article-extraction" / "ground-truth.json").read_text())
    for page_id in sorted(gt)[:5]:
        html = gzip.decompress(
            (shared_data / "article-extraction" / "html" / f"{page_id}.html.gz").read_bytes()
        ).decode("utf-8")
        a = extract_article(RawDoc(source=page_id, content=html, fmt="html",
                                   url=gt[page_id]["url"]), now=NOW)
        gold = set(gt[page_id]["articleBody"].lower().split())
        got = set(a.text.lower().split())
        assert len(gold & got) / max(1, len(gold)) > 0.6, page_id


# --- provenance order, outlet repetition, fallbacks -------------------------------------------


def test_date_provenance_falls_back_from_url_to_text() -> None:
    from_url = extract_article(RawDoc(source="u", content=BODY, fmt="text", title="T",
                                      url="https://x.de/2022/10/24/haushalt"), now=NOW)
    assert (from_url.published, from_url.published_source) == (
        datetime(2022, 10, 24, tzinfo=UTC), "url")
    from_text = extract_article(RawDoc(source="t", content="Titel\n" + BODY + "\n21.04.2020",
                                       fmt="text", lang="de"), now=NOW)
    assert from_text.published_source == "text"
    assert from_text.published is not None and from_text.published.date().isoformat() == \
        "2020-04-21"
    none = extract_article(RawDoc(source="n", content=BODY, fmt="text", title="T"), now=NOW)
    assert none.published is None and none.published_source == "none"
    assert any("no publication date" in w for w in none.warnings)


def test_site_lines_are_asked_with_the_outlet_and_the_line_keys() -> None:
    seen: list[tuple[str, list[str]]] = []
    tagline = "Stadtanzeiger — Ihre Zeitung für die Stadt"

    def lookup(outlet: str, keys: list[str]) -> dict[str, int]:
        seen.append((outlet, keys))
        return {k: 5 for k in keys if k.startswith("stadtanzeiger")}

    raw = RawDoc(source="s", content=f"Haushalt beschlossen\n{BODY}\n{tagline}\n{BODY}",
                 fmt="text", url="https://www.stadtanzeiger.de/a", lang="de")
    a = extract_article(raw, now=NOW, site_lines=lookup)
    assert seen == [("stadtanzeiger.de", raw_line_keys(raw.content))]
    assert tagline not in a.text
    assert any(r.text == tagline and r.reason.startswith("seen in 5") for r in a.removed)


def test_no_outlet_means_no_site_lookup() -> None:
    def lookup(outlet: str, keys: list[str]) -> dict[str, int]:
        raise AssertionError("not called without an outlet")

    extract_article(RawDoc(source="s", content=BODY, fmt="text"), now=NOW, site_lines=lookup)


def test_given_language_is_lower_cased_with_full_confidence() -> None:
    a = extract_article(RawDoc(source="s", content=BODY, fmt="text", lang="DE"), now=NOW)
    assert (a.lang, a.lang_score) == ("de", 1.0)


def test_encoding_note_becomes_a_warning_and_titles_fall_back() -> None:
    raw = RawDoc(source="s", content="· · ·", fmt="text", encoding_note="decoded as cp1252")
    a = extract_article(raw, now=NOW)
    assert a.warnings[0] == "decoded as cp1252"
    assert a.title == "(untitled)" and a.text == ""
    assert a.warnings == ["decoded as cp1252", "no story text left after cleaning",
                          "too little text to identify the language",
                          "no publication date found; ordered by ingest time"]


def test_blank_text_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no text in the input"):
        extract_article(RawDoc(source="b", content="  \n ", fmt="text"), now=NOW)


def test_raw_line_keys_skip_blank_lines() -> None:
    assert raw_line_keys("Hello, World!\n\n  \nÉTÉ 2024") == ["hello world", "été 2024"]
