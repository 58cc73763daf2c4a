"""What this process remembers of the auth checks Redis answered, so a request whose token was
checked a moment ago costs no Redis round trip (in a red-packet storm the grab script is then
the request's only one).

Remembered: a token (by its `jti`) that Redis said is not revoked and that no platform ban
refuses, with the user's roles, for MAX_AGE at most. Each of those answers can only change by a
write that is announced: a logout (`auth.revoke`), a role change (`auth.publish_roles`) and a
ban (admin/bans.py, on `bans.CHANNEL`) write Redis first, then the process that made the change
forgets the user's answers before it replies, and announces the user's id; every api process
listens (`listen`, its own pub/sub connection) and forgets them too. An unban, and time going
by, only ever turn a refusal into an acceptance, and refusals are never remembered.

- Pub/sub loses messages only with its connection: nothing is remembered until the listener
  has heard its own probe come back on the subscription (so it is really subscribed), and
  everything is forgotten whenever the subscription ends. Meanwhile every request asks Redis,
  as it did before this memory existed.
- An answer read from Redis before a change but stored after its announcement would outlive the
  change: a ticket taken before the read must be newer than the user's last change.
- MAX_AGE bounds what a message lost without losing the connection could cost (a cluster
  node's failover); the ban mirror's rebuild (infra/bans.py `remirror`) is bounded by it too.
- One memory per Redis client (per app), kept on the client, like the promotion scripts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import structlog
from redis.exceptions import RedisError

from livecommerce.infra import redis as redis_infra

log = structlog.get_logger("auth.memory")

CHANNEL = "platform:auth_changed"  # data: the user's id, or a listener's probe ("probe:...")
MAX_AGE = 10.0  # seconds an answer is trusted without hearing of a change
MAX_ANSWERS = 50_000  # tokens; past it everything is forgotten at once (cheap, and rare)
MAX_CHANGED = 100_000  # users with a change heard; likewise
_ATTR = "_livecommerce_auth_memory"


@dataclass(frozen=True, slots=True)
class Answer:
    # The verified token object itself (auth.py keeps one per encoded token): another token with
    # the same jti (a test's, a forger's without the key) is never mistaken for it.
    token: Any
    actor: Any  # infra/auth.py Actor (imported there; this module sits below it)
    ticket: int
    expires: float  # time.monotonic()


@dataclass
class AuthMemory:
    listening: bool = False
    clock: int = 0  # bumped by every change heard and every flush
    flushed_at: int = 0
    changed_at: dict[int, int] = field(default_factory=dict)  # user id -> clock of its change
    answers: dict[str, Answer] = field(default_factory=dict)  # jti -> answer
    probe: str = ""

    def ticket(self) -> int:
        """Taken before Redis is asked; an answer is kept only under it."""
        return self.clock

    def recall(self, jti: str, token: Any, user_id: int) -> Any | None:
        """The actor Redis accepted for this token, when nothing may have changed since."""
        if not self.listening:
            return None
        answer = self.answers.get(jti)
        if answer is None or answer.token is not token:
            return None
        if (
            answer.actor.id != user_id
            or answer.expires <= time.monotonic()
            or answer.ticket < self.flushed_at
            or answer.ticket < self.changed_at.get(user_id, 0)
        ):
            self.answers.pop(jti, None)
            return None
        return answer.actor

    def remember(self, jti: str, token: Any, actor: Any, ticket: int) -> None:
        if not self.listening or ticket < self.flushed_at:
            return
        if ticket < self.changed_at.get(actor.id, 0):
            return  # the user changed while Redis was being asked: that answer may be stale
        if len(self.answers) >= MAX_ANSWERS:
            self.answers.clear()
        self.answers[jti] = Answer(token, actor, ticket, time.monotonic() + MAX_AGE)

    def forget_user(self, user_id: int) -> None:
        self.clock += 1
        if len(self.changed_at) >= MAX_CHANGED:
            self.flush()
        self.changed_at[user_id] = self.clock

    def flush(self) -> None:
        self.clock += 1
        self.flushed_at = self.clock
        self.answers.clear()
        self.changed_at.clear()

    def stop(self) -> None:
        self.listening = False
        self.flush()

    def heard(self, data: bytes | str) -> None:
        text = data.decode() if isinstance(data, bytes) else data
        if text.startswith("probe:"):
            if text == self.probe:  # our subscription is live: nothing from now on is missed
                self.flush()
                self.listening = True
            return
        try:
            self.forget_user(int(text))
        except ValueError:
            log.warning("auth_change_unreadable", data=text[:100])


def memory_of(redis: Any) -> AuthMemory | None:
    """The memory of this client's app, or None when no listener was started for it."""
    found = getattr(redis, _ATTR, None)
    return found if isinstance(found, AuthMemory) else None


def forget_here(redis: Any, user_id: int) -> None:
    """This process forgets the user's answers (its own change, before it replies)."""
    memory = memory_of(redis)
    if memory is not None:
        memory.forget_user(user_id)


async def announce(redis: Any, user_id: int) -> None:
    """After the change is in Redis: forget here at once, then tell every other process."""
    forget_here(redis, user_id)
    await redis_infra.publish(redis, CHANNEL, str(user_id))


def _ban_user(data: bytes | str) -> int | None:
    try:
        return int(json.loads(data)["userId"])
    except (ValueError, KeyError, TypeError):
        return None


async def _follow(redis: Any, memory: AuthMemory, ban_channel: str) -> None:
    pubsub = redis_infra.pubsub(redis, ignore_subscribe_messages=True)
    try:
        await pubsub.subscribe(CHANNEL, ban_channel)
        memory.probe = f"probe:{secrets.token_hex(8)}"
        await redis_infra.publish(redis, CHANNEL, memory.probe)
        while True:
            message = await pubsub.get_message(timeout=1.0)
            if message is None or message.get("type") != "message":
                continue
            channel = message["channel"]
            channel = channel.decode() if isinstance(channel, bytes) else channel
            if channel == CHANNEL:
                memory.heard(message["data"])
                continue
            user_id = _ban_user(message["data"])
            if user_id is None:
                memory.flush()  # a ban we can't read: forget everyone rather than miss it
            else:
                memory.forget_user(user_id)
    finally:
        memory.stop()  # before anything else: a change may go unheard from now on
        with contextlib.suppress(RedisError, OSError):
            await pubsub.aclose()


async def listen(redis: Any, memory: AuthMemory, ban_channel: str) -> None:
    while True:
        try:
            await _follow(redis, memory, ban_channel)
        except asyncio.CancelledError:
            raise
        except (RedisError, OSError) as exc:
            log.warning("auth_memory_reconnecting", error=str(exc))
            await asyncio.sleep(0.5)
        except Exception:
            log.exception("auth_memory_listener_failed")
            await asyncio.sleep(0.5)


def start(redis: Any, ban_channel: str) -> asyncio.Task[None]:
    """Attach a memory to this client and keep it in step with every process's changes (ours,
    and the bans announced on `ban_channel` as `{"userId": ...}`)."""
    memory = AuthMemory()
    setattr(redis, _ATTR, memory)
    return asyncio.create_task(listen(redis, memory, ban_channel), name="auth-memory")


async def stop(redis: Any, task: asyncio.Task[None] | None) -> None:
    memory = memory_of(redis)
    if memory is not None:
        memory.stop()
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
