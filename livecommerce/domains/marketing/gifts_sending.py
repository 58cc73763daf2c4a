"""Sending a gift (打赏): the sender's wallet pays, the host's share and the platform's fee are
credited, in one transaction keyed by the sender's Idempotency-Key.

- Caps: the sender's running totals for the business day and for the session are rows of
  `gift_tip_totals`, each raised by one conditional upsert that refuses to pass its cap. Two
  concurrent tips of one sender queue on those rows (their own, nobody else's) and the second
  sees the first's total, so no interleaving sums past a cap.
- Money: wallet -> the host's escrow bucket (ledger/buckets.py, keyed by the tip's id, so
  concurrent tippers of one host lock different rows) + the platform's revenue (a derived
  balance, no row lock), summing to zero, keyed `tip:<id>`. Not enough in the wallet: the
  ledger refuses (409 insufficient_balance) and the whole transaction, the caps' rows and the
  key's claim with it, rolls back.
- Who may tip: a signed-in viewer (guests are 401 at the controller), not banned from the room
  (PostgreSQL's word inside the transaction), not the host. A muted viewer may tip: a tip says
  nothing in the chat, and the animation shows only the gift.
- The room hears a `gift` priority event only after COMMIT (never sampled away).

Lock order: the idempotency key, the sender's cap rows (day, then session), the tip row, then
ledger accounts in ascending id (posting.py).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
from asyncpg import Connection

from livecommerce.domains import ledger
from livecommerce.domains.accounts import profile
from livecommerce.domains.catalog.locks import retried_once
from livecommerce.domains.ledger import Kind
from livecommerce.domains.ledger.buckets import bucket_account_id
from livecommerce.domains.live import events as room_events
from livecommerce.domains.live import moderation
from livecommerce.domains.live import queries as rooms
from livecommerce.domains.marketing import gifts_catalogue, gifts_settings
from livecommerce.domains.marketing.gifts_rules import (
    CapScope,
    TipSettings,
    cap_passed,
    day_scope,
    session_scope,
    split_tip,
)
from livecommerce.domains.marketing.gifts_schemas import SendGift, TipOut
from livecommerce.domains.orders import idempotency
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

# Tip keys live in the sender's Idempotency-Key space next to orders': prefixed, an order's key
# and a tip's key never meet.
KEY_PREFIX = "gift:"


class _Request(msgspec.Struct, frozen=True):
    """What the key's digest covers: the same body sent to another room is another request."""

    room_id: int
    gift_id: int
    quantity: int
    session_id: int | None


def _limit(scope: CapScope, cap: int, spent: int) -> DomainError:
    words = {"tip": "one tip", "session": "this session", "day": "today"}
    return DomainError(
        ErrorCode.TIP_LIMIT_REACHED,
        detail=f"tips are capped at {cap} fen for {words[scope]}; {max(0, cap - spent)} fen left",
        scope=scope,
        limit=cap,
        left=max(0, cap - spent),
    )


async def _raise_total(
    conn: Connection, user_id: int, scope: str, amount: int, cap: int
) -> int | None:
    """The sender's new total in `scope`, or None when `amount` more would pass `cap`."""
    total = await conn.fetchval(
        "INSERT INTO gift_tip_totals (user_id, scope, amount, tips, updated_at)"
        " VALUES ($1, $2, $3, 1, now())"
        " ON CONFLICT (user_id, scope) DO UPDATE SET amount = gift_tip_totals.amount + $3,"
        " tips = gift_tip_totals.tips + 1, updated_at = now()"
        " WHERE gift_tip_totals.amount + $3 <= $4"
        " RETURNING amount",
        user_id,
        scope,
        amount,
        cap,
    )
    return None if total is None else int(total)


async def _spent(conn: Connection, user_id: int, scope: str) -> int:
    found = await conn.fetchval(
        "SELECT amount FROM gift_tip_totals WHERE user_id = $1 AND scope = $2", user_id, scope
    )
    return int(found or 0)


async def _session_to_tip(conn: Connection, room_id: int, session_id: int | None) -> int:
    """The room's live session, which must be the one the viewer named (if any)."""
    live = await rooms.live_session(conn, room_id)
    if session_id is not None and (live is None or live["id"] != session_id):
        owner = await conn.fetchval("SELECT room_id FROM live_sessions WHERE id = $1", session_id)
        if owner != room_id:
            raise DomainError(
                ErrorCode.ROOM_MISMATCH,
                detail=f"session {session_id} is not a session of room {room_id}",
                field="sessionId",
            )
    if live is None or (session_id is not None and live["id"] != session_id):
        raise DomainError(
            ErrorCode.ROOM_NOT_LIVE, detail="the session has ended: tips wait for the next one"
        )
    return int(live["id"])


async def send_gift(
    settings: Settings, actor: Actor, room_id: int, data: SendGift, key: str
) -> tuple[int, bytes, bool]:
    """Send `data.quantity` of a gift to the room's live session; (status, JSON body, replayed).
    A retry with the same key and body replays the first answer and moves nothing."""
    # Cached: turns a banned sender away before a transaction (the transaction asks PostgreSQL).
    await moderation.ensure_not_banned(room_id, actor.id)
    digest = idempotency.request_hash(
        _Request(room_id, data.gift_id, data.quantity, data.session_id)
    )
    return await retried_once(
        lambda: _send(settings, actor, room_id, data, KEY_PREFIX + key, digest),
        what="sending a gift",
    )


