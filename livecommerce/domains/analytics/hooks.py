"""Analytics' port: who may read a host's analytics besides the host.

- `host_scope`: `async host_scope(conn, actor) -> host id | None`, the host whose analytics the
  actor may read (a host: itself; a host's staff: that host), filled in livecommerce/wiring.py by
  the domain that knows staff. Without it, only hosts read, their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from asyncpg import Connection

from livecommerce.infra.auth import Actor

HostScope = Callable[[Connection, Actor], Awaitable["int | None"]]


@dataclass(frozen=True, slots=True)
class AnalyticsHooks:
    host_scope: HostScope | None = None
