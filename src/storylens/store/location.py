"""Store locations: a file path or a database URL, and how messages show a URL (never
with its password). Free of any driver import, so SQLite users load nothing extra."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def url_scheme(location: str | Path) -> str | None:
    """The lower-cased scheme when ``location`` is a URL (``scheme://...``), else None."""
    m = _SCHEME.match(str(location))
    return m.group(1).lower() if m else None


def redact(location: str | Path) -> str:
    """``location`` as a message may show it: a URL's password (``user:password@`` or a
    ``password=`` parameter) replaced by ``***``; a file path unchanged."""
    loc = str(location)
    if url_scheme(loc) is None:
        return loc
    try:
        parts = urlsplit(loc)
    except ValueError:
        return re.sub(r"://[^@/]*@", "://***@", loc)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, host = netloc.rsplit("@", 1)
        if ":" in userinfo:
            netloc = f"{userinfo.split(':', 1)[0]}:***@{host}"
    query = re.sub(r"(?i)(^|&)(password)=[^&]*", r"\1\2=***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def secrets(location: str) -> list[str]:
    """The passwords written in a URL, to mask them in driver messages too."""
    try:
        parts = urlsplit(location)
        found = [parts.password] if parts.password else []
    except ValueError:
        return []
    found += re.findall(r"(?i)(?:^|&)password=([^&]+)", parts.query)
    return [s for s in found if s]
