"""Typed parsing of what arrives in query strings and forms, in one place: every value is
checked against its bounds here, so a hostile one becomes a 422 (API) or an ignored
value with a notice (pages), never an exception deeper down.

Why these checks: ``"²".isdigit()`` is true but ``int("²")`` fails; dates near year 1 or
9999 overflow once a timezone or a day is added; a 1,000-digit page number is a valid
integer that no store can offset by.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

MIN_YEAR, MAX_YEAR = 1000, 9000
"""Dates outside these years are refused: news is not dated there, and the bounds keep
timezone shifts and day arithmetic from overflowing."""
_ASCII_INT = re.compile(r"[0-9]{1,12}")


def form_int(value: str, lo: int, hi: int) -> int | None:
    """``value`` as an integer within ``[lo, hi]``, or None (ASCII digits only)."""
    v = value.strip()
    if not _ASCII_INT.fullmatch(v):
        return None
    n = int(v)
    return n if lo <= n <= hi else None


def iso_datetime(value: str) -> datetime:
    """An ISO 8601 date or datetime (``2022-10-24``, ``…T08:00:00Z``) between the years
    ``MIN_YEAR`` and ``MAX_YEAR``; raises ``ValueError`` with a reason otherwise."""
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        raise ValueError("not an ISO 8601 date; use e.g. 2022-10-24") from None
    if not MIN_YEAR <= when.year <= MAX_YEAR:
        raise ValueError(f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    return when


def day_end(when: datetime, value: str) -> datetime:
    """As an end bound a plain day counts whole (``until=2020-01-31`` includes that
    day), since people read a date picker that way."""
    return when + timedelta(days=1) if len(value.strip()) == 10 else when
