"""The draw, redraws of prizes nobody claimed in time, and claims.

Jobs may run twice, late or at once: PostgreSQL decides. The draw is one conditional UPDATE
(`status = 'running' AND ends_at <= now()`); only the run that flips it writes winners, from the
entry list frozen at the end, ranked by giveaway_rules (the seed revealed in the same
transaction). A redraw takes the next places of the same ranking for the prizes that lapsed
(each winner row's rank is unique per giveaway). A claim is one conditional UPDATE of the
winner's own row (`status = 'won' AND claim_deadline > now()`), which the expiry's UPDATE
(`claim_deadline <= now()`) can never also match.

Money (a red packet prize) went from the host's wallet into the platform's red-packet account at
the start; a claim pays one part to the winner, a prize that lapses or finds no entrant goes
back to the host, each under its own ledger key. A product prize's units were set aside from the
SKU's stock at the start; a claim ships one as a zero-price order (orders/prizes.py: no payment,
no ledger), and units that lapse or find no entrant go back to the SKU under the same keys
(a `giveaway_stock_returns` row each: a second run adds nothing).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.live import events as room_events
from livecommerce.domains.marketing import giveaway_products, giveaway_watch
from livecommerce.domains.marketing import giveaway_rules as rules
from livecommerce.domains.marketing.giveaway_schemas import ClaimGiveaway, ClaimOut
from livecommerce.domains.marketing.giveaway_services import (
    claim_window,
    fetch,
    not_found,
    winners_of,
)
from livecommerce.domains.orders import addressing, prizes
from livecommerce.domains.orders.schemas import OrderLine, PlaceOrder
from livecommerce.domains.promotions import coupons
from livecommerce.infra import db, queue
from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings


async def _late_entries(giveaway: Record) -> list[int]:
    """Progress rows whose watch task is done by the end (read from Redis before the draw's
    transaction): the draw enters those whose other tasks are done too."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT user_id FROM giveaway_entries WHERE giveaway_id = $1 AND entered_at IS NULL",
            giveaway["id"],
        )
    users = [r["user_id"] for r in rows]
    seen = await giveaway_watch.watched_seconds(
        giveaway["room_id"], giveaway, users, now=giveaway["ends_at"].timestamp()
    )
    return [u for u in users if seen[u] >= giveaway["watch_minutes"] * 60]


async def _frozen_tokens(conn: Connection, giveaway: Record) -> dict[str, int]:
    rows = await conn.fetch(
        "SELECT token, user_id FROM giveaway_entries WHERE giveaway_id = $1"
        " AND entered_at IS NOT NULL AND entered_at <= $2",
        giveaway["id"],
        giveaway["ends_at"],
    )
    return {r["token"].strip(): r["user_id"] for r in rows}


async def _give_back(conn: Connection, giveaway: Record, key: str, slots: int) -> None:
    """Prizes nobody will get: a red packet's money back to the host, a product's units back to
    its SKU's stock (a coupon was never issued)."""
    if slots <= 0:
        return
    if giveaway["prize_kind"] == "product":
        await giveaway_products.return_units(conn, giveaway, key, slots)
        return
    if giveaway["prize_kind"] != "red_packet":
        return
    held = await ledger.account_id(conn, None, Kind.RED_PACKET)
    wallet = await ledger.account_id(conn, giveaway["host_id"], Kind.WALLET)
    amount = giveaway["prize_value"] * slots
    await ledger.post(
        conn,
        f"giveaway:{giveaway['id']}:return:{key}",
        "giveaway_return",
        [(held, -amount), (wallet, amount)],
    )


async def _award(
    conn: Connection, giveaway: Record, tokens: dict[str, int], taken: int, count: int, round_: int
) -> list[Record]:
    """The next `count` places of the ranking after the `taken` ones, as winners of `round_`."""
    chosen = rules.draw(bytes(giveaway["seed"]), tokens, count, already_drawn=taken)
    return list(
        await conn.fetch(
            "INSERT INTO giveaway_winners (giveaway_id, user_id, rank, round, status,"
            " claim_deadline, created_at)"
            " SELECT $1, u.user_id, u.rank, $4, 'won', now() + $5::interval, now()"
            " FROM unnest($2::int[], $3::int[]) AS u(user_id, rank) RETURNING *",
            giveaway["id"],
            [tokens[t] for t in chosen],
            list(range(taken, taken + len(chosen))),
            round_,
            claim_window(giveaway),
        )
    )


async def _close_if_settled(conn: Connection, giveaway_id: int) -> None:
    await conn.execute(
        "UPDATE giveaways SET status = 'closed', closed_at = now() WHERE id = $1"
        " AND status = 'drawn' AND NOT EXISTS (SELECT 1 FROM giveaway_winners"
        " WHERE giveaway_id = $1 AND status = 'won')",
        giveaway_id,
    )


