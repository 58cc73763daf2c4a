"""Coupon templates and claims: a host makes and drops them, viewers claim copies.

A claim passes two gates. Redis (one Lua script: quota, the user's limit and day limit,
take one) turns the storm away without touching PostgreSQL; PostgreSQL then records the
copy under the coupon's row lock, re-checking quota and limits against its own rows, so it
stays the truth when Redis is lost, flushed or stale. When the two disagree, the Redis
state is dropped and rebuilt from PostgreSQL on the next claim.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import structlog
from asyncpg import Connection, Record
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT

from livecommerce.domains.live import events as room_events
from livecommerce.domains.live import queries as rooms
from livecommerce.domains.promotions import live_state
from livecommerce.domains.promotions.hooks import PromotionHooks
from livecommerce.domains.promotions.rules import coupon_window
from livecommerce.domains.promotions.schemas import (
    CouponOut,
    CreateCoupon,
    UserCouponOut,
    UserCouponPage,
)
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

log = structlog.get_logger("promotions.coupons")

COLUMNS = (
    "id",
    "room_id",
    "host_id",
    "title",
    "kind",
    "amount_off",
    "percent_off_bp",
    "max_discount",
    "min_spend",
    "valid_from",
    "valid_to",
    "valid_minutes",
    "quota",
    "issued",
    "per_user_limit",
    "per_user_daily_limit",
    "product_ids",
    "live_only",
    "dropped_at",
    "created_at",
)


def coupon_out(row: Record) -> CouponOut:
    return CouponOut(
        **{name: row[name] for name in COLUMNS if name != "product_ids"},
        product_ids=list(row["product_ids"] or []),
    )


def not_found(coupon_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no coupon {coupon_id}")


def _invalid(detail: str) -> DomainError:
    return DomainError(ErrorCode.VALIDATION_ERROR, detail=detail)


def _check_terms(data: CreateCoupon, now: datetime) -> None:
    if data.kind == "amount_off" and (
        data.amount_off is None or data.percent_off_bp is not None or data.max_discount is not None
    ):
        raise _invalid("an amount_off coupon takes amountOff (and no percentOffBp or maxDiscount)")
    if data.kind == "percent_off" and (data.percent_off_bp is None or data.amount_off is not None):
        raise _invalid(
            "a percent_off coupon takes percentOffBp (and optionally maxDiscount, no amountOff)"
        )
    if (data.valid_to is None) == (data.valid_minutes is None):
        raise _invalid("give either validTo (with an optional validFrom) or validMinutes")
    if data.valid_minutes is not None and data.valid_from is not None:
        raise _invalid("validFrom goes with validTo, not with validMinutes")
    if data.valid_to is not None:
        if data.valid_to.tzinfo is None or (
            data.valid_from is not None and data.valid_from.tzinfo is None
        ):
            raise _invalid("validFrom and validTo need a time zone offset")
        if data.valid_to <= now or (
            data.valid_from is not None and data.valid_from >= data.valid_to
        ):
            raise _invalid("validTo must be in the future and after validFrom")
    if len(set(data.product_ids)) != len(data.product_ids):
        raise _invalid("productIds has duplicates")


async def create_coupon(host_id: int, room_id: int, data: CreateCoupon) -> CouponOut:
    """A host makes a coupon template for one of its rooms (and drops it at once if asked)."""
    async with db.transaction() as tx:
        conn = tx.conn
        # Whose room first: someone else's room is a 404 whatever the body says.
        await rooms.hosted_room(conn, room_id, host_id)
        _check_terms(data, datetime.now(UTC))
        if data.product_ids:
            mine = await conn.fetchval(
                "SELECT count(*) FROM products WHERE id = ANY($1::int[]) AND host_id = $2",
                data.product_ids,
                host_id,
            )
            if mine != len(data.product_ids):
                raise DomainError(
                    ErrorCode.NOT_FOUND, detail="productIds must all be your products"
                )
        row = await conn.fetchrow(
            "INSERT INTO coupons (room_id, host_id, title, kind, amount_off, percent_off_bp,"
            " max_discount, min_spend, valid_from, valid_to, valid_minutes, quota, issued,"
            " per_user_limit, per_user_daily_limit, product_ids, live_only, dropped_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16,"
            " CASE WHEN $17 THEN now() END, now()) RETURNING *",
            room_id,
            host_id,
            data.title,
            data.kind,
            data.amount_off or 0,
            data.percent_off_bp or 0,
            data.max_discount,
            data.min_spend,
            data.valid_from,
            data.valid_to,
            data.valid_minutes,
            data.quota,
            data.per_user_limit,
            data.per_user_daily_limit,
            data.product_ids,
            data.live_only,
            data.drop,
        )
        out = coupon_out(row)
        if data.drop:
            tx.after_commit(lambda: _announce(out))
    return out


async def drop_coupon(coupon_id: int, host_id: int) -> CouponOut:
    """Drop a coupon into its live room: from now on it can be claimed (dropping again
    re-announces it)."""
    async with db.transaction() as tx:
        conn = tx.conn
        row = await conn.fetchrow(
            "UPDATE coupons SET dropped_at = COALESCE(dropped_at, now())"
            " WHERE id = $1 AND host_id = $2 RETURNING *",
            coupon_id,
            host_id,
        )
        if row is None:
            raise not_found(coupon_id)
        out = coupon_out(row)
        tx.after_commit(lambda: _announce(out))
    return out


def coupon_event_fields(row: Record | CouponOut) -> dict[str, object]:
    get = (lambda k: row[k]) if isinstance(row, Record) else (lambda k: getattr(row, k))
    return {
        "id": get("id"),
        "title": get("title"),
        "kind": get("kind"),
        "amountOff": get("amount_off"),
        "percentOffBp": get("percent_off_bp"),
        "maxDiscount": get("max_discount"),
        "minSpend": get("min_spend"),
        "left": get("quota") - get("issued"),
        "liveOnly": get("live_only"),
    }


async def _announce(coupon: CouponOut) -> None:
    await room_events.publish(
        coupon.room_id, room_events.event("coupon", coupon=coupon_event_fields(coupon))
    )


async def room_coupons(room_id: int) -> list[CouponOut]:
    """The room's dropped coupons that can still be claimed."""
    async with db.connection() as conn:
        await rooms.room(conn, room_id)
        rows = await conn.fetch(
            "SELECT * FROM coupons WHERE room_id = $1 AND dropped_at IS NOT NULL AND issued < quota"
            " AND (valid_to IS NULL OR valid_to > now()) ORDER BY id DESC LIMIT 50",
            room_id,
        )
    return [coupon_out(row) for row in rows]


