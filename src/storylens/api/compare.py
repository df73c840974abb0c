"""Compare two stored articles, reading what the store already knows.

The verdicts come from the stored cluster assignment when both articles are clustered,
so ``compare`` and ``stories`` never disagree; the pair model's probability is computed
from the stored representations (those linking used, with the store's document
frequencies). Enrichments and sentence vectors are read from the store when an earlier
compare or story page computed them, and kept there when they are new.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from storylens.api.articles import resolve_article
from storylens.records import Article
from storylens.store.base import Store

if TYPE_CHECKING:
    from storylens.compare.pair import Comparison, StoredLinks

def compare(store: Store, a: str | Article, b: str | Article, *,
            embedder: str | None = None) -> Comparison:
    """Compare two articles given as stored ``Article``s or as references that
    ``resolve_article`` understands (id, id prefix, file, URL)."""
    from storylens.compare.pair import compare_articles

    art_a = a if isinstance(a, Article) else resolve_article(store, a)
    art_b = b if isinstance(b, Article) else resolve_article(store, b)
    return compare_articles(art_a, art_b, embedder=embedder,
                            stored=stored_links(store, art_a, art_b), store=store)


def stored_links(store: Store, a: Article, b: Article) -> StoredLinks:
    """The pair's cluster assignments and, when linking stored them, its
    representations and the store's document frequencies."""
    from storylens.compare.pair import StoredLinks
    from storylens.link.service import LINK_EMBEDDER, embedder_name, repr_key
    from storylens.represent.base import get_embedder
    from storylens.represent.lexical import DocFreq

    name = embedder_name(store.get_setting(LINK_EMBEDDER))
    assigned = (store.article_assignment(a.id), store.article_assignment(b.id))
    try:
        key = repr_key(name, get_embedder(name))
    except Exception:  # an unavailable embedder: compare falls back to the hashing models
        return StoredLinks(name, None, None, assigned)
    reps = store.get_reprs([a.id, b.id], key)
    if a.id in reps and b.id in reps:
        return StoredLinks(name, (reps[a.id][1], reps[b.id][1]), None, assigned)
    return StoredLinks(name, None, DocFreq(*store.load_docfreq()), assigned)
