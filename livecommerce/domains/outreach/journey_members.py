"""Member day and tier change: members' port (members/hooks.py) tells outreach, inside the
transaction that changed the tier or granted the benefit, and the member is reached in it.

- tier change: period `tier:{host}:{code}:{date}` (the host's zone): a tier reached twice in a
  day (lost and regained by a refund and a payment) is said once; losing every tier, or a first
  purchase landing on the free (threshold 0) tier, says nothing.
- member day: a member-day red packet granted (kind red_packet); period `host:{host}:{day}`
  (the benefit period is the member day; the host keeps two hosts' days apart).
Re-checks: the member still holds the tier; the packet is still there to open.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from asyncpg import Connection, Record

from livecommerce.domains.members.hooks import BenefitGrant, TierChange
from livecommerce.domains.outreach.journey_settings import is_enabled
from livecommerce.domains.outreach.sending import Reach, reach
from livecommerce.domains.outreach.templates import yuan
from livecommerce.infra.db import Tx

TIER = "tier_change"
MEMBER_DAY = "member_day"
# Without a ladder there is no tier change; this is only the fallback of a broken row.
DEFAULT_ZONE = "Asia/Shanghai"


async def _host(conn: Connection, host_id: int) -> tuple[str, str]:
    row = await conn.fetchrow(
        "SELECT u.display_name, l.timezone FROM users u"
        " LEFT JOIN member_tier_ladders l ON l.host_id = u.id WHERE u.id = $1",
        host_id,
    )
    if row is None:
        return "", DEFAULT_ZONE
    return row["display_name"] or "", row["timezone"] or DEFAULT_ZONE


async def _entry_tier(conn: Connection, host_id: int, code: str) -> bool:
    return bool(
        await conn.fetchval(
            "SELECT threshold = 0 FROM member_tiers WHERE host_id = $1 AND code = $2",
            host_id,
            code,
        )
    )


async def on_tier_changed(tx: Tx, change: TierChange) -> None:
    """MemberHooks.tier_changed."""
    conn = tx.conn
    if not change.new_code or not await is_enabled(conn, change.host_id, TIER):
        return
    if not change.old_code and await _entry_tier(conn, change.host_id, change.new_code):
        return  # a first purchase puts every buyer on the free tier: no news
    host_name, zone = await _host(conn, change.host_id)
    now = await conn.fetchval("SELECT now()")
    day = now.astimezone(ZoneInfo(zone)).date().isoformat()
    await reach(
        tx,
        Reach(
            user_id=change.user_id,
            host_id=change.host_id,
            journey=TIER,
            period=f"tier:{change.host_id}:{change.new_code}:{day}",
            template=TIER,
            context={
                "host_name": host_name,
                "tier_code": change.new_code,
                "tier_name": change.new_name or change.new_code,
                "old_code": change.old_code,
            },
            link="/me",
        ),
    )


async def on_benefit_granted(tx: Tx, grant: BenefitGrant) -> None:
    """MemberHooks.benefit_granted: a member-day red packet is news; a month's voucher is not
    (it waits in the buyer's coupons)."""
    conn = tx.conn
    if grant.kind != "red_packet" or not await is_enabled(conn, grant.host_id, MEMBER_DAY):
        return
    host_name, _ = await _host(conn, grant.host_id)
    await reach(
        tx,
        Reach(
            user_id=grant.user_id,
            host_id=grant.host_id,
            journey=MEMBER_DAY,
            period=f"host:{grant.host_id}:{grant.period}",
            template=MEMBER_DAY,
            context={
                "host_name": host_name,
                "host_id": grant.host_id,
                "benefit": f"🧧 {yuan(grant.amount)}",
                "amount": grant.amount,
                "day": grant.period,
            },
            link="/me",
        ),
    )


def _parts(message: Record, n: int) -> list[str] | None:
    parts = str(message["period"]).split(":")
    return parts if len(parts) == n else None


async def still_holds_tier(conn: Connection, message: Record) -> bool:
    parts = _parts(message, 4)
    if parts is None or not parts[1].isdigit():
        return False
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM members WHERE host_id = $1 AND user_id = $2"
            " AND tier_code = $3)",
            int(parts[1]),
            message["user_id"],
            parts[2],
        )
    )


async def packet_still_sealed(conn: Connection, message: Record) -> bool:
    parts = _parts(message, 3)
    if parts is None or not parts[1].isdigit():
        return False
    return bool(
        await conn.fetchval(
            "SELECT EXISTS (SELECT 1 FROM member_packets WHERE host_id = $1 AND user_id = $2"
            " AND status = 'sealed' AND expires_at > now())",
            int(parts[1]),
            message["user_id"],
        )
    )
