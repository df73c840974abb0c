"""Which addresses storylens may connect to, checked on the very address it connects to.

A URL is attacker-controlled input (a feed lists it, a redirect points to it), so a
host that resolves to a loopback, private, link-local (cloud metadata at
169.254.169.254), multicast, reserved or unspecified address is refused unless the
user listed that host or a network containing the address (``STORYLENS_ALLOW_HOSTS``,
``--allow-host``). The check runs inside the connection itself (``GuardedBackend``):
the name is resolved once, every address checked, and the socket opened to a checked
address, so DNS answers that change between a check and the connection (rebinding)
gain nothing.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpcore

from storylens.errors import ConfigError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


class BlockedAddress(Exception):
    """A connection refused because of where the host resolves to (or fails to)."""


_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries and may be routed to: IPv4-mapped
    (``::ffff:a.b.c.d``), 6to4 (``2002:AABB:CCDD::``), Teredo (the client) and NAT64
    (``64:ff9b::a.b.c.d``). A relay or gateway on the path turns these into
    connections to the IPv4 address, so that address is the one checked."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def blocked_kind(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public address (``"private"``, ``"loopback"``...), or None.
    An IPv6 address carrying an IPv4 one (mapped, 6to4, Teredo, NAT64) is judged by
    the IPv4 address it carries."""
    if isinstance(ip, ipaddress.IPv6Address):
        inner = embedded_ipv4(ip)
        if inner is not None:
            ip = inner
    for kind, hit in (("loopback", ip.is_loopback), ("link-local", ip.is_link_local),
                      ("multicast", ip.is_multicast), ("unspecified", ip.is_unspecified),
                      ("reserved", ip.is_reserved), ("private", ip.is_private),
                      ("non-global", not ip.is_global)):
        if hit:
            return kind
    return None


@dataclass(frozen=True, slots=True)
class AllowList:
    """Hosts (by name or literal address) and networks the user allows even when they
    are not public."""

    hosts: frozenset[str] = frozenset()
    networks: tuple[IPNetwork, ...] = field(default_factory=tuple)

    @classmethod
    def parse(cls, entries: Iterable[str]) -> AllowList:
        """Comma-separated hosts or CIDRs (several strings allowed); raises
        ``ConfigError`` naming a malformed entry."""
        hosts: set[str] = set()
        nets: list[IPNetwork] = []
        for chunk in entries:
            for raw in (chunk or "").split(","):
                entry = raw.strip().lower().strip("[]")
                if not entry:
                    continue
                if "/" in entry:
                    try:
                        nets.append(ipaddress.ip_network(entry, strict=False))
                    except ValueError:
                        raise ConfigError(f"allowed host {raw.strip()!r}: not a network "
                                          "(write e.g. 10.0.0.0/8)") from None
                elif any(c.isspace() or c in "/?#@" for c in entry):
                    raise ConfigError(f"allowed host {raw.strip()!r}: not a host name")
                else:
                    hosts.add(entry)
        return cls(frozenset(hosts), tuple(nets))

    def allows_host(self, host: str) -> bool:
        return host.lower().strip("[]").rstrip(".") in self.hosts

    def allows_ip(self, ip: IPAddress) -> bool:
        return str(ip) in self.hosts or any(ip in n for n in self.networks)


def resolve_checked(host: str, port: int, allow: AllowList) -> list[str]:
    """The addresses of ``host`` that may be connected to, all of them checked. Raises
    ``BlockedAddress`` with a one-line reason when the name does not resolve or any
    address is not public and not allowed (one bad address refuses the host: a name
    that also points inside is not fetched)."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, OSError) as e:
        raise BlockedAddress(f"DNS lookup of {host} failed "
                             f"({getattr(e, 'strerror', None) or e})") from None
    addrs: list[str] = []
    for info in infos:
        addr = str(info[4][0]).split("%", 1)[0]
        if addr not in addrs:
            addrs.append(addr)
    if not addrs:
        raise BlockedAddress(f"DNS lookup of {host} found no address")
    if allow.allows_host(host):
        return addrs
    for addr in addrs:
        ip = ipaddress.ip_address(addr)
        kind = blocked_kind(ip)
        if kind and not allow.allows_ip(ip):
            shown = host if host == addr else f"{host} resolves to {addr}, which"
            raise BlockedAddress(
                f"{shown} is a {kind} address; refused (allow it with --allow-host "
                f"{host} or STORYLENS_ALLOW_HOSTS)")
    return addrs


class GuardedBackend(httpcore.SyncBackend):
    """httpcore's network backend with the address check on every new connection."""

    def __init__(self, allow: AllowList) -> None:
        self.allow = allow

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        last: Exception | None = None
        for addr in resolve_checked(host, port, self.allow):
            try:
                return super().connect_tcp(addr, port, timeout=timeout,
                                           local_address=local_address,
                                           socket_options=socket_options)
            except httpcore.ConnectError as e:  # try the host's next address
                last = e
        assert last is not None
        raise last
