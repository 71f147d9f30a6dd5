"""Which network addresses a job feed may reach: the public internet only.

An admin types a feed URL, so without this check CodeDesk would fetch `http://127.0.0.1:…`,
`http://169.254.169.254/…` (cloud metadata) or `http://[::1]/…` for anyone who can add a feed, and
its error notices would map which internal ports are open. Every host is resolved and every address
it resolves to must be public, when the feed is added, on every fetch and on every redirect (the
check sits in the connection itself, so a redirect or a DNS answer that changes cannot slip past).
An operator may list hosts that are allowed anyway (`CODEDESK_FEED_ALLOW_HOSTS`)."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

Resolver = Callable[[str, int], list[str]]


class AddressRefused(Exception):
    """The host resolves to an address a feed must not reach, or does not resolve at all."""


def resolve(host: str, port: int) -> list[str]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is loopback too
    return not (ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_multicast or ip.is_reserved
                or ip.is_unspecified or not ip.is_global)


@dataclass(frozen=True)
class AddressPolicy:
    """Public addresses only, except the hosts the operator allows by name (or literal address)."""

    allow_hosts: frozenset[str] = frozenset()
    resolver: Resolver = resolve

    @classmethod
    def allowing(cls, hosts: Iterable[str]) -> AddressPolicy:
        return cls(frozenset(h.strip().lower().strip("[]") for h in hosts if h.strip()))

    def addresses(self, host: str, port: int) -> list[str]:
        """The addresses to connect to; raises AddressRefused (with words an admin understands, and
        the same words whether or not anything listens there)."""
        name = (host or "").strip().lower().strip("[]")
        if not name:
            raise AddressRefused("the feed address has no host name")
        try:
            found = self.resolver(name, port)
        except (OSError, UnicodeError):
            raise AddressRefused("the feed's host name does not resolve") from None
        if not found:
            raise AddressRefused("the feed's host name does not resolve")
        if name in self.allow_hosts:
            return found
        if not all(is_public(a) for a in found):
            raise AddressRefused("the feed address is inside a private network, which feeds may not reach")
        return found
