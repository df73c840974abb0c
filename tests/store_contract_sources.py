"""The web-sources part of the ``Store`` contract (``tests.store_contract.StoreContract``
inherits it): followed sources and their polling state, the fetch log's back-off, and the
robots.txt cache. Written against the protocol only, like the rest of the contract."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone

import pytest

from storylens.errors import NotFoundError
from storylens.records_source import RobotsEntry, Source
from storylens.store.base import Store

OpenStore = Callable[[], Store]
T0 = datetime(2022, 1, 1, tzinfo=UTC)


class SourcesContract:
    """Sources, fetch log and robots.txt cache; needs the ``store`` and
    ``open_store_fn`` fixtures and ``persistent`` of ``StoreContract``."""

    persistent: bool = True

    def test_sources_add_list_update_remove(self, store: Store) -> None:
        a = store.add_source(Source("https://x.org/feed.xml", "feed", T0, interval=600))
        b = store.add_source(Source("https://y.org/sitemap.xml", "sitemap", T0))
        assert a.id and b.id and a.id != b.id
        again = store.add_source(Source("https://x.org/feed.xml", "page", T0))
        assert again == a, "same URL: the stored source, unchanged"
        assert [s.url for s in store.list_sources()] == [a.url, b.url]
        assert a.next_due == T0
        polled = a.polled(T0 + timedelta(hours=1), "ok", 3, etag='"e1"')
        store.update_source(polled)
        got = store.get_source(a.id)
        assert (got.last_status, got.articles, got.etag, got.interval) == ("ok", 3, '"e1"', 600)
        assert got.last_fetch == T0 + timedelta(hours=1)
        assert got.next_due == T0 + timedelta(hours=1, minutes=10)
        store.update_source(got.polled(T0 + timedelta(hours=2), "not modified", 0))
        assert store.get_source(a.id).etag == '"e1"', "validators kept"
        assert store.remove_source(b.id).url == b.url
        assert [s.id for s in store.list_sources()] == [a.id]
        for call in (lambda: store.get_source(b.id), lambda: store.remove_source(b.id),
                     lambda: store.update_source(b)):
            with pytest.raises(NotFoundError, match=f"source {b.id}"):
                call()

    def test_fetch_log_backs_off_and_clears(self, store: Store) -> None:
        url, other = "https://x.org/a", "https://x.org/b"
        assert store.fetch_failures([url, other]) == {}
        first = store.record_fetch_failure(url, "HTTP 503 after 3 tries", T0, transient=True)
        assert (first.failures, first.retry_at, first.transient) == (
            1, T0 + timedelta(minutes=15), True)
        second = store.record_fetch_failure(url, "timed out", T0 + timedelta(hours=1),
                                            transient=True)
        assert second.failures == 2 and second.retry_at == T0 + timedelta(hours=1,
                                                                          minutes=30)
        dead = store.record_fetch_failure(other, "HTTP 404 Not Found", T0, transient=False)
        assert dead.retry_at == T0 + timedelta(days=1) and not dead.transient
        got = store.fetch_failures([url, other, "https://x.org/c"])
        assert got == {url: second, other: dead}
        store.clear_fetch_failures([url, "https://x.org/never-failed"])
        assert store.fetch_failures([url, other]) == {other: dead}
        for _ in range(12):  # capped: a dead link is still tried once a month
            dead = store.record_fetch_failure(other, "HTTP 404", T0, transient=False)
        assert dead.retry_at == T0 + timedelta(days=30)

    def test_robots_txt_entries_per_site(self, store: Store,
                                         open_store_fn: OpenStore) -> None:
        site, other = "https://x.org", "http://x.org:8080"
        assert store.get_robots(site) is None
        rules = RobotsEntry(site, "rules", T0, "User-agent: *\nDisallow: /a/\n")
        store.put_robots(rules)
        store.put_robots(RobotsEntry(other, "none", T0))
        assert store.get_robots(site) == rules
        paris = timezone(timedelta(hours=2))
        down = RobotsEntry(site, "unreachable", datetime(2022, 1, 1, 14, tzinfo=paris),
                           "robots.txt answered HTTP 503")
        store.put_robots(down)  # replaces the site's entry
        got = store.get_robots(site)
        assert got == down and got is not None and got.fetched_at == T0 + timedelta(hours=12)
        assert store.get_robots(other) == RobotsEntry(other, "none", T0)
        store.put_robots(RobotsEntry(site, "rules", T0, "User-agent: *\x00\nDisallow: /\n"))
        got = store.get_robots(site)
        assert got is not None and got.body == "User-agent: *\nDisallow: /\n", "NUL dropped"
        if self.persistent:
            with open_store_fn() as again:
                assert again.get_robots(other) == RobotsEntry(other, "none", T0)