async def _send(
    settings: Settings, actor: Actor, room_id: int, data: SendGift, key: str, digest: str
) -> tuple[int, bytes, bool]:
    async with db.transaction() as tx:
        conn = tx.conn
        stored = await idempotency.claim(
            conn, actor.id, key, digest, settings.idempotency_ttl_hours
        )
        if stored is not None:
            return stored.status, stored.body, True
        room = await rooms.room(conn, room_id)
        host_id = int(room["host_id"])
        if host_id == actor.id:
            raise DomainError(ErrorCode.CANNOT_TIP_SELF, detail="a host can't tip its own room")
        session_id = await _session_to_tip(conn, room_id, data.session_id)
        if await rooms.banned(conn, room_id, actor.id):
            raise rooms.banned_from(room_id)
        gift = await conn.fetchrow("SELECT * FROM gifts WHERE id = $1", data.gift_id)
        if gift is None:
            raise gifts_catalogue.not_found(data.gift_id)
        if not gift["enabled"]:
            raise DomainError(
                ErrorCode.GIFT_UNAVAILABLE,
                detail=f"{gift['name']} is no longer offered",
                giftId=data.gift_id,
            )
        amount = int(gift["price"]) * data.quantity
        caps = await gifts_settings.load(conn)
        tip_id, totals = await _take_caps(conn, settings, caps, actor.id, session_id, amount)
        share, fee = split_tip(amount, caps.platform_fee_bp)
        wallet = await ledger.account_id(conn, actor.id, Kind.WALLET)
        escrow = await bucket_account_id(conn, host_id, Kind.ESCROW, tip_id) if share else None
        revenue = await ledger.account_id(conn, None, Kind.REVENUE)
        tip = await conn.fetchrow(
            "INSERT INTO gift_tips (id, room_id, session_id, host_id, sender_id, gift_id,"
            " gift_name, unit_price, quantity, amount, fee, host_share, request_key,"
            " escrow_account_id, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())"
            " RETURNING created_at",
            tip_id,
            room_id,
            session_id,
            host_id,
            actor.id,
            gift["id"],
            gift["name"],
            gift["price"],
            data.quantity,
            amount,
            fee,
            share,
            key,
            escrow,
        )
        legs = [(wallet, -amount), (revenue, fee)]
        if escrow is not None:
            legs.append((escrow, share))
        await ledger.post(conn, f"tip:{tip_id}", "tip", legs)
        out = TipOut(
            id=tip_id,
            room_id=room_id,
            session_id=session_id,
            gift_id=gift["id"],
            gift_name=gift["name"],
            quantity=data.quantity,
            amount=amount,
            balance=await ledger.balance(conn, wallet),
            session_left=caps.max_per_session - totals[1],
            day_left=caps.max_per_day - totals[0],
            created_at=tip["created_at"],
        )
        body = msgspec.json.encode(out)
        await idempotency.remember(conn, actor.id, key, 201, body)
        event = room_events.event(
            "gift",
            priority=True,  # commerce: never sampled away (realtime/sampling.py)
            tipId=tip_id,
            sessionId=session_id,
            giftId=gift["id"],
            giftName=gift["name"],
            giftNameEn=gift["name_en"],
            icon=gift["icon"],
            price=gift["price"],
            quantity=data.quantity,
            senderId=actor.id,
            # The sender's session total feeds the room's top tippers, shown only when the
            # operator turned leaderboards on.
            senderTotal=totals[1] if caps.leaderboards_enabled else None,
        )

        async def announce() -> None:
            event["senderName"] = await profile.chat_name(actor)  # the name chat shows
            await room_events.publish(room_id, event)

        tx.after_commit(announce)
    return 201, body, False


async def _take_caps(
    conn: Connection,
    settings: Settings,
    caps: TipSettings,
    user_id: int,
    session_id: int,
    amount: int,
) -> tuple[int, tuple[int, int]]:
    """Raise the sender's day and session totals by `amount` within their caps; the new tip's id
    and the (day, session) totals after it."""
    today = datetime.now(ZoneInfo(settings.business_timezone)).date()
    passed = cap_passed(caps, amount)
    if passed == "tip":
        raise _limit("tip", caps.max_per_tip, 0)
    if passed is not None:  # more than a whole session's or day's cap in one tip
        scope = session_scope(session_id) if passed == "session" else day_scope(today)
        cap = caps.max_per_session if passed == "session" else caps.max_per_day
        raise _limit(passed, cap, await _spent(conn, user_id, scope))
    day = await _raise_total(conn, user_id, day_scope(today), amount, caps.max_per_day)
    if day is None:
        spent = await _spent(conn, user_id, day_scope(today))
        raise _limit("day", caps.max_per_day, spent)
    in_session = await _raise_total(
        conn, user_id, session_scope(session_id), amount, caps.max_per_session
    )
    if in_session is None:
        spent = await _spent(conn, user_id, session_scope(session_id))
        raise _limit("session", caps.max_per_session, spent)
    tip_id = int(await conn.fetchval("SELECT nextval('gift_tips_id_seq')"))
    return tip_id, (day, in_session)
