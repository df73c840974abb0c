"""Finding articles: list with filters, get by id, resolve whatever a user typed."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from storylens.errors import NotFoundError, StoreError
from storylens.records import Article
from storylens.store.base import ArticleQuery, Store

if TYPE_CHECKING:
    from storylens.enrich.entities import Mention

_WORD = re.compile(r"\w+")


def list_articles(store: Store, query: ArticleQuery) -> list[Article]:
    """Articles matching ``query``, newest first."""
    return store.list_articles(query)


def search_articles(store: Store, query: ArticleQuery, *, lenient: bool = False
                    ) -> tuple[list[Article], int, ArticleQuery]:
    """The page of articles for ``query``, the total, and the query actually run.

    ``query.search`` is full-text syntax. A malformed one raises ``StoreError``; with
    ``lenient`` (people typing in a search box) it is retried as its plain words.
    """
    try:
        return store.list_articles(query), store.count_articles(query), query
    except StoreError:
        if not query.search or not lenient:
            raise
    plain = replace(query, search=plain_words_query(query.search))
    if not plain.search:
        return [], 0, plain
    return store.list_articles(plain), store.count_articles(plain), plain


def plain_words_query(text: str) -> str:
    """``text`` as a query matching all its words, each quoted so no character of the
    input is read as query syntax."""
    return " ".join(f'"{w}"' for w in _WORD.findall(text))


def get_article(store: Store, id_or_prefix: str) -> Article:
    """One article by id or unique id prefix; raises ``NotFoundError``."""
    return store.get_article(id_or_prefix)


def resolve_article(store: Store, ref: str) -> Article:
    """An article by id, id prefix, ingested file path (as given or resolved), JSONL file
    (when it holds one article) or URL.

    Raises ``NotFoundError`` with a one-line message when nothing matches, when the
    reference matches several articles, or when a file exists but was never ingested.
    """
    try:
        return store.get_article(ref)
    except NotFoundError as e:
        first_error = e
    candidates = [ref]
    p = Path(ref)
    exists = _exists(p)
    if exists:
        candidates += [str(p), p.as_posix(), str(p.absolute()), str(p.resolve())]
    ids = store.find_articles(candidates, limit=2)
    if not ids and exists and p.is_file():
        ids = _ids_by_content(store, p)
    if len(ids) > 1:
        raise NotFoundError(f"{ref}: matches several stored articles; give an id")
    if ids:
        return store.get_article(ids[0])
    if exists:
        raise NotFoundError(f"{ref}: this file is not ingested yet (storylens ingest {ref})")
    raise first_error


def _ids_by_content(store: Store, p: Path) -> list[str]:
    """Stored articles read from this file's content: ids hash the content, not the
    path, so a file ingested from another folder (or a copy of it) is recognised."""
    from storylens.ingest.files import read_inputs
    from storylens.records import RawDoc, article_id

    ids = [article_id(it) for it in read_inputs([str(p)]) if isinstance(it, RawDoc)]
    found = store.existing_ids(ids)
    return [i for i in dict.fromkeys(ids) if i in found][:2]


def _exists(p: Path) -> bool:
    try:
        return p.exists()
    except (OSError, ValueError):
        return False


def article_entities(store: Store, article: Article) -> list[Mention]:
    """Entity mentions of ``article.text`` (offsets into it), read from the store when
    computed before, else enriched now and kept (an empty list when enrichment fails)."""
    from storylens.compare.analysis import AnalysisCache

    en = AnalysisCache(max_vectors=0, max_enrichments=1).enrichments(
        [article.text], [article.lang], store)[0]
    return list(en.entities) if en is not None else []
