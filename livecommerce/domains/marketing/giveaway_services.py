"""Giveaways (福袋): start one, read it, and where a viewer stands in it (entering when every task
is done). The draw, redraws and claims are in giveaway_draws.py; the pure draw in
giveaway_rules.py.

A viewer enters automatically: their progress is checked whenever something can complete a task
(a chat line with the keyword, a follow, the page asking for their standing while they watch)
and at the draw itself, in one conditional UPDATE each time (`entered_at IS NULL`), so no entry
is made twice and none after the end.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import msgspec
from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.live import events as room_events
from livecommerce.domains.live import follows, queries
from livecommerce.domains.marketing import giveaway_products, giveaway_settings, giveaway_watch
from livecommerce.domains.marketing import giveaway_rules as rules
from livecommerce.domains.marketing.giveaway_schemas import (
    GiveawayOut,
    MyGiveaway,
    PublishedEntries,
    PublishedEntry,
    StartGiveaway,
    WinnerOut,
)
from livecommerce.infra import db, queue
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode


def not_found(giveaway_id: int) -> DomainError:
    return DomainError(
        ErrorCode.NOT_FOUND, detail=f"giveaway {giveaway_id} not found", giveawayId=giveaway_id
    )


async def fetch(conn: Connection, giveaway_id: int, *, lock: bool = False) -> Record:
    found = await conn.fetchrow(
        "SELECT * FROM giveaways WHERE id = $1" + (" FOR UPDATE" if lock else ""), giveaway_id
    )
    if found is None:
        raise not_found(giveaway_id)
    return found


async def _prize_value(conn: Connection, room_id: int, host_id: int, data: StartGiveaway) -> int:
    if data.prize_kind == "product":
        return await giveaway_products.product_value(conn, host_id, data)
    if data.prize_kind == "red_packet":
        if data.amount is None:
            raise DomainError(ErrorCode.VALIDATION_ERROR, detail="a red packet prize needs amount")
        return data.amount
    if data.coupon_id is None:
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="a coupon prize needs couponId")
    coupon = await conn.fetchrow(
        "SELECT * FROM coupons WHERE id = $1 AND room_id = $2", data.coupon_id, room_id
    )
    if coupon is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"coupon {data.coupon_id} is not this room's")
    value = coupon["amount_off"] if coupon["kind"] == "amount_off" else coupon["max_discount"]
    if not value:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail="a percent-off coupon needs a maxDiscount to be a prize (its value is capped)",
        )
    if coupon["quota"] - coupon["issued"] < data.winners:
        raise DomainError(
            ErrorCode.COUPON_SOLD_OUT,
            detail=f"coupon {data.coupon_id} has {coupon['quota'] - coupon['issued']} copies left",
        )
    return int(value)


async def start(actor: Actor, room_id: int, data: StartGiveaway) -> GiveawayOut:
    """The host starts a giveaway in their live room: the seed is made and only its hash shown;
    a red packet prize is paid from the host's wallet into the platform's red-packet account now,
    a product prize's units are set aside from its SKU's stock now (so every prize can be given
    later). 409 `giveaway_running` while another runs, `out_of_stock`; 422 `prize_over_cap` past
    the operator's cap; 404 for a SKU not the host's."""
    async with db.transaction() as tx:
        conn = tx.conn
        await queries.hosted_room(conn, room_id, actor.id)
        session = await queries.live_session(conn, room_id)
        if session is None:
            raise DomainError(ErrorCode.ROOM_NOT_LIVE, detail="start a giveaway while on air")
        value = await _prize_value(conn, room_id, actor.id, data)
        cap = (await giveaway_settings.load(conn)).prize_value_cap
        if value * data.winners > cap:
            raise DomainError(
                ErrorCode.PRIZE_OVER_CAP,
                detail=f"the prizes are worth {value * data.winners} fen; the cap is {cap}",
                cap=cap,
                value=value * data.winners,
            )
        seed = secrets.token_bytes(rules.SEED_BYTES)
        try:
            row = await conn.fetchrow(
                "INSERT INTO giveaways (room_id, host_id, session_id, title, prize_kind,"
                " coupon_id, prize_value, winners_count, keyword, watch_minutes, require_follow,"
                " on_unclaimed, claim_hours, seed, seed_hash, token_key, status, starts_at,"
                " ends_at, created_at, sku_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
                " $11, $12, $13, $14, $15, $16, 'running', now(),"
                " now() + make_interval(mins => $17), now(), $18) RETURNING *",
                room_id,
                actor.id,
                session["id"],
                data.title,
                data.prize_kind,
                data.coupon_id if data.prize_kind == "coupon" else None,
                value,
                data.winners,
                (data.keyword or "").strip() or None,
                data.watch_minutes,
                data.require_follow,
                data.on_unclaimed,
                data.claim_hours,
                seed,
                rules.seed_hash(seed),
                secrets.token_bytes(32),
                data.duration_minutes,
                data.sku_id if data.prize_kind == "product" else None,
            )
        except asyncpg.UniqueViolationError:
            raise DomainError(
                ErrorCode.GIVEAWAY_RUNNING, detail="a giveaway is running in this room already"
            ) from None
        if data.prize_kind == "product" and data.sku_id is not None:
            await giveaway_products.reserve_units(conn, data.sku_id, data.winners)
        if data.prize_kind == "red_packet":
            wallet = await ledger.account_id(conn, actor.id, Kind.WALLET)
            held = await ledger.account_id(conn, None, Kind.RED_PACKET)
            total = value * data.winners
            await ledger.post(
                conn,
                f"giveaway:{row['id']}:fund",
                "giveaway_fund",
                [(wallet, -total), (held, total)],
            )
        out = await giveaway_out(conn, row)
        payload = out_fields(out)
        ends = row["ends_at"]

        async def announce() -> None:
            await giveaway_watch.open_window(
                room_id, row["id"], row["starts_at"].timestamp(), ends.timestamp()
            )
            await room_events.publish(
                room_id, room_events.event("giveaway", priority=True, giveaway=payload)
            )
            await queue.enqueue(
                "draw_giveaway", row["id"], job_id=f"giveaway-draw:{row['id']}", defer_until=ends
            )

        # Registered inside the block: once it has exited, COMMIT has run its effects already.
        tx.after_commit(announce)
    return out


def out_fields(out: GiveawayOut) -> dict[str, Any]:
    fields: dict[str, Any] = msgspec.to_builtins(out)
    return fields


async def winners_of(conn: Connection, giveaway_id: int) -> list[WinnerOut]:
    rows = await conn.fetch(
        "SELECT w.*, e.token, e.masked_name FROM giveaway_winners w"
        " JOIN giveaway_entries e ON e.giveaway_id = w.giveaway_id AND e.user_id = w.user_id"
        " WHERE w.giveaway_id = $1 ORDER BY w.rank",
        giveaway_id,
    )
    return [
        WinnerOut(
            rank=r["rank"],
            round=r["round"],
            token=r["token"].strip(),
            name=r["masked_name"],
            status=r["status"],
            claim_deadline=r["claim_deadline"],
        )
        for r in rows
    ]


async def giveaway_out(conn: Connection, row: Record) -> GiveawayOut:
    entries = await conn.fetchval(
        "SELECT count(*) FROM giveaway_entries WHERE giveaway_id = $1 AND entered_at IS NOT NULL",
        row["id"],
    )
    drawn = row["status"] != "running"
    product = None
    if row["sku_id"] is not None:
        product = await conn.fetchrow(
            "SELECT p.title || ' · ' || s.name AS title, coalesce(s.image, p.images[1]) AS image"
            " FROM skus s JOIN products p ON p.id = s.product_id WHERE s.id = $1",
            row["sku_id"],
        )
    return GiveawayOut(
        id=row["id"],
        room_id=row["room_id"],
        title=row["title"],
        prize_kind=row["prize_kind"],
        prize_value=row["prize_value"],
        coupon_id=row["coupon_id"],
        sku_id=row["sku_id"],
        prize_title=product["title"] if product else None,
        prize_image=product["image"] if product else None,
        winners_count=row["winners_count"],
        keyword=row["keyword"],
        watch_minutes=row["watch_minutes"],
        require_follow=row["require_follow"],
        on_unclaimed=row["on_unclaimed"],
        claim_hours=row["claim_hours"],
        status=row["status"],
        seed_hash=row["seed_hash"].strip(),
        seed=bytes(row["seed"]).hex() if drawn else None,
        starts_at=row["starts_at"],
        ends_at=row["ends_at"],
        drawn_at=row["drawn_at"],
        entries=int(entries),
        winners=await winners_of(conn, row["id"]) if drawn else [],
        now=datetime.now(UTC),
    )


async def get(giveaway_id: int) -> GiveawayOut:
    async with db.connection() as conn:
        return await giveaway_out(conn, await fetch(conn, giveaway_id))


async def current_row(conn: Connection, room_id: int) -> Record | None:
    """The room's running giveaway, else its latest one drawn in the last hour (the room still
    shows its winners)."""
    return await conn.fetchrow(
        "SELECT * FROM giveaways WHERE room_id = $1 AND (status = 'running'"
        " OR drawn_at > now() - interval '1 hour') ORDER BY id DESC LIMIT 1",
        room_id,
    )


async def _entry(conn: Connection, giveaway: Record, user_id: int) -> Record:
    """The viewer's progress row, made on first contact with its token and masked name."""
    found = await conn.fetchrow(
        "SELECT * FROM giveaway_entries WHERE giveaway_id = $1 AND user_id = $2",
        giveaway["id"],
        user_id,
    )
    if found is not None:
        return found
    name = await conn.fetchval(
        "SELECT coalesce(nullif(display_name, ''), username) FROM users WHERE id = $1", user_id
    )
    token = rules.entry_token(bytes(giveaway["token_key"]), giveaway["id"], user_id)
    await conn.execute(
        "INSERT INTO giveaway_entries (giveaway_id, user_id, token, masked_name)"
        " VALUES ($1, $2, $3, $4) ON CONFLICT (giveaway_id, user_id) DO NOTHING",
        giveaway["id"],
        user_id,
        token,
        rules.mask_name(str(name or "")),
    )
    return await conn.fetchrow(
        "SELECT * FROM giveaway_entries WHERE giveaway_id = $1 AND user_id = $2",
        giveaway["id"],
        user_id,
    )


