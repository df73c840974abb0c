"""Render the web UI's Jinja2 templates into responses.

Autoescaping is on for every template whatever its name, and undefined variables are
errors, so a typo cannot silently print nothing and article text is always escaped.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.responses import HTMLResponse

from storylens import __version__
from storylens.server.page_cache import Page
from storylens.web import TEMPLATES_DIR

HTML = "text/html; charset=utf-8"

NAV_LINKS: list[tuple[str, str]] = [("Stories", "/"), ("Articles", "/articles"),
                                     ("Compare", "/compare"), ("Sources", "/sources"),
                                     ("API", "/docs")]
"""Header navigation as (label, path)."""


def _date(value: datetime | None, fmt: str = "%Y-%m-%d") -> str:
    return value.strftime(fmt) if value else "—"


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def inline_code(text: str) -> Markup:
    """Escape ``text`` and show its `backticked` spans as ``<code>``: the only markup the
    API descriptions use. Every part is escaped, so no input can add other tags."""
    out = Markup("")
    for i, part in enumerate(str(text).split("`")):
        out += Markup("<code>{}</code>").format(part) if i % 2 else escape(part)
    return out


def safe_href(url: str | None) -> str | None:
    """``url`` if it is an absolute http(s) URL, else ``None``: input URLs become links
    only when following them cannot run script (no ``javascript:``, ``data:``...)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def query_url(path: str, **params: object) -> str:
    """``path`` plus the ``params`` that are not ``None`` or empty, URL-encoded."""
    kept = {k: str(v) for k, v in params.items() if v is not None and v != ""}
    return f"{path}?{urlencode(kept)}" if kept else path


_env = Environment(
    loader=FileSystemLoader(str(TEMPLATES_DIR)),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_env.filters["date"] = _date
_env.filters["iso"] = _iso
_env.filters["code"] = inline_code
_env.globals.update(nav_links=NAV_LINKS, version=__version__, safe_href=safe_href,
                    query_url=query_url)


def render(template: str, **context: Any) -> str:
    """Render ``template`` with ``context``. Templates extend ``base.html``, which reads
    ``page_title`` and ``nav_active`` (both optional)."""
    context.setdefault("page_title", "storylens")
    context.setdefault("nav_active", "")
    return _env.get_template(template).render(**context)


def render_html(template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """``render`` as a response."""
    return HTMLResponse(render(template, **context), status_code=status_code)


def render_page(template: str, **context: Any) -> Page:
    """``render`` as a ``Page`` for the page cache."""
    return Page(render(template, **context).encode("utf-8"), HTML)
