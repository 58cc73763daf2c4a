"""Reading points for the buyer (/api/me/points) and the host's rules (/api/host/points-settings).
Read-only but for `update_settings`."""

from __future__ import annotations

import msgspec
from asyncpg import Record

from livecommerce.domains.ledger import accounts as ledger_accounts
from livecommerce.domains.ledger import statement
from livecommerce.domains.members import points
from livecommerce.domains.members.points_rules import PointsRules, usable
from livecommerce.domains.members.points_schemas import (
    HostPointsOut,
    MyPointsOut,
    PointsEntryOut,
    PointsEntryPage,
    PointsOffer,
    PointsSettingsIn,
    PointsSettingsOut,
)
from livecommerce.infra import db

# What a business key's last part says happened (points.py lists the keys).
_REASONS = {"earn", "thaw", "spend", "return", "refund"}


def settings_out(rules: PointsRules) -> PointsSettingsOut:
    return PointsSettingsOut(
        earn_bp=rules.earn_bp,
        frozen_days=rules.frozen_days,
        points_per_yuan=rules.points_per_yuan,
        cap_bp=rules.cap_bp,
    )


async def my_points(user_id: int, host_id: int, amount: int | None) -> MyPointsOut:
    """The member's points with the host, its rules, and with `amount` the best offer on it."""
    async with db.connection() as conn:
        await points.ensure_host(conn, host_id)
        rules = await points.rules_of(conn, host_id)
        have = await points.balances(conn, host_id, user_id)
        frozen = await points.thawing(conn, host_id, user_id)
    offer = None
    if amount is not None:
        best = usable(have.available, amount, rules)
        offer = PointsOffer(amount=amount, points=best.points, discount=best.discount)
    return MyPointsOut(
        host_id=host_id,
        available=have.available,
        frozen=have.frozen,
        settings=settings_out(rules),
        thawing=frozen,
        offer=offer,
    )


async def my_hosts(user_id: int) -> list[HostPointsOut]:
    """Every host the member holds (or held) points with, the most available first."""
    async with db.connection() as conn:
        held = await ledger_accounts.points_holdings(conn, user_id)
        names = {
            row["id"]: row["display_name"] or row["username"]
            for row in await conn.fetch(
                "SELECT id, username, display_name FROM users WHERE id = ANY($1::int[])",
                list(held),
            )
        }
    out = [
        HostPointsOut(host_id=h, host_name=names.get(h, ""), available=a, frozen=f)
        for h, (a, f) in held.items()
    ]
    return sorted(out, key=lambda x: (-x.available, -x.frozen, x.host_id))


def _entry(row: Record) -> PointsEntryOut:
    parts = str(row["business_key"]).split(":")
    order_id = int(parts[2]) if len(parts) > 3 and parts[1] == "order" else None
    reason = parts[3] if len(parts) > 3 and parts[3] in _REASONS else "other"
    return PointsEntryOut(
        id=row["id"],
        account="available" if str(row["account_kind"]).startswith("pts:") else "frozen",
        amount=int(row["amount"]),
        balance_after=row["balance_after"],
        reason=reason,
        order_id=order_id,
        created_at=row["created_at"],
    )


async def my_entries(user_id: int, host_id: int, cursor: int | None, limit: int) -> PointsEntryPage:
    """The member's points history with the host, newest first."""
    async with db.connection() as conn:
        await points.ensure_host(conn, host_id)
        rows = await statement.points_entries_of(conn, user_id, host_id, cursor, limit + 1)
    items = [_entry(row) for row in rows[:limit]]
    return PointsEntryPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)


async def host_settings(host_id: int) -> PointsSettingsOut:
    async with db.connection() as conn:
        return settings_out(await points.rules_of(conn, host_id))


async def update_settings(host_id: int, data: PointsSettingsIn) -> PointsSettingsOut:
    """Change some of the host's rules (fields left out keep their value)."""
    async with db.transaction() as tx:
        # The row lock orders concurrent edits (each merges into the one before it).
        now = await points.lock_rules(tx.conn, host_id)
        changes = {k: v for k, v in msgspec.structs.asdict(data).items() if v is not None}
        rules = PointsRules(**{**msgspec.structs.asdict(settings_out(now)), **changes})
        await points.save_rules(tx.conn, host_id, host_id, rules)
    return settings_out(rules)
