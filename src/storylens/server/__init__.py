"""``storylens serve``: the JSON HTTP API under ``/api/v1`` and the server-rendered web UI.

Layout, so later features plug in as new modules: ``app.py`` builds the app from the
routers listed in ``ROUTERS``; ``deps.py`` gives routes their config and a per-request
store; ``errors.py`` makes every error one JSON (or HTML) shape; ``security.py`` holds
auth, headers and the body-size limit; ``templating.py`` renders ``storylens/web``
templates.
"""

from storylens.server.app import create_app

__all__ = ["create_app"]