async def standing(
    conn: Connection, giveaway: Record, user_id: int, watched: float, *, commented: bool = False
) -> MyGiveaway:
    """Where `user_id` stands, entering them if every task is done now (`commented`: they just
    sent the keyword; `watched`: seconds, read from Redis before the transaction). The host never
    enters their own giveaway."""
    entry = await _entry(conn, giveaway, user_id)
    if commented and entry["commented_at"] is None and giveaway["status"] == "running":
        entry = await conn.fetchrow(
            "UPDATE giveaway_entries SET commented_at = now() WHERE id = $1 RETURNING *",
            entry["id"],
        )
    did_comment = giveaway["keyword"] is None or entry["commented_at"] is not None
    followed = await follows.follows(conn, giveaway["room_id"], user_id)
    banned = await queries.banned(conn, giveaway["room_id"], user_id)
    done = (
        did_comment
        and (followed or not giveaway["require_follow"])
        and watched >= giveaway["watch_minutes"] * 60
        and not banned
        and user_id != giveaway["host_id"]
    )
    if done and entry["entered_at"] is None:
        entered = await conn.fetchrow(
            "UPDATE giveaway_entries e SET entered_at = now() FROM giveaways g"
            " WHERE e.id = $1 AND e.entered_at IS NULL AND g.id = e.giveaway_id"
            " AND g.status = 'running' AND g.ends_at > now() RETURNING e.*",
            entry["id"],
        )
        entry = entered or entry
    won = await conn.fetchrow(
        "SELECT status, claim_deadline, order_id FROM giveaway_winners"
        " WHERE giveaway_id = $1 AND user_id = $2",
        giveaway["id"],
        user_id,
    )
    return MyGiveaway(
        giveaway_id=giveaway["id"],
        commented=did_comment,
        watched_seconds=int(watched),
        followed=followed,
        banned=banned,
        entered=entry["entered_at"] is not None,
        token=entry["token"].strip() if entry["entered_at"] is not None else None,
        won=won is not None,
        winner_status=won["status"] if won else None,
        claim_deadline=won["claim_deadline"] if won else None,
        entries=await conn.fetchval(
            "SELECT count(*) FROM giveaway_entries WHERE giveaway_id = $1"
            " AND entered_at IS NOT NULL",
            giveaway["id"],
        ),
        order_id=won["order_id"] if won else None,
    )


