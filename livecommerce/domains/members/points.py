"""Member points: what a buyer holds with one host, available (may be spent) and frozen (earned
by a completed order, spendable once its freeze ends); and each host's points settings.

Points are ledger balances, not money: accounts `pts:{host}` (available) and `ptf:{host}`
(frozen) of the member, issued from the host's `points_issuer` account (derived balance, may go
negative: minus the points outstanding). They move only through `ledger.post`, so every
movement is one keyed transaction summing to zero, and a member's points never go negative
(the posting's conditional UPDATE). Money reports skip these kinds (ledger.is_points_kind).

Business keys: `points:order:{id}:earn` (completion: issuer -> frozen), `:thaw` (frozen ->
available), `:spend` (placing: available -> issuer), `:return` (cancelled unpaid: issuer ->
available), `:refund:{refunded total}` (a refund: spent points back, earned points taken back).
"""

from __future__ import annotations

import msgspec
from asyncpg import Connection

from livecommerce.domains.ledger import accounts
from livecommerce.domains.members.points_rules import DEFAULTS, PointsRules
from livecommerce.domains.members.points_schemas import Thawing
from livecommerce.infra.errors import DomainError, ErrorCode

TXN_KIND = "points"


class PointsBalance(msgspec.Struct, rename="camel", frozen=True):
    available: int
    frozen: int


async def balances(conn: Connection, host_id: int, user_id: int) -> PointsBalance:
    """The member's points with the host (zeros before any were earned)."""
    available, frozen = await accounts.points_balances(conn, host_id, user_id)
    return PointsBalance(available=available, frozen=frozen)


async def member_accounts(conn: Connection, host_id: int, user_id: int) -> tuple[int, int, int]:
    """(available, frozen, host's issuer) ledger account ids, created on first use."""
    available, frozen = await accounts.points_account_ids(conn, host_id, user_id)
    return available, frozen, await accounts.points_issuer_id(conn, host_id)


async def rules_of(conn: Connection, host_id: int) -> PointsRules:
    """The host's points rules in force (the defaults until the host sets them)."""
    row = await conn.fetchrow(
        "SELECT earn_bp, frozen_days, points_per_yuan, cap_bp FROM points_settings"
        " WHERE host_id = $1",
        host_id,
    )
    if row is None:
        return DEFAULTS
    return PointsRules(
        earn_bp=row["earn_bp"],
        frozen_days=row["frozen_days"],
        points_per_yuan=row["points_per_yuan"],
        cap_bp=row["cap_bp"],
    )


async def lock_rules(conn: Connection, host_id: int) -> PointsRules:
    """The host's rules, its settings row locked until the caller's transaction ends (written
    with the defaults first if there is none, so two first edits also queue)."""
    await conn.execute(
        "INSERT INTO points_settings (host_id, earn_bp, frozen_days, points_per_yuan, cap_bp,"
        " updated_at) VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT (host_id) DO NOTHING",
        host_id,
        DEFAULTS.earn_bp,
        DEFAULTS.frozen_days,
        DEFAULTS.points_per_yuan,
        DEFAULTS.cap_bp,
    )
    await conn.execute("SELECT 1 FROM points_settings WHERE host_id = $1 FOR UPDATE", host_id)
    return await rules_of(conn, host_id)


async def save_rules(conn: Connection, host_id: int, actor_id: int, rules: PointsRules) -> None:
    """Set the host's rules (they apply to orders completed or placed from now on)."""
    await conn.execute(
        "INSERT INTO points_settings"
        " (host_id, earn_bp, frozen_days, points_per_yuan, cap_bp, updated_at, updated_by_id)"
        " VALUES ($1, $2, $3, $4, $5, now(), $6) ON CONFLICT (host_id) DO UPDATE SET"
        " earn_bp = EXCLUDED.earn_bp, frozen_days = EXCLUDED.frozen_days,"
        " points_per_yuan = EXCLUDED.points_per_yuan, cap_bp = EXCLUDED.cap_bp,"
        " updated_at = now(), updated_by_id = EXCLUDED.updated_by_id",
        host_id,
        rules.earn_bp,
        rules.frozen_days,
        rules.points_per_yuan,
        rules.cap_bp,
        actor_id,
    )


async def ensure_host(conn: Connection, host_id: int) -> None:
    """404 unless `host_id` is a host (ids of other users don't say whether they exist)."""
    found = await conn.fetchval(
        "SELECT 1 FROM users WHERE id = $1 AND 'host' = ANY(roles)", host_id
    )
    if found is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no host {host_id}")


async def thawing(conn: Connection, host_id: int, user_id: int) -> list[Thawing]:
    """The member's frozen points with the host, per order, soonest to thaw first."""
    rows = await conn.fetch(
        "SELECT order_id, frozen_left, thaw_at FROM points_earnings"
        " WHERE host_id = $1 AND user_id = $2 AND thawed_at IS NULL AND frozen_left > 0"
        " ORDER BY thaw_at, order_id LIMIT 100",
        host_id,
        user_id,
    )
    return [
        Thawing(order_id=r["order_id"], points=int(r["frozen_left"]), thaw_at=r["thaw_at"])
        for r in rows
    ]
