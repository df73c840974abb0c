"""robots.txt rules per site, cached with an expiry, in the process and (given a store)
across processes.

RFC 9309 §2.4: a crawler SHOULD NOT use a cached robots.txt for more than 24 hours. So
each site's answer (its rules, "no robots.txt", or "unreachable") is kept with the time
it was fetched: a long ``storylens watch`` asks the site again once a day, and with a
``RobotsStore`` (the store) a ``watch --once`` run from cron every few minutes asks at
most once a day too, instead of every run. An unreachable robots.txt (5xx, 429, no
answer) means the whole site is off limits (RFC 9309 §2.3.1.4), but only for a short
``retry`` (15 minutes by default), so a passing outage does not stop a site for a day,
and a struggling one is not asked again for every page meanwhile. (RFC 9309's words: a
4xx robots.txt is "unavailable", everything allowed: our "none"; a 5xx or no answer is
"unreachable", everything disallowed.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol
from urllib.robotparser import RobotFileParser

from storylens.records_source import RobotsEntry

ROBOTS_AGENT = "storylens"
ROBOTS_TTL = 86_400.0
"""Seconds a fetched robots.txt (or its absence) is used before it is fetched again."""
ROBOTS_RETRY = 900.0
"""Seconds an unreachable robots.txt keeps its site off limits before it is asked again."""
DISALLOWED = "disallowed by the site's robots.txt"


class RobotsMemo(Protocol):
    """Where entries outlive the process (``Store`` is one)."""

    def get_robots(self, site: str) -> RobotsEntry | None: ...

    def put_robots(self, entry: RobotsEntry) -> None: ...


@dataclass(slots=True)
class SiteRules:
    """A site's entry, parsed once."""

    entry: RobotsEntry
    parser: RobotFileParser | None = None

    @staticmethod
    def of(entry: RobotsEntry) -> SiteRules:
        if entry.verdict != "rules":
            return SiteRules(entry)
        parser = RobotFileParser()
        parser.parse(entry.body.splitlines())
        return SiteRules(entry, parser)

    @property
    def unreachable(self) -> bool:
        return self.entry.verdict == "unreachable"

    def refusal(self, url: str) -> str:
        """Why ``url`` may not be fetched ("" when it may)."""
        if self.unreachable:
            return self.entry.body
        if self.parser is not None and not self.parser.can_fetch(ROBOTS_AGENT, url):
            return DISALLOWED
        return ""

    def crawl_delay(self) -> float | None:
        """The site's Crawl-delay for storylens, if it gives one."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(ROBOTS_AGENT)
        return None if delay is None else float(delay)


class RobotsCache:
    """Fresh ``SiteRules`` by site: from memory, else from ``memo``; ``put`` keeps a
    newly fetched entry in both. Entries are judged fresh by this cache's ``ttl`` and
    ``retry`` (seconds), whatever process stored them."""

    def __init__(self, memo: RobotsMemo | None, ttl: float, retry: float,
                 now: Callable[[], datetime]) -> None:
        self.memo = memo
        self.ttl, self.retry = timedelta(seconds=ttl), timedelta(seconds=retry)
        self.now = now
        self._held: dict[str, SiteRules] = {}

    def get(self, site: str) -> SiteRules | None:
        """The site's rules while fresh, else None (fetch them and ``put`` them)."""
        now = self.now()
        held = self._held.get(site)
        if held is not None and held.entry.fresh(now, self.ttl, self.retry):
            return held
        stored = self.memo.get_robots(site) if self.memo is not None else None
        if stored is None or not stored.fresh(now, self.ttl, self.retry):
            return None
        rules = self._held[site] = SiteRules.of(stored)
        return rules

    def put(self, entry: RobotsEntry) -> SiteRules:
        """Keep a newly fetched entry (in ``memo`` too); its parsed rules."""
        rules = self._held[entry.site] = SiteRules.of(entry)
        if self.memo is not None:
            self.memo.put_robots(entry)
        return rules
