"""Publication dates (storylens.enrich.dates): ISO and natural-language parsing relative to a
given clock, dates in URLs, datelines at the edges of a text, UTC normalisation, and
properties (never raises, always UTC-aware, ISO round trip, URL dates found wherever they
sit in a path)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.enrich.dates import as_utc, date_from_text, date_from_url, parse_date

NOW = datetime(2024, 5, 1, 12, tzinfo=UTC)
PARIS_SUMMER = timezone(timedelta(hours=2))

# --- parse_date -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-10-24", datetime(2022, 10, 24, tzinfo=UTC)),
        ("2022-10-24T10:17:00Z", datetime(2022, 10, 24, 10, 17, tzinfo=UTC)),
        ("2022-10-24T10:17:00+02:00", datetime(2022, 10, 24, 8, 17, tzinfo=UTC)),
        ("2022-10-24 23:30-05:00", datetime(2022, 10, 25, 4, 30, tzinfo=UTC)),
        ("  2022-10-24T10:17:00  ", datetime(2022, 10, 24, 10, 17, tzinfo=UTC)),
        ("20221024", datetime(2022, 10, 24, tzinfo=UTC)),
    ],
)
def test_iso_8601(value: str, expected: datetime) -> None:
    got = parse_date(value)
    assert got == expected and got is not None and got.tzinfo is UTC


@pytest.mark.parametrize(
    ("value", "lang", "expected"),
    [
        ("21 avril 2020", "fr", datetime(2020, 4, 21, tzinfo=UTC)),
        ("24 octobre 2022", None, datetime(2022, 10, 24, tzinfo=UTC)),
        ("March 8, 2019", "en", datetime(2019, 3, 8, tzinfo=UTC)),
        ("Dienstag, 21.04.2020, 10:17 Uhr", "de", datetime(2020, 4, 21, 10, 17, tzinfo=UTC)),
        ("il y a 2 heures", "fr", NOW - timedelta(hours=2)),
        ("2 hours ago", "en", NOW - timedelta(hours=2)),
        ("vor 3 Tagen", "de", NOW - timedelta(days=3)),
        ("hier", "fr", NOW - timedelta(days=1)),
    ],
)
def test_natural_language_dates_relative_to_now(value: str, lang: str | None,
                                                expected: datetime) -> None:
    assert parse_date(value, lang=lang, now=NOW) == expected


def test_relative_dates_use_the_instant_of_a_non_utc_clock() -> None:
    # Fixed bug: the clock's zone was dropped without converting, so "2 hours ago" from
    # 14:00+02:00 (12:00 UTC) came out as 12:00 UTC instead of 10:00 UTC.
    paris_now = datetime(2024, 5, 1, 14, tzinfo=PARIS_SUMMER)
    assert parse_date("il y a 2 heures", lang="fr", now=paris_now) == NOW - timedelta(hours=2)


@pytest.mark.parametrize("value", ["", "   ", "banana", "le maire a parlé", "9999-99-99"])
def test_not_a_date(value: str) -> None:
    assert parse_date(value, now=NOW) is None


# --- date_from_url --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://x.fr/2022/10/24/a", date(2022, 10, 24)),
        ("https://x.fr/2022-1-5-a", date(2022, 1, 5)),
        ("https://x.fr/2022_01_05_a", date(2022, 1, 5)),
        ("https://x.de/a-20221024-b", date(2022, 10, 24)),
        ("https://x.de/1980/01/01/", date(1980, 1, 1)),
        ("https://x.de/2049/12/31/", date(2049, 12, 31)),
        # An impossible first date falls through to the compact form further on.
        ("https://x/2022/02/30/-20210101", date(2021, 1, 1)),
    ],
)
def test_date_from_url(url: str, expected: date) -> None:
    got = date_from_url(url)
    assert got is not None and got.date() == expected and got.tzinfo is UTC
    assert (got.hour, got.minute) == (0, 0)


@pytest.mark.parametrize(
    "url",
    [None, "", "https://x/2022/02/30/", "https://x/12022/10/24", "https://x/2022/10/245",
     "https://x/1979/10/24", "https://x/2050/01/01", "https://x/2022/13/01",
     "https://x/article/1234567", "https://x/id=202210241"],
)
def test_no_date_in_url(url: str | None) -> None:
    assert date_from_url(url) is None


# --- date_from_text -------------------------------------------------------------------------


def test_dateline_at_the_top_with_its_label_stripped() -> None:
    assert date_from_text(["Publié le 21 avril 2020", "Le maire a parlé."], lang="fr",
                          now=NOW) == datetime(2020, 4, 21, tzinfo=UTC)


def test_dateline_at_the_bottom() -> None:
    lines = ["Titre", "Le maire a parlé.", "Mis à jour il y a 2 heures"]
    assert date_from_text(lines, lang="fr", now=NOW) == NOW - timedelta(hours=2)


def test_future_dates_beyond_a_day_are_not_publication_dates() -> None:
    assert date_from_text(["Titre", "Published on: 2030-01-01"], lang="en", now=NOW) is None
    tomorrow = (NOW + timedelta(hours=20)).date().isoformat()
    assert date_from_text(["Titre", tomorrow], lang="en", now=NOW) is not None


def test_long_lines_and_middle_lines_are_ignored() -> None:
    long_line = "The treaty signed in 2020 changed the rules for every member state in the union."
    assert len(long_line) > 60
    assert date_from_text(["Title", long_line], lang="en", now=NOW) is None
    middle = ["Title", "a", "b", "c", "21 April 2020", "d", "e", "f"]
    assert date_from_text(middle, lang="en", now=NOW) is None


def test_lines_without_a_date_hint_are_not_parsed() -> None:
    # "yesterday" parses as a date, but no line without a digit-bearing hint is tried.
    assert date_from_text(["Yesterday", "Text."], lang="en", now=NOW) is None


def test_empty_text() -> None:
    assert date_from_text([], lang=None, now=NOW) is None


# --- as_utc ---------------------------------------------------------------------------------


def test_as_utc_naive_is_taken_as_utc() -> None:
    assert as_utc(datetime(2022, 1, 1, 10)) == datetime(2022, 1, 1, 10, tzinfo=UTC)


def test_as_utc_converts_other_zones() -> None:
    got = as_utc(datetime(2022, 1, 1, 10, tzinfo=PARIS_SUMMER))
    assert got == datetime(2022, 1, 1, 8, tzinfo=UTC) and got.tzinfo is UTC


# --- properties -----------------------------------------------------------------------------

_instants = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1),
                         timezones=st.sampled_from([UTC, PARIS_SUMMER,
                                                    timezone(timedelta(hours=-7, minutes=-30))]))


@settings(max_examples=100, deadline=None)
@given(_instants)
def test_iso_round_trip_keeps_the_instant(dt: datetime) -> None:
    got = parse_date(dt.isoformat())
    assert got == dt and got is not None and got.utcoffset() == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2100, 1, 1)))
def test_naive_iso_is_utc(dt: datetime) -> None:
    assert parse_date(dt.isoformat()) == dt.replace(tzinfo=UTC)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30))
def test_parse_date_never_raises_and_is_utc_aware(text: str) -> None:
    got = parse_date(text, now=NOW)
    assert got is None or got.utcoffset() == timedelta(0)


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=date(1980, 1, 1), max_value=date(2049, 12, 31)),
       st.sampled_from(["/{y}/{m:02d}/{d:02d}/", "/{y}-{m}-{d}-", "-{y}{m:02d}{d:02d}-",
                        "/{y}_{m:02d}_{d:02d}."]),
       st.from_regex(r"[a-z/\-]{0,10}", fullmatch=True))
def test_url_date_is_found_wherever_it_sits(day: date, pattern: str, tail: str) -> None:
    url = "https://news.example.org/section" + pattern.format(y=day.year, m=day.month,
                                                             d=day.day) + tail
    got = date_from_url(url)
    assert got == datetime(day.year, day.month, day.day, tzinfo=UTC)


@settings(max_examples=100, deadline=None)
@given(_instants)
def test_as_utc_is_idempotent_and_keeps_the_instant(dt: datetime) -> None:
    once = as_utc(dt)
    assert once == dt and as_utc(once) == once and once.utcoffset() == timedelta(0)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=8))
def test_date_from_text_never_returns_the_far_future(lines: list[str]) -> None:
    got = date_from_text(lines, lang=None, now=NOW)
    assert got is None or got <= NOW + timedelta(days=1)