# --- claiming ---------------------------------------------------------------------------------


def business_day(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.business_timezone)).date()


_REFUSALS = {
    0: (ErrorCode.COUPON_SOLD_OUT, "all copies of this coupon are claimed"),
    -2: (ErrorCode.COUPON_LIMIT_REACHED, "you have claimed this coupon as many times as allowed"),
    -3: (
        ErrorCode.COUPON_DAILY_LIMIT_REACHED,
        "you have claimed this coupon as many times as allowed today",
    ),
}


def _refusal(outcome: int, coupon_id: int) -> DomainError:
    code, detail = _REFUSALS[outcome]
    return DomainError(code, detail=detail, couponId=coupon_id)


async def _rebuild(redis: Redis, coupon: Record, day: date) -> None:
    """Redis lost the coupon's state: load it from PostgreSQL's copies (unless another claim
    did)."""
    async with db.connection() as conn:
        issued = await conn.fetchval("SELECT issued FROM coupons WHERE id = $1", coupon["id"])
        counts = await conn.fetch(
            "SELECT user_id, count(*) AS total, count(*) FILTER (WHERE claim_day = $2) AS today"
            " FROM user_coupons WHERE coupon_id = $1 GROUP BY user_id",
            coupon["id"],
            day,
        )
    pairs: list[EncodableT] = []
    for row in counts:
        pairs += [f"u:{row['user_id']}", row["total"]]
        if row["today"]:
            pairs += [f"d:{day.isoformat()}:{row['user_id']}", row["today"]]
    key = live_state.coupon_key(coupon["room_id"], coupon["id"])
    await live_state.script(redis, "coupon_load")(
        keys=[key], args=[coupon["quota"] - issued, live_state.STATE_TTL_SECONDS, *pairs]
    )


