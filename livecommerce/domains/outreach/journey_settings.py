"""A host's journey switches, and the coupon viewed-not-bought gives.

No row is a journey's default: on for 预约, repurchase, member day and tier change (the buyer
asked, bought or joined), off for viewed-not-bought until the host picks its coupon. The coupon
must be the host's own and still valid; copies are issued later through the coupon engine
(promotions.coupons.issue_copy), which keeps its quota and per-user limits.
"""

from __future__ import annotations

from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains.outreach.journey_schemas import JourneyOut, JourneysIn, JourneysOut
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode

JOURNEYS = ("reminder", "repurchase", "viewed_not_bought", "member_day", "tier_change")
DEFAULT_ON = frozenset({"reminder", "repurchase", "member_day", "tier_change"})


def enabled_sql(host: str, journey: str) -> str:
    """A SQL condition: the journey (a literal name) is on for the host (a column expression).
    For set-based sweeps: one anti-join, no per-host call."""
    assert journey in JOURNEYS
    if journey in DEFAULT_ON:
        return (
            f"NOT EXISTS (SELECT 1 FROM outreach_journey_settings js WHERE js.host_id = {host}"
            f" AND js.journey = '{journey}' AND NOT js.enabled)"
        )
    return (
        f"EXISTS (SELECT 1 FROM outreach_journey_settings js WHERE js.host_id = {host}"
        f" AND js.journey = '{journey}' AND js.enabled)"
    )


async def is_enabled(conn: Connection, host_id: int, journey: str) -> bool:
    return bool(await conn.fetchval(f"SELECT {enabled_sql('$1', journey)}", host_id))


async def _rows(conn: Connection, host_id: int) -> dict[str, Record]:
    return {
        r["journey"]: r
        for r in await conn.fetch(
            "SELECT journey, enabled, coupon_id FROM outreach_journey_settings WHERE host_id = $1",
            host_id,
        )
    }


def _out(journey: str, row: Record | None) -> JourneyOut:
    if row is None:
        return JourneyOut(journey=journey, enabled=journey in DEFAULT_ON, coupon_id=None)
    return JourneyOut(journey=journey, enabled=row["enabled"], coupon_id=row["coupon_id"])


async def settings_of(conn: Connection, host_id: int) -> JourneysOut:
    rows = await _rows(conn, host_id)
    return JourneysOut(journeys=[_out(j, rows.get(j)) for j in JOURNEYS])


async def get_settings(host_id: int) -> JourneysOut:
    async with db.connection() as conn:
        return await settings_of(conn, host_id)


def _invalid(detail: str, **extra: Any) -> DomainError:
    return DomainError(ErrorCode.JOURNEY_INVALID, detail=detail, **extra)


async def _check_coupon(conn: Connection, host_id: int, coupon_id: int) -> None:
    coupon = await conn.fetchrow(
        "SELECT valid_to > now() IS NOT FALSE AS valid FROM coupons WHERE id = $1 AND host_id = $2",
        coupon_id,
        host_id,
    )
    if coupon is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no coupon {coupon_id} of yours")
    if not coupon["valid"]:
        raise _invalid("this coupon has expired", couponId=coupon_id, field="couponId")


async def put_settings(host_id: int, data: JourneysIn) -> JourneysOut:
    """Save the journeys named (the others keep theirs). Viewed-not-bought is switched on only
    with a coupon of the host's."""
    names = [j.journey for j in data.journeys]
    if len(set(names)) != len(names):
        raise _invalid("each journey once")
    async with db.transaction() as tx:
        conn = tx.conn
        for j in data.journeys:
            if j.coupon_id is not None and j.journey != "viewed_not_bought":
                raise _invalid("only viewed_not_bought gives a coupon", journey=j.journey)
            if j.journey == "viewed_not_bought" and j.enabled and j.coupon_id is None:
                raise _invalid("choose the coupon it gives", journey=j.journey, field="couponId")
            if j.coupon_id is not None:
                await _check_coupon(conn, host_id, j.coupon_id)
        await conn.executemany(
            "INSERT INTO outreach_journey_settings (host_id, journey, enabled, coupon_id,"
            " updated_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (host_id, journey)"
            " DO UPDATE SET enabled = EXCLUDED.enabled, coupon_id = EXCLUDED.coupon_id,"
            " updated_at = now()",
            [(host_id, j.journey, j.enabled, j.coupon_id) for j in data.journeys],
        )
        return await settings_of(conn, host_id)
