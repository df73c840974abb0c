"""Publication dates: parse what the input gives, else find one in the URL or the text.

Every date comes with its provenance (``input``, ``html``, ``url``, ``text``) because a
date read from a page's metadata deserves more trust than "il y a 2 heures" read from its
text. All datetimes returned are timezone-aware (UTC when the input names no zone).
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta

_URL_DATE = re.compile(
    r"(?<!\d)(19[89]\d|20[0-4]\d)[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?!\d)"
)
_URL_COMPACT = re.compile(r"(?<!\d)(19[89]\d|20[0-4]\d)(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?!\d)")


def parse_date(value: str, *, lang: str | None = None, now: datetime | None = None
               ) -> datetime | None:
    """Parse a date string in ISO 8601 or any form dateparser reads ("21 avril 2020",
    "il y a 2 heures"); ``None`` when it is not a date."""
    value = value.strip()
    if not value:
        return None
    try:
        return as_utc(datetime.fromisoformat(value.replace("Z", "+00:00")))
    except ValueError:
        pass
    import dateparser

    settings: dict[str, object] = {"RETURN_AS_TIMEZONE_AWARE": True, "TIMEZONE": "UTC"}
    if now is not None:
        # dateparser works in naive UTC here: convert before dropping the zone.
        settings["RELATIVE_BASE"] = as_utc(now).replace(tzinfo=None)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            dt = dateparser.parse(value, languages=[lang] if lang else None, settings=settings)
        except Exception:  # dateparser raises assorted errors on odd input
            dt = None
    return as_utc(dt) if dt else None


def date_from_url(url: str | None) -> datetime | None:
    """A date written in a URL path (``/2022/10/24/``, ``-20221024-``), if any."""
    if not url:
        return None
    for rx in (_URL_DATE, _URL_COMPACT):
        m = rx.search(url)
        if m:
            try:
                return datetime(int(m[1]), int(m[2]), int(m[3]), tzinfo=UTC)
            except ValueError:
                continue
    return None


_TEXT_DATE_HINT = re.compile(
    r"\b(19[89]\d|20[0-4]\d)\b|\d{1,2}[./]\d{1,2}[./]\d{2,4}|\b\d+\s*\w{0,3}\s*(h|min|hours?|"
    r"heures?|stunden?|horas?|godz|saat|minutes?|jours?|days?|tage?|días?)\b",
    re.IGNORECASE,
)


def date_from_text(lines: list[str], *, lang: str | None, now: datetime) -> datetime | None:
    """A dateline in the first or last short lines of the text ("Publié il y a 2 heures",
    "21.04.2020, 10:17 Uhr"); only short lines with a date-like token are tried, so the
    story's own dates in its sentences are not mistaken for the publication date."""
    edges = lines[:4] + lines[-3:]
    candidates = [ln for ln in edges if len(ln) <= 60 and _TEXT_DATE_HINT.search(ln)]
    for ln in candidates:
        dt = parse_date(_strip_label(ln), lang=lang, now=now)
        if dt and dt <= now + timedelta(days=1):
            return dt
    return None


def _strip_label(line: str) -> str:
    return re.sub(r"^\s*(published|updated|publié|mis à jour|veröffentlicht|publicado|"
                  r"aktualisiert|posted)\s*(le|on|am|el)?\s*:?\s*", "", line, flags=re.I)


def as_utc(dt: datetime) -> datetime:
    """Make ``dt`` timezone-aware in UTC (naive datetimes are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)