async def _take_in_redis(redis: Redis, coupon: Record, user_id: int, day: date) -> bool:
    """The fast gate. True: Redis took a copy for the user; False: Redis is unavailable
    (PostgreSQL alone decides)."""
    key = live_state.coupon_key(coupon["room_id"], coupon["id"])
    args = [
        user_id,
        coupon["per_user_limit"],
        coupon["per_user_daily_limit"] or 0,
        day.isoformat(),
        live_state.STATE_TTL_SECONDS,
    ]
    claim = live_state.script(redis, "coupon_claim")
    try:
        outcome = int(await claim(keys=[key], args=args))
        if outcome == -1:
            await _rebuild(redis, coupon, day)
            outcome = int(await claim(keys=[key], args=args))
    except RedisError as exc:
        log.warning("coupon_gate_unavailable", coupon_id=coupon["id"], error=str(exc))
        return False
    if outcome == 1:
        return True
    if outcome == -1:  # flushed again between the rebuild and the claim
        raise DomainError(ErrorCode.BUSY, detail="please try again")
    raise _refusal(outcome, coupon["id"])


async def _record_claim(conn: Connection, coupon_id: int, user_id: int, day: date) -> Record:
    """The truth: under the coupon's row lock, re-check quota and limits against the copies, then
    issue one."""
    coupon = await conn.fetchrow("SELECT * FROM coupons WHERE id = $1 FOR UPDATE", coupon_id)
    mine = await conn.fetchrow(
        "SELECT count(*) AS total, count(*) FILTER (WHERE claim_day = $3) AS today"
        " FROM user_coupons WHERE coupon_id = $1 AND user_id = $2",
        coupon_id,
        user_id,
        day,
    )
    if coupon["issued"] >= coupon["quota"]:
        raise _refusal(0, coupon_id)
    if mine["total"] >= coupon["per_user_limit"]:
        raise _refusal(-2, coupon_id)
    if (
        coupon["per_user_daily_limit"] is not None
        and mine["today"] >= coupon["per_user_daily_limit"]
    ):
        raise _refusal(-3, coupon_id)
    now = await conn.fetchval("SELECT now()")
    valid_from, valid_until = coupon_window(
        coupon["valid_from"], coupon["valid_to"], coupon["valid_minutes"], now
    )
    seq = await conn.fetchval(
        "UPDATE coupons SET issued = issued + 1 WHERE id = $1 RETURNING issued", coupon_id
    )
    return await conn.fetchrow(
        "INSERT INTO user_coupons (coupon_id, user_id, seq, user_seq, claim_day, valid_from,"
        " valid_until, status, claimed_at)"
        " VALUES ($1, $2, $3, $4, $5, $6, $7, 'available', $8) RETURNING *",
        coupon_id,
        user_id,
        seq,
        mine["total"] + 1,
        day,
        valid_from,
        valid_until,
        now,
    )


async def issue_copy(conn: Connection, coupon_id: int, user_id: int, day: date) -> Record:
    """A copy the system gives (a member benefit, granted by the worker) inside the caller's
    transaction: the same PostgreSQL gate as a claim (quota and per-user limits under the
    coupon's row lock), without the room's Redis gate, which only drafts skip (a benefit's
    coupon is never dropped into a room, so Redis holds no state for it)."""
    return await _record_claim(conn, coupon_id, user_id, day)


def _check_claimable(coupon: Record | None, coupon_id: int, on_air: bool) -> Record:
    if coupon is None or coupon["dropped_at"] is None:
        raise not_found(coupon_id)  # a draft is the host's business only
    if coupon["valid_to"] is not None and coupon["valid_to"] <= datetime.now(UTC):
        raise DomainError(
            ErrorCode.COUPON_EXPIRED,
            detail="this coupon has expired",
            couponId=coupon_id,
        )
    if coupon["live_only"] and not on_air:
        raise DomainError(
            ErrorCode.ROOM_NOT_LIVE,
            detail="this coupon can be claimed only while the room is live",
        )
    if coupon["issued"] >= coupon["quota"]:
        raise _refusal(0, coupon_id)
    return coupon


