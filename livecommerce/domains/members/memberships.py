"""A member's standing, as the member card shows it: the tier held with a host, the current
window's growth, the next tier and "再消费 ¥X 升级", and what keeps the tier past the window's
next edge ("再消费 ¥X 保级")."""

from __future__ import annotations

from datetime import datetime

from asyncpg import Connection, Record

from livecommerce.domains.members import member_packets
from livecommerce.domains.members.benefits import benefits_of
from livecommerce.domains.members.tier_rules import (
    closing_start,
    current_start,
    next_edge,
    standing,
)
from livecommerce.domains.members.tier_schemas import MembershipList, MembershipOut
from livecommerce.domains.members.tiers import growth_since, load_ladder, tier_out
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode


async def _host(conn: Connection, host_id: int) -> Record:
    host = await conn.fetchrow(
        "SELECT id, display_name FROM users WHERE id = $1 AND 'host' = ANY(roles)", host_id
    )
    if host is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no host {host_id}")
    return host


async def _standing(conn: Connection, host: Record, user_id: int, now: datetime) -> MembershipOut:
    member = await conn.fetchrow(
        "SELECT id, tier_code, lifetime_spend FROM members WHERE host_id = $1 AND user_id = $2",
        host["id"],
        user_id,
    )
    ladder = await load_ladder(conn, host["id"])
    n_sealed, sealed_fen = await member_packets.sealed(conn, host["id"], user_id)
    common = {
        "host_id": host["id"],
        "host_name": host["display_name"],
        "member": member is not None,
        "lifetime_spend": member["lifetime_spend"] if member else 0,
        "sealed_packets": n_sealed,
        "sealed_amount": sealed_fen,
    }
    if ladder is None or not ladder.tiers:
        return MembershipOut(
            **common,
            window="none",
            days=None,
            tier=None,
            next_tier=None,
            window_growth=member["lifetime_spend"] if member else 0,
            to_upgrade=None,
            to_keep=0,
            keep_by=None,
            tiers=[],
            benefits=[],
        )
    edge = next_edge(ladder.window, now)
    growth_now = growth_kept = 0
    if member is not None:
        growth_now = await growth_since(conn, member["id"], current_start(ladder.window, now))
        growth_kept = await growth_since(conn, member["id"], closing_start(ladder.window, edge))
    where = standing(member["tier_code"] if member else "", growth_now, growth_kept, ladder.tiers)
    return MembershipOut(
        **common,
        window=ladder.window.kind,
        days=ladder.window.days,
        tier=tier_out(where.held) if where.held else None,
        next_tier=tier_out(where.next) if where.next else None,
        window_growth=growth_now,
        to_upgrade=where.to_upgrade,
        to_keep=where.to_keep,
        keep_by=edge if where.held and where.held.threshold > 0 else None,
        tiers=[tier_out(t) for t in ladder.tiers],
        benefits=(
            await benefits_of(conn, host["id"], where.held.code, enabled_only=True)
            if where.held
            else []
        ),
    )


async def ensure_host(host_id: int) -> None:
    async with db.connection() as conn:
        await _host(conn, host_id)


async def membership(user_id: int, host_id: int) -> MembershipOut:
    """The user's standing with one host (a host they never paid: growth 0, the lowest tier)."""
    async with db.connection() as conn:
        host = await _host(conn, host_id)
        now = await conn.fetchval("SELECT now()")
        return await _standing(conn, host, user_id, now)


async def my_memberships(user_id: int) -> MembershipList:
    """The user's standing with every host they are a member of, the latest paid first."""
    async with db.connection() as conn:
        hosts = await conn.fetch(
            "SELECT u.id, u.display_name FROM members m JOIN users u ON u.id = m.host_id"
            " WHERE m.user_id = $1 ORDER BY m.last_paid_at DESC NULLS LAST, m.id LIMIT 100",
            user_id,
        )
        now = await conn.fetchval("SELECT now()")
        return MembershipList(items=[await _standing(conn, h, user_id, now) for h in hosts])