def _announce(tx: Tx, giveaway: Record, kind: str, round_: int, awarded: list[Record]) -> None:
    giveaway_id, room_id = giveaway["id"], giveaway["room_id"]
    deadline = awarded[0]["claim_deadline"] if awarded else None

    async def effects() -> None:
        if kind == "giveaway_draw":
            await giveaway_watch.close_window(room_id, giveaway_id)
        async with db.connection() as conn:
            winners = [w for w in await winners_of(conn, giveaway_id) if w.round == round_]
        await room_events.publish(
            room_id,
            room_events.event(
                kind,
                priority=True,
                giveawayId=giveaway_id,
                round=round_,
                seed=bytes(giveaway["seed"]).hex(),
                seedHash=giveaway["seed_hash"].strip(),
                winners=[{"name": w.name, "token": w.token, "rank": w.rank} for w in winners],
                userIds=[w["user_id"] for w in awarded],
            ),
        )
        if deadline is not None:
            await queue.enqueue(
                "expire_giveaway_claims",
                giveaway_id,
                job_id=f"giveaway-expire:{giveaway_id}:{round_}",
                defer_until=deadline,
            )

    tx.after_commit(effects)


async def draw(giveaway_id: int) -> bool:
    """Draw a giveaway whose time is up; False if it was drawn already (or is not due)."""
    async with db.connection() as conn:
        found = await fetch(conn, giveaway_id)
    if found["status"] != "running" or found["ends_at"] > datetime.now(UTC):
        return False
    watched = await _late_entries(found) if found["watch_minutes"] else []
    async with db.transaction() as tx:
        conn = tx.conn
        giveaway = await conn.fetchrow(
            "UPDATE giveaways SET status = 'drawn', drawn_at = now() WHERE id = $1"
            " AND status = 'running' AND ends_at <= now() RETURNING *",
            giveaway_id,
        )
        if giveaway is None:
            return False
        # The last word on who entered: everyone whose tasks were all done by the end.
        await conn.execute(
            "UPDATE giveaway_entries e SET entered_at = g.ends_at FROM giveaways g"
            " WHERE g.id = e.giveaway_id AND e.giveaway_id = $1 AND e.entered_at IS NULL"
            " AND (g.watch_minutes = 0 OR e.user_id = ANY($2::int[]))"
            " AND (g.keyword IS NULL OR e.commented_at <= g.ends_at)"
            " AND (NOT g.require_follow OR EXISTS (SELECT 1 FROM room_follows f"
            "  WHERE f.room_id = g.room_id AND f.user_id = e.user_id))"
            " AND e.user_id <> g.host_id AND NOT EXISTS (SELECT 1 FROM room_penalties p"
            "  WHERE p.room_id = g.room_id AND p.user_id = e.user_id AND p.kind = 'ban'"
            "  AND p.lifted_at IS NULL AND (p.until IS NULL OR p.until > now()))",
            giveaway_id,
            watched,
        )
        tokens = await _frozen_tokens(conn, giveaway)
        awarded = await _award(conn, giveaway, tokens, 0, giveaway["winners_count"], 1)
        await _give_back(conn, giveaway, "round:1", giveaway["winners_count"] - len(awarded))
        await _close_if_settled(conn, giveaway_id)
        _announce(tx, giveaway, "giveaway_draw", 1, awarded)
    return True


async def expire_claims(giveaway_id: int) -> int:
    """Prizes past their claim deadline lapse; per the giveaway's setting they go to the next
    places of the ranking (a new round, a new deadline) or back to the host. Returns how many
    lapsed."""
    async with db.transaction() as tx:
        conn = tx.conn
        giveaway = await fetch(conn, giveaway_id, lock=True)
        if giveaway["status"] != "drawn":
            return 0
        lapsed = await conn.fetch(
            "UPDATE giveaway_winners SET status = 'lapsed' WHERE giveaway_id = $1"
            " AND status = 'won' AND claim_deadline <= now() RETURNING rank, round",
            giveaway_id,
        )
        if not lapsed:
            return 0
        if giveaway["on_unclaimed"] == "redraw":
            taken, last_round = await conn.fetchrow(
                "SELECT count(*), max(round) FROM giveaway_winners WHERE giveaway_id = $1",
                giveaway_id,
            )
            round_ = last_round + 1
            tokens = await _frozen_tokens(conn, giveaway)
            awarded = await _award(conn, giveaway, tokens, taken, len(lapsed), round_)
            await _give_back(conn, giveaway, f"round:{round_}", len(lapsed) - len(awarded))
            if awarded:
                _announce(tx, giveaway, "giveaway_redraw", round_, awarded)
        else:
            for winner in lapsed:
                await _give_back(conn, giveaway, f"rank:{winner['rank']}", 1)
        await _close_if_settled(conn, giveaway_id)
        return len(lapsed)


