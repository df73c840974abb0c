"""``server.params``: ASCII integers within bounds, ISO dates within years 1000-9000 and the
whole-day end bound, on hand-picked hostile values and with hypothesis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storylens.server.params import MAX_YEAR, MIN_YEAR, day_end, form_int, iso_datetime


@pytest.mark.parametrize(("value", "lo", "hi", "out"), [
    ("5", 1, 10, 5), (" 7 ", 1, 10, 7), ("1", 1, 10, 1), ("10", 1, 10, 10),
    ("0", 1, 10, None), ("11", 1, 10, None), ("007", 0, 10, 7),
    ("²", 0, 10, None), ("٣", 0, 10, None), ("-1", -5, 5, None), ("+1", 0, 5, None),
    ("1.0", 0, 5, None), ("1e3", 0, 5000, None), ("", 0, 5, None), ("  ", 0, 5, None),
    ("1 000", 0, 5000, None), ("9" * 12, 0, 10**13, 10**12 - 1), ("9" * 13, 0, 10**14, None),
    ("0x10", 0, 100, None),
])
def test_form_int(value: str, lo: int, hi: int, out: int | None) -> None:
    assert form_int(value, lo, hi) == out


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=20), st.integers(-10, 10), st.integers(0, 10**6))
def test_form_int_never_raises_and_stays_in_bounds(value: str, lo: int, span: int) -> None:
    hi = lo + span
    n = form_int(value, lo, hi)
    if n is not None:
        assert lo <= n <= hi
        assert value.strip().isascii() and value.strip().isdigit()
        assert n == int(value.strip())


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 10**12 - 1), st.sampled_from(["", " ", "\t"]))
def test_form_int_accepts_every_ascii_integer_in_range(n: int, pad: str) -> None:
    assert form_int(f"{pad}{n}{pad}", 0, 10**12) == n


@pytest.mark.parametrize(("value", "want"), [
    ("2022-10-24", datetime(2022, 10, 24)),
    ("2022-10-24T08:00:00Z", datetime(2022, 10, 24, 8, tzinfo=UTC)),
    (" 2022-10-24T08:00:00+02:00 ", datetime(2022, 10, 24, 6, tzinfo=UTC)),
    ("1000-01-01", datetime(1000, 1, 1)),
    ("9000-12-31T23:59:59+00:00", datetime(9000, 12, 31, 23, 59, 59, tzinfo=UTC)),
])
def test_iso_datetime_accepts(value: str, want: datetime) -> None:
    assert iso_datetime(value) == want


@pytest.mark.parametrize(("value", "reason"), [
    ("24/10/2022", "not an ISO 8601 date"), ("yesterday", "not an ISO 8601 date"),
    ("", "not an ISO 8601 date"), ("2022-13-01", "not an ISO 8601 date"),
    ("0001-01-01", "between 1000 and 9000"), ("9999-12-31T23:59:59-12:00", "between"),
    ("0999-12-31", "between"), ("9001-01-01", "between"),
])
def test_iso_datetime_refuses_with_a_reason(value: str, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        iso_datetime(value)


@settings(max_examples=50, deadline=None)
@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31),
                    timezones=st.none() | st.just(UTC)))
def test_accepted_dates_survive_day_arithmetic(when: datetime) -> None:
    try:
        got = iso_datetime(when.isoformat())
    except ValueError:
        assert not MIN_YEAR <= when.year <= MAX_YEAR
        return
    assert got == when
    day_end(got, when.isoformat())  # never overflows within the bounds
    got.astimezone(UTC)


def test_day_end_counts_a_plain_day_whole() -> None:
    d = iso_datetime("2020-01-31")
    assert day_end(d, "2020-01-31") == d + timedelta(days=1)
    assert day_end(d, " 2020-01-31 ") == d + timedelta(days=1)
    t = iso_datetime("2020-01-31T10:00:00")
    assert day_end(t, "2020-01-31T10:00:00") == t, "a time is taken as given"


def test_api_refuses_hostile_paging_with_422(tmp_path: object) -> None:
    """The typed layer as the HTTP API applies it: bad values are 422s naming the field,
    never 500s."""
    from pathlib import Path

    from storylens.server import create_app
    from tests.browser.serverproc import TestClient

    db = Path(str(tmp_path)) / "s.db"
    with TestClient(create_app(db, token=None, allow_no_auth=False)) as c:
        for params in ({"limit": "²"}, {"offset": "9" * 40}, {"since": "0001-01-01"},
                       {"until": "not a date"}):
            r = c.get("/api/v1/articles", params=params)
            assert r.status_code == 422, (params, r.text)
            assert r.json()["error"]["code"], r.json()
        assert c.get("/api/v1/articles", params={"limit": "5", "since": "2022-01-01"}
                     ).status_code == 200
