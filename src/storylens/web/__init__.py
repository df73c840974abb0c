"""Web UI assets: Jinja2 templates and the static CSS/JS/icon the server ships itself.

Kept as package data (no CDN) so the UI works offline and under a strict CSP.
"""

from pathlib import Path

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"
