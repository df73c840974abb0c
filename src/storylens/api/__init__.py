"""The facade the CLI, the HTTP server and notebooks call: one function per thing a user
does, over a ``Store``. Presentation (terminal tables, HTML pages, JSON schemas) lives
in ``storylens.cli`` and ``storylens.server``; the stages live in their own packages.

    from storylens import api, open_store
    with open_store("news.db") as store:
        api.ingest(["samples/news-sample.jsonl"], store)
        api.cluster(store)
        events, total = api.list_stories(store, min_size=2)
        result = api.compare(store, events[0].members[0]["id"], events[0].members[1]["id"])
"""

from storylens.api.articles import (
    article_entities,
    get_article,
    list_articles,
    plain_words_query,
    resolve_article,
    search_articles,
)
from storylens.api.compare import compare, stored_links
from storylens.api.fetching import fetch
from storylens.api.ingestion import IngestReport, Progress, ingest, ingest_raw
from storylens.api.stories import (
    cluster,
    get_story,
    list_stories,
    search_stories,
    story_coverage,
)

__all__ = [
    "IngestReport",
    "Progress",
    "article_entities",
    "cluster",
    "compare",
    "fetch",
    "get_article",
    "get_story",
    "ingest",
    "ingest_raw",
    "list_articles",
    "list_stories",
    "plain_words_query",
    "resolve_article",
    "search_articles",
    "search_stories",
    "stored_links",
    "story_coverage",
]
