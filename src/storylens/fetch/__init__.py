"""Fetching from the web, safely and politely: the only part of storylens that opens
network connections, and only when the user asks (``storylens fetch``, ``sources``,
``watch``).

- ``safety``: which addresses may be connected to (no loopback, private, link-local,
  multicast or reserved address unless allowed), checked on the address actually used;
- ``client``: the ``Fetcher`` (limits, robots.txt, per-host delay, retries, conditional
  GET, bounded decompression);
- ``urls``: URL normalisation, so a URL already stored is recognised and not refetched;
- ``sources``: feeds, sitemaps and feed discovery from a home page.
"""