async def claim_coupon(
    redis: Redis,
    settings: Settings,
    coupon_id: int,
    user_id: int,
    hooks: PromotionHooks = PromotionHooks(),  # noqa: B008 - frozen, shared on purpose
) -> UserCouponOut:
    """Claim one copy of a dropped coupon: never more than the quota, nor than the user's limits;
    nothing for a user banned from the coupon's room (403 banned). `hooks.claimed` run in the
    claim's transaction (behaviour events)."""
    async with db.connection() as conn:
        coupon = await conn.fetchrow("SELECT * FROM coupons WHERE id = $1", coupon_id)
        if coupon is None or coupon["dropped_at"] is None:
            raise not_found(coupon_id)  # a draft is the host's business only
        if await rooms.banned(conn, coupon["room_id"], user_id):
            raise rooms.banned_from(coupon["room_id"])
        on_air = bool(coupon["live_only"]) and (
            await rooms.live_session(conn, coupon["room_id"]) is not None
        )
    coupon = _check_claimable(coupon, coupon_id, on_air)
    day = business_day(settings)
    taken = await _take_in_redis(redis, coupon, user_id, day)
    try:
        async with db.transaction() as tx:
            conn = tx.conn
            copy = await _record_claim(conn, coupon_id, user_id, day)
            fresh = await conn.fetchrow("SELECT * FROM coupons WHERE id = $1", coupon_id)
            for claimed in hooks.claimed:
                await claimed(tx, coupon, user_id)
    except DomainError:
        if (
            taken
        ):  # Redis said yes, PostgreSQL no: Redis is stale; drop it, the next claim rebuilds it
            await _forget(redis, coupon)
        raise
    except BaseException:
        if taken:
            await _give_back(redis, coupon, user_id, day)
        raise
    return user_coupon_out(copy, fresh)


async def _forget(redis: Redis, coupon: Record) -> None:
    try:
        await redis.delete(live_state.coupon_key(coupon["room_id"], coupon["id"]))
    except RedisError as exc:
        log.warning("coupon_state_not_dropped", coupon_id=coupon["id"], error=str(exc))


async def _give_back(redis: Redis, coupon: Record, user_id: int, day: date) -> None:
    key = live_state.coupon_key(coupon["room_id"], coupon["id"])
    daily = "1" if coupon["per_user_daily_limit"] else "0"
    try:
        await live_state.script(redis, "coupon_release")(
            keys=[key], args=[user_id, day.isoformat(), daily]
        )
    except RedisError as exc:
        log.warning("coupon_not_given_back", coupon_id=coupon["id"], error=str(exc))
        await _forget(redis, coupon)


# --- the user's coupons -------------------------------------------------------------------------


def user_coupon_out(copy: Record, coupon: Record) -> UserCouponOut:
    status = copy["status"]
    if status == "available" and copy["valid_until"] <= datetime.now(UTC):
        status = "expired"
    return UserCouponOut(
        id=copy["id"],
        coupon_id=copy["coupon_id"],
        status=status,
        order_id=copy["order_id"],
        valid_from=copy["valid_from"],
        valid_until=copy["valid_until"],
        claimed_at=copy["claimed_at"],
        used_at=copy["used_at"],
        coupon=coupon_out(coupon),
    )


async def my_coupons(
    user_id: int, status: str | None, cursor: int | None, limit: int
) -> UserCouponPage:
    """The user's coupons, newest first; `status` filters (expired: available but past validity)."""
    stored = {"usable": "available", "expired": "available"}.get(status or "", status)
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT u.* FROM user_coupons u"
            " WHERE u.user_id = $1 AND ($2::text IS NULL OR u.status = $2)"
            " AND ($3::text IS DISTINCT FROM 'usable' OR u.valid_until > now())"
            " AND ($3::text IS DISTINCT FROM 'expired' OR u.valid_until <= now())"
            " AND ($4::int IS NULL OR u.id < $4) ORDER BY u.id DESC LIMIT $5",
            user_id,
            stored,
            status,
            cursor,
            limit + 1,
        )
        coupons = {
            row["id"]: row
            for row in await conn.fetch(
                "SELECT * FROM coupons WHERE id = ANY($1::int[])",
                list({row["coupon_id"] for row in rows}),
            )
        }
    items = [user_coupon_out(row, coupons[row["coupon_id"]]) for row in rows[:limit]]
    return UserCouponPage(items=items, next_cursor=items[-1].id if len(rows) > limit else None)
