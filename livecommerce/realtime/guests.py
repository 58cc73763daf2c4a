"""Who a room counts, and limits, once: a user by id, a guest by an id the server signed.

A guest id is `<random>.<mac>`: 15 random bytes and the first 15 bytes of an HMAC-SHA256 of them
under a key derived from the app's secret key, each in unpadded URL-safe base64 (20 + 1 + 20
characters). The server hands one out at the socket handshake (cookie `lc_guest`, and `guestId` in
the snapshot for the page to send back as `?guest=`); an id it did not sign counts for nothing.

A guest without a valid id counts once per client address (an IPv6 one per /64): sixty made-up
ids from one machine are one viewer, and a household or an office behind one address is
undercounted until its guests come back with their own ids, the honest side to err on. Minting
ids costs a handshake each, and an address gets a few before it waits (`IssueBudget`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
from collections.abc import Mapping
from typing import Any

from livecommerce.realtime.limits import TokenBucket

COOKIE = "lc_guest"
COOKIE_MAX_AGE = 365 * 24 * 3600
ADDRESS_PREFIX = "a:"  # the viewer id of a guest without a valid id: its client address
_RAW = 15  # bytes of randomness and of MAC: 120 bits each, 20 base64 characters each
_PART = 20
_LENGTH = 2 * _PART + 1
_ALPHABET = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
# Rooms served by an app without a secret (the realtime tests' minimal apps): valid in this
# process only.
_PROCESS_SECRET = secrets.token_bytes(32)


def _b64(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


class GuestIds:
    """Issues and checks signed guest ids."""

    __slots__ = ("_key",)

    def __init__(self, secret: str | bytes | None) -> None:
        if isinstance(secret, str):
            secret = secret.encode()
        # A key of its own: a guest id never doubles as a MAC of anything else signed with it.
        self._key = hmac.new(
            secret or _PROCESS_SECRET, b"livecommerce guest id v1", "sha256"
        ).digest()

    def _mac(self, random_part: bytes) -> bytes:
        return _b64(hmac.new(self._key, random_part, hashlib.sha256).digest()[:_RAW])

    def issue(self) -> str:
        random_part = _b64(secrets.token_bytes(_RAW))
        return (random_part + b"." + self._mac(random_part)).decode()

    def valid(self, value: str) -> bool:
        raw = value.encode("latin-1", "replace")
        if (
            len(raw) != _LENGTH
            or raw[_PART : _PART + 1] != b"."
            or not _ALPHABET.issuperset(raw[:_PART] + raw[_PART + 1 :])
        ):
            return False
        return hmac.compare_digest(self._mac(raw[:_PART]), raw[_PART + 1 :])


def viewer_id(guest_id: str) -> str:
    """The id unique viewers count for a valid guest id (its random part: the MAC adds nothing)."""
    return "g:" + guest_id[:_PART]


def capped(viewer: str) -> bool:
    """Whether the socket cap applies: users and signed guests yes; an address is many people."""
    return not viewer.startswith(ADDRESS_PREFIX)


def client_address(scope: Mapping[str, Any]) -> str:
    """The client's address as the server sees it (uvicorn applies trusted X-Forwarded-For):
    IPv6 by its /64, which one subscriber gets whole and can walk through."""
    client = scope.get("client")
    host = str(client[0]) if client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host or "unknown"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False).network_address) + "/64"
    return str(address)


def presented(query_string: bytes, cookie_header: bytes | None) -> list[str]:
    """The guest ids a handshake carries: `?guest=` first (the page's own), then the cookie."""
    found: list[str] = []
    for pair in query_string.split(b"&"):
        name, _, value = pair.partition(b"=")
        if name == b"guest" and value:
            found.append(value.decode("latin-1"))
            break
    for item in (cookie_header or b"").split(b";"):
        name, _, value = item.strip().partition(b"=")
        if name == COOKIE.encode() and value:
            found.append(value.strip(b'"').decode("latin-1"))
            break
    return found


def set_cookie(guest_id: str, secure: bool) -> tuple[bytes, bytes]:
    """The handshake response header that keeps an issued id in the browser (the page reads it
    from the snapshot, so HttpOnly)."""
    value = f"{COOKIE}={guest_id}; Max-Age={COOKIE_MAX_AGE}; Path=/; SameSite=Lax; HttpOnly"
    return b"set-cookie", (value + ("; Secure" if secure else "")).encode()


class IssueBudget:
    """Fresh guest ids per client address in this process: a burst, then a slow refill. Past it a
    guest still watches; it just keeps counting as its address."""

    __slots__ = ("_buckets", "_max", "burst", "rate")

    def __init__(self, rate: float, burst: float, max_addresses: int = 10_000) -> None:
        self.rate = rate
        self.burst = burst
        self._max = max_addresses
        self._buckets: dict[str, TokenBucket] = {}

    def take(self, address: str, now: float) -> bool:
        bucket = self._buckets.get(address)
        if bucket is None:
            if len(self._buckets) >= self._max:
                # Forget the oldest tenth (insertion order): an address seen that long ago has
                # mostly refilled anyway.
                for stale in list(self._buckets)[: self._max // 10 or 1]:
                    del self._buckets[stale]
            bucket = self._buckets[address] = TokenBucket(self.rate, self.burst, now)
        return bucket.take(now)

    def clear(self) -> None:
        self._buckets.clear()
