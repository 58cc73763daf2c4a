"""Distribution's port: what other domains do when a share link is visited.

- `clicked`: `async clicked(tx, link, visitor_id, guest_id)` runs in the visit's transaction,
  after the click row is written (`link` is the share_links row; `visitor_id` the logged-in
  visitor, else None; `guest_id` the signed guest id's viewer id, `g:...`, else None). Anything
  outside PostgreSQL goes in `tx.after_commit`.

Filled in `livecommerce/wiring.py`; distribution imports none of the domains that plug in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from asyncpg import Record

from livecommerce.infra.db import Tx

Clicked = Callable[[Tx, Record, "int | None", "str | None"], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class DistributionHooks:
    clicked: tuple[Clicked, ...] = ()