async def enter_if_done(giveaway_id: int, user_id: int, *, commented: bool = False) -> MyGiveaway:
    """The viewer's standing, entering them if every task is done: Redis (watch time) is read
    first, then one transaction decides."""
    async with db.connection() as conn:
        giveaway = await fetch(conn, giveaway_id)
    seen = await giveaway_watch.watched_seconds(giveaway["room_id"], giveaway, [user_id])
    async with db.transaction() as tx:
        giveaway = await fetch(tx.conn, giveaway_id)
        return await standing(tx.conn, giveaway, user_id, seen[user_id], commented=commented)


async def my_standing(giveaway_id: int, actor: Actor) -> MyGiveaway:
    return await enter_if_done(giveaway_id, actor.id)


async def published_entries(giveaway_id: int) -> PublishedEntries:
    """The entry list as the draw uses it: tokens and masked names only, the seed once drawn."""
    async with db.connection() as conn:
        row = await fetch(conn, giveaway_id)
        rows = await conn.fetch(
            "SELECT token, masked_name, entered_at FROM giveaway_entries"
            " WHERE giveaway_id = $1 AND entered_at IS NOT NULL ORDER BY token",
            giveaway_id,
        )
        drawn = row["status"] != "running"
        return PublishedEntries(
            giveaway_id=giveaway_id,
            algorithm=rules.ALGORITHM,
            status=row["status"],
            seed_hash=row["seed_hash"].strip(),
            seed=bytes(row["seed"]).hex() if drawn else None,
            winners_count=row["winners_count"],
            ends_at=row["ends_at"],
            entries=[
                PublishedEntry(
                    token=r["token"].strip(), name=r["masked_name"], entered_at=r["entered_at"]
                )
                for r in rows
            ],
            winners=await winners_of(conn, giveaway_id) if drawn else [],
        )


def claim_window(giveaway: Record) -> timedelta:
    return timedelta(hours=giveaway["claim_hours"])