async def claim(
    settings: Settings, giveaway_id: int, actor: Actor, data: ClaimGiveaway | None = None
) -> ClaimOut:
    """The winner takes their prize, once, before the deadline: a red packet's part into their
    wallet, a copy of the coupon, or a product shipped to the address given (`addressId` or
    `address`) as a zero-price order on the host's desk. 404 for anyone who did not win (this
    giveaway is not theirs to claim); 409 `prize_already_claimed` (a product prize claimed again
    answers its order instead), `claim_expired`; 422 `address_required` for a product."""
    data = data or ClaimGiveaway()
    async with db.transaction() as tx:
        conn = tx.conn
        giveaway = await fetch(conn, giveaway_id)
        winner = await conn.fetchrow(
            "UPDATE giveaway_winners SET status = 'claimed', claimed_at = now()"
            " WHERE giveaway_id = $1 AND user_id = $2 AND status = 'won'"
            " AND claim_deadline > now() RETURNING *",
            giveaway_id,
            actor.id,
        )
        if winner is None:
            again = await _claimed_order(conn, giveaway, actor.id)
            if again is not None:
                return again
            raise await _refusal(conn, giveaway_id, actor.id)
        amount: int | None = None
        copy_id: int | None = None
        order_id: int | None = None
        if giveaway["prize_kind"] == "product":
            order_id = await _ship_prize(conn, giveaway, winner, actor.id, data)
        elif giveaway["prize_kind"] == "red_packet":
            amount = int(giveaway["prize_value"])
            held = await ledger.account_id(conn, None, Kind.RED_PACKET)
            wallet = await ledger.account_id(conn, actor.id, Kind.WALLET)
            await ledger.post(
                conn,
                f"giveaway:{giveaway_id}:prize:{winner['rank']}",
                "giveaway_prize",
                [(held, -amount), (wallet, amount)],
            )
        else:
            copy = await coupons.issue_copy(
                conn, giveaway["coupon_id"], actor.id, coupons.business_day(settings)
            )
            copy_id = int(copy["id"])
            await conn.execute(
                "UPDATE giveaway_winners SET user_coupon_id = $2 WHERE id = $1",
                winner["id"],
                copy_id,
            )
        await _close_if_settled(conn, giveaway_id)
    return ClaimOut(
        giveaway_id=giveaway_id,
        status="claimed",
        prize_kind=giveaway["prize_kind"],
        amount=amount,
        user_coupon_id=copy_id,
        order_id=order_id,
    )


async def _ship_prize(
    conn: Connection, giveaway: Record, winner: Record, user_id: int, data: ClaimGiveaway
) -> int:
    """The winner's unit as a zero-price order to the address they gave (the order's own helpers:
    a book entry of theirs, someone else's is 404, or an inline address). Its unit is one of
    those set aside at the start: the order's item is `stock_reserved`."""
    where = PlaceOrder(
        items=[OrderLine(sku_id=giveaway["sku_id"], quantity=1)],
        address=data.address,
        address_id=data.address_id,
    )
    addressing.check_given(where)  # raised here, the claim's UPDATE rolls back with it
    address = await addressing.copy_for_order(conn, user_id, where)
    order = await prizes.place_prize_order(
        conn,
        buyer_id=user_id,
        sku_id=giveaway["sku_id"],
        address=address,
        room_id=giveaway["room_id"],
        session_id=giveaway["session_id"],
        note=f"抽奖奖品 · {giveaway['title']} (giveaway {giveaway['id']})",
    )
    await conn.execute(
        "UPDATE giveaway_winners SET order_id = $2, address = $3::jsonb WHERE id = $1",
        winner["id"],
        order["id"],
        address,
    )
    return int(order["id"])


async def _claimed_order(conn: Connection, giveaway: Record, user_id: int) -> ClaimOut | None:
    """A product prize claimed already: the claim answers the same order (a retry, a double tap)."""
    if giveaway["prize_kind"] != "product":
        return None
    order_id = await conn.fetchval(
        "SELECT order_id FROM giveaway_winners WHERE giveaway_id = $1 AND user_id = $2"
        " AND status = 'claimed' AND order_id IS NOT NULL",
        giveaway["id"],
        user_id,
    )
    if order_id is None:
        return None
    return ClaimOut(
        giveaway_id=giveaway["id"],
        status="claimed",
        prize_kind="product",
        amount=None,
        user_coupon_id=None,
        order_id=int(order_id),
    )


async def _refusal(conn: Connection, giveaway_id: int, user_id: int) -> DomainError:
    row = await conn.fetchrow(
        "SELECT status FROM giveaway_winners WHERE giveaway_id = $1 AND user_id = $2",
        giveaway_id,
        user_id,
    )
    if row is None:
        return not_found(giveaway_id)
    if row["status"] == "claimed":
        return DomainError(ErrorCode.PRIZE_ALREADY_CLAIMED, detail="you have claimed this prize")
    return DomainError(ErrorCode.CLAIM_EXPIRED, detail="the time to claim this prize is over")


async def due() -> dict[str, Any]:
    """What the sweeper must catch: giveaways past their end and claims past their deadline."""
    async with db.connection() as conn:
        draws = await conn.fetch(
            "SELECT id FROM giveaways WHERE status = 'running' AND ends_at <= now() ORDER BY id"
        )
        expiries = await conn.fetch(
            "SELECT DISTINCT giveaway_id FROM giveaway_winners"
            " WHERE status = 'won' AND claim_deadline <= now() ORDER BY giveaway_id"
        )
    return {"draw": [r["id"] for r in draws], "expire": [r["giveaway_id"] for r in expiries]}
