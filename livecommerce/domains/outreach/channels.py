"""One interface for every way a message leaves: the `Channel` protocol, what a channel is
given (`Outgoing`) and what it answers (`SendResult`), and the registry of the channels this
process may send on, by name.

Channel names are fixed: 'inbox', 'webpush', 'email', 'webhook', 'sms', 'sandbox'. The inbox
and the sandbox are here; the others live in their own modules and are registered at start-up
(`outreach/setup.py`). A channel that is not registered gets no deliveries: `reach` only
creates deliveries for registered channels.

A channel's `send` runs outside any transaction (it may talk to the network) and must not
raise for an ordinary failure: it answers `SendResult(False, error)` and the delivery is
'failed'. `delivered=True` means the far end took it (an SMTP 250, a push service 201);
`delivered=False` with no error means it left us and nobody will say more ('sent').
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

import structlog
from asyncpg import Connection

log = structlog.get_logger("outreach.channels")

NAMES = ("inbox", "webpush", "email", "webhook", "sms", "sandbox")
# Channels that need no consent: the inbox is the user's own page (nothing reaches them unless
# they open it), the sandbox records what would be sent (dev and test only).
CONSENT_FREE = frozenset({"inbox", "sandbox"})


@dataclass(frozen=True, slots=True)
class Outgoing:
    delivery_id: int
    user_id: int
    host_id: int | None
    channel: str
    title: str
    body: str
    url: str  # absolute, tracked (/o/{token}): records the click, then leads to the message's link
    unsubscribe_url: str  # absolute, signed (/u/{token}): works without login
    lang: str  # 'zh-CN' | 'en'


@dataclass(frozen=True, slots=True)
class SendResult:
    delivered: bool
    error: str = ""


class Channel(Protocol):
    name: str

    async def send(self, delivery: Outgoing) -> SendResult: ...


# A channel may also have `async def reachable(conn, user_id) -> bool` (no e-mail address, no
# push subscription: False). `reach` asks it, when present, before it makes a delivery for a
# consenting user, so "nowhere to send it" is no delivery rather than a failed one.
Reachable = Callable[[Connection, int], Awaitable[bool]]


class InboxChannel:
    """The in-app inbox. The delivery row is the inbox item, so sending is only saying so: the
    delivery job marks it delivered and, after COMMIT, pushes the new unread count to the user's
    open pages (outreach/inbox_push.py)."""

    name = "inbox"

    async def send(self, delivery: Outgoing) -> SendResult:
        return SendResult(delivered=True)


@dataclass
class SandboxChannel:
    """Records what it would send (dev and test): the deliveries are kept in memory, newest
    last, for tests and for a developer to read in the log."""

    name: str = "sandbox"
    limit: int = 1000

    def __post_init__(self) -> None:
        self.sent: list[Outgoing] = []

    async def send(self, delivery: Outgoing) -> SendResult:
        self.sent.append(delivery)
        del self.sent[: -self.limit]
        log.info("sandbox_send", delivery_id=delivery.delivery_id, title=delivery.title)
        return SendResult(delivered=True)


class Registry:
    """The channels of this process by name. Filled at start-up (outreach/setup.py) and by tests;
    `reach` and the delivery job read it."""

    def __init__(self) -> None:
        self._channels: dict[str, Channel] = {}

    def register(self, channel: Channel) -> None:
        if channel.name not in NAMES:
            raise ValueError(f"unknown channel {channel.name!r}")
        self._channels[channel.name] = channel

    def unregister(self, name: str) -> None:
        self._channels.pop(name, None)

    def get(self, name: str) -> Channel | None:
        return self._channels.get(name)

    def names(self) -> tuple[str, ...]:
        """Registered channels, in the fixed order of NAMES."""
        return tuple(n for n in NAMES if n in self._channels)

    def clear(self) -> None:
        self._channels.clear()


REGISTRY = Registry()
REGISTRY.register(InboxChannel())
