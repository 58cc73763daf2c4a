"""Red packets (红包): a host sends money into the room in parts; viewers grab one part each.

- Sending: the parts are computed (pure rules), stored as rows in PostgreSQL and as a Redis
  list, and the total moves from the host's wallet into the platform's red-packet escrow
  through the ledger, in one transaction.
- Grabbing: one Lua script answers most of a storm (already grabbed? eligible? pop a part),
  so losers never touch PostgreSQL. A popped part is then written to PostgreSQL with the
  wallet credit in one transaction before the viewer hears of it; if that fails the part goes
  back to Redis, and PostgreSQL (unique packet+part, packet+user) refuses any double.
- Expiry: what PostgreSQL says is unclaimed goes back to the host, once (jobs.py).

Locks: a grab holds its packet row in SHARE mode (grabs of one packet commit side by side),
the refund in UPDATE mode (it waits for grabs in flight, and later grabs see it); then the
part row, then ledger accounts. The escrow is a derived-balance platform account, so no
single balance row serializes every grab; each packet's rows bound what it pays out.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from random import SystemRandom

import structlog
from asyncpg import Connection, Record, UniqueViolationError
from redis.asyncio import Redis
from redis.exceptions import RedisError
from redis.typing import EncodableT

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.live import events as room_events
from livecommerce.domains.live import moderation
from livecommerce.domains.live import queries as rooms
from livecommerce.domains.promotions import live_state
from livecommerce.domains.promotions.rules import best_luck, split_equal, split_lucky
from livecommerce.domains.promotions.schemas import (
    GrabOut,
    RedPacketClaim,
    RedPacketOut,
    SendRedPacket,
)
from livecommerce.infra import db, queue, redis_script_call
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.plain_words import Words

log = structlog.get_logger("promotions.red_packets")
_random = SystemRandom()
GRAB_ATTEMPTS = (
    4  # a popped part PostgreSQL says is taken (stale Redis) is dropped and another popped
)


def not_found(packet_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no red packet {packet_id}")


def _expired(packet_id: int) -> DomainError:
    return DomainError(
        ErrorCode.RED_PACKET_EXPIRED,
        detail="this red packet has expired",
        redPacketId=packet_id,
    )


# --- sending -------------------------------------------------------------------------------------


async def send_red_packet(
    redis: Redis, host_id: int, room_id: int, data: SendRedPacket
) -> RedPacketOut:
    if data.total_amount < data.count:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail="each part needs at least 1 fen: totalAmount >= count",
            field="totalAmount",
            words=Words("at_least_field", "totalAmount", {"other": "count"}),
        )
    amounts = (
        split_lucky(data.total_amount, data.count, _random)
        if data.split == "lucky"
        else split_equal(data.total_amount, data.count)
    )
    async with db.transaction() as tx:
        conn = tx.conn
        await rooms.hosted_room(conn, room_id, host_id)
        session = await rooms.live_session(conn, room_id)
        packet = await conn.fetchrow(
            "INSERT INTO red_packets (room_id, host_id, session_id, greeting, split, total_amount,"
            " count, claimed_count, claimed_amount, status, require_presence, min_watch_seconds,"
            " expires_at, created_at)"
            " VALUES ($1, $2, $3, $4, $5, $6, $7, 0, 0, 'active', $8, $9,"
            " now() + make_interval(mins => $10), now())"
            " RETURNING *",
            room_id,
            host_id,
            session["id"] if session else None,
            data.greeting,
            data.split,
            data.total_amount,
            data.count,
            data.require_presence,
            data.min_watch_seconds,
            data.expires_in_minutes,
        )
        await conn.execute(
            "INSERT INTO red_packet_parts (packet_id, idx, amount)"
            " SELECT $1, i - 1, a FROM unnest($2::bigint[]) WITH ORDINALITY AS u(a, i)",
            packet["id"],
            amounts,
        )
        wallet = await ledger.account_id(conn, host_id, Kind.WALLET)
        held = await ledger.account_id(conn, None, Kind.RED_PACKET)
        await ledger.post(
            conn,
            f"red_packet:{packet['id']}:fund",
            "red_packet",
            [(wallet, -data.total_amount), (held, data.total_amount)],
        )

        async def announce() -> None:
            try:
                await _load(redis, packet, free=list(enumerate(amounts)), winners=[])
            except RedisError as exc:  # the first grab rebuilds it from PostgreSQL
                log.warning("red_packet_not_loaded", red_packet_id=packet["id"], error=str(exc))
            sent = packet_event_fields(packet)
            await room_events.publish(
                room_id, room_events.event("red_packet", action="sent", redPacket=sent)
            )
            await queue.enqueue(
                "refund_red_packet",
                packet["id"],
                job_id=f"red-packet-refund:{packet['id']}",
                defer_until=packet["expires_at"],
            )

        tx.after_commit(announce)
    return packet_out(packet)


def packet_event_fields(packet: Record) -> dict[str, object]:
    return {
        "id": packet["id"],
        "greeting": packet["greeting"],
        "count": packet["count"],
        "totalAmount": packet["total_amount"],
        "claimedCount": packet["claimed_count"],
        "expiresAt": packet["expires_at"].isoformat(),
        "requirePresence": packet["require_presence"],
        "minWatchSeconds": packet["min_watch_seconds"],
    }


async def _load(
    redis: Redis, packet: Record, free: list[tuple[int, int]], winners: list[tuple[int, int, int]]
) -> None:
    """Put a packet's grab state in Redis (free parts, who won which), unless it is there
    already."""
    expires = packet["expires_at"].timestamp()
    ttl = max(60, int(expires - time.time()) + 3600)
    args: list[EncodableT] = [
        expires,
        int(packet["require_presence"]),
        packet["min_watch_seconds"],
        ttl,
        len(free),
    ]
    args += [live_state.encode_part(idx, amount) for idx, amount in free]
    for user_id, idx, amount in winners:
        args += [user_id, live_state.encode_part(idx, amount)]
    keys = live_state.packet_keys(packet["room_id"], packet["id"])
    await live_state.script(redis, "red_packet_load")(keys=keys, args=args)


async def _rebuild(redis: Redis, packet_id: int) -> None:
    """Redis lost the packet: PostgreSQL's parts say which are free and who won which."""
    async with db.connection() as conn:
        packet = await conn.fetchrow("SELECT * FROM red_packets WHERE id = $1", packet_id)
        if packet is None:
            raise not_found(packet_id)
        parts = await conn.fetch(
            "SELECT idx, amount, user_id FROM red_packet_parts WHERE packet_id = $1 ORDER BY idx",
            packet_id,
        )
    free = [
        (p["idx"], p["amount"])
        for p in parts
        if p["user_id"] is None and packet["refunded_at"] is None
    ]
    winners = [(p["user_id"], p["idx"], p["amount"]) for p in parts if p["user_id"] is not None]
    await _load(redis, packet, free, winners)


# --- grabbing ------------------------------------------------------------------------------------

_ROOM_OF: dict[int, int] = {}  # packet id -> room id: immutable, so cached for the hot path
_ROOM_OF_MAX = 10_000


async def _room_of(packet_id: int) -> int:
    room_id = _ROOM_OF.get(packet_id)
    if room_id is None:
        async with db.connection() as conn:
            room_id = await conn.fetchval(
                "SELECT room_id FROM red_packets WHERE id = $1", packet_id
            )
        if room_id is None:
            raise not_found(packet_id)
        if len(_ROOM_OF) >= _ROOM_OF_MAX:
            _ROOM_OF.clear()
        _ROOM_OF[packet_id] = room_id
    return room_id


@dataclass(frozen=True)
class Recorded:
    amount: int
    again: bool = False  # the part was already this user's in PostgreSQL (a repeat, or a retry)


class PartTaken(Exception):
    """PostgreSQL has the popped part for someone else: the Redis list was stale."""


# One round trip for the storm's winners: the packet row in SHARE mode (taken first: the part's
# UPDATE waits on it), the room ban in force now (PostgreSQL's word, whatever a cache said), the
# part written only when neither the ban nor the expiry stops it, and both ledger accounts' ids.
_WIN_SQL = """
WITH packet AS (
  SELECT id, room_id, status, expires_at <= now() AS past FROM red_packets
  WHERE id = $1 FOR SHARE
), banned AS (
  SELECT EXISTS (
    SELECT 1 FROM room_penalties rp JOIN packet ON rp.room_id = packet.room_id
    WHERE rp.user_id = $3 AND rp.kind = 'ban' AND rp.lifted_at IS NULL
      AND (rp.until IS NULL OR rp.until > now())
  ) AS yes
), part AS (
  UPDATE red_packet_parts SET user_id = $3, grabbed_at = now()
  WHERE packet_id = $1 AND idx = $2 AND user_id IS NULL
    AND EXISTS (SELECT 1 FROM packet WHERE status <> 'expired' AND NOT past)
    AND NOT (SELECT yes FROM banned)
  RETURNING amount
)
SELECT packet.room_id, packet.status, packet.past, (SELECT yes FROM banned) AS banned,
  (SELECT amount FROM part) AS amount,
  (SELECT id FROM accounts WHERE user_id IS NULL AND kind = $4) AS held,
  (SELECT id FROM accounts WHERE user_id = $3 AND kind = $5) AS wallet
FROM packet
"""


async def _record_win(conn: Connection, packet_id: int, user_id: int, idx: int) -> Recorded:
    """The truth: write the user on the part and credit the wallet, or find the part already the
    user's. A user banned from the room gets nothing, whatever a cache said."""
    row = await conn.fetchrow(
        _WIN_SQL, packet_id, idx, user_id, Kind.RED_PACKET.value, Kind.WALLET.value
    )
    if row is None:
        raise not_found(packet_id)
    if row["banned"]:
        raise rooms.banned_from(row["room_id"])
    if row["status"] == "expired" or row["past"]:
        raise _expired(packet_id)
    amount = row["amount"]
    if amount is None:
        owner = await conn.fetchrow(
            "SELECT user_id, amount FROM red_packet_parts WHERE packet_id = $1 AND idx = $2",
            packet_id,
            idx,
        )
        if owner["user_id"] == user_id:
            return Recorded(amount=owner["amount"], again=True)
        raise PartTaken()
    # (packet, user) is unique: a second part for this user fails here, and the caller sorts it out.
    held = row["held"] or await ledger.account_id(conn, None, Kind.RED_PACKET)
    wallet = row["wallet"] or await ledger.account_id(conn, user_id, Kind.WALLET)
    await ledger.post(
        conn,
        f"red_packet:{packet_id}:part:{idx}",
        "red_packet_grab",
        [(held, -amount), (wallet, amount)],
    )
    return Recorded(amount=amount)


async def _users_part(packet_id: int, user_id: int) -> int | None:
    async with db.connection() as conn:
        return await conn.fetchval(
            "SELECT amount FROM red_packet_parts WHERE packet_id = $1 AND user_id = $2",
            packet_id,
            user_id,
        )


async def _finish(room_id: int, packet_id: int) -> None:
    """Redis handed out its last part: once PostgreSQL has no free part either, the packet is
    finished."""
    async with db.transaction() as tx:
        conn = tx.conn
        packet = await conn.fetchrow(
            "UPDATE red_packets r SET status = 'finished', claimed_count = r.count,"
            " claimed_amount = r.total_amount"
            " WHERE id = $1 AND status = 'active'"
            " AND NOT EXISTS (SELECT 1 FROM red_packet_parts p"
            " WHERE p.packet_id = r.id AND p.user_id IS NULL) RETURNING *",
            packet_id,
        )
        if packet is not None:
            finished = room_events.event(
                "red_packet", action="finished", redPacket=packet_event_fields(packet)
            )
            tx.after_commit(lambda: room_events.publish(room_id, finished))


async def _release(redis: Redis, keys: list[str], user_id: int, part: str, push_back: bool) -> None:
    try:
        await live_state.script(redis, "red_packet_release")(
            keys=keys, args=[user_id, part, "1" if push_back else "0"]
        )
    except (
        RedisError
    ) as exc:  # the part stays free in PostgreSQL: a rebuild or the expiry refund finds it
        log.warning("red_packet_part_not_released", error=str(exc))


def _ineligible(outcome: list[bytes], packet_id: int) -> DomainError:
    if outcome[0] == b"absent":
        return DomainError(
            ErrorCode.RED_PACKET_NOT_ELIGIBLE,
            detail="join the live room to grab this red packet",
            redPacketId=packet_id,
        )
    wait = int(outcome[1])
    return DomainError(
        ErrorCode.RED_PACKET_NOT_ELIGIBLE,
        detail=f"watch {wait} more seconds to grab this red packet",
        redPacketId=packet_id,
        waitSeconds=wait,
    )


async def grab(
    redis: Redis, packet_id: int, user_id: int, *, room_id: int | None = None
) -> GrabOut:
    """Grab a part. `won` is only ever answered after PostgreSQL committed the part and the
    credit."""
    packet_room = await _room_of(packet_id)
    if room_id is not None and room_id != packet_room:
        raise not_found(packet_id)
    await moderation.ensure_not_banned(packet_room, user_id)  # cached: turns a storm away cheaply
    keys = live_state.packet_keys(packet_room, packet_id)
    grab_script = live_state.script(redis, "red_packet_grab")
    for _ in range(GRAB_ATTEMPTS):
        outcome = await redis_script_call.evalsha(
            redis, grab_script, [*keys, live_state.joined_key(packet_room)], [user_id, time.time()]
        )
        kind = outcome[0]
        if kind == b"lost":
            await _rebuild(redis, packet_id)
            continue
        if kind == b"empty":
            return GrabOut(red_packet_id=packet_id, outcome="empty")
        if kind == b"expired":
            raise _expired(packet_id)
        if kind in (b"absent", b"too_soon"):
            raise _ineligible(outcome, packet_id)
        part = outcome[1].decode()
        idx, _amount = live_state.decode_part(part)
        try:
            async with db.transaction() as tx:
                conn = tx.conn
                recorded = await _record_win(conn, packet_id, user_id, idx)
        except PartTaken:
            await _release(redis, keys, user_id, part, push_back=False)
            continue
        except UniqueViolationError:
            # Redis had forgotten this user's part (a rebuild raced a grab): the popped one is
            # still free.
            await _release(redis, keys, user_id, part, push_back=kind == b"won")
            amount = await _users_part(packet_id, user_id)
            if amount is None:
                continue
            return GrabOut(red_packet_id=packet_id, outcome="won", amount=amount, again=True)
        except DomainError as exc:
            if exc.code is not ErrorCode.BANNED:
                await _release(redis, keys, user_id, part, push_back=False)
            elif kind == b"won":  # banned meanwhile: the part is still free in PostgreSQL
                await _release(redis, keys, user_id, part, push_back=True)
            raise
        except BaseException:
            await _release(redis, keys, user_id, part, push_back=kind == b"won")
            raise
        if kind == b"won" and int(outcome[2]) == 0 and not recorded.again:
            await _finish(packet_room, packet_id)
        return GrabOut(
            red_packet_id=packet_id, outcome="won", amount=recorded.amount, again=recorded.again
        )
    raise DomainError(ErrorCode.BUSY, detail="please try again", redPacketId=packet_id)


# --- reading -------------------------------------------------------------------------------------


def packet_out(packet: Record, claims: list[RedPacketClaim] | None = None) -> RedPacketOut:
    """The packet as a viewer sees it; counts come from the claims (the row's are written when it
    ends)."""
    claims = claims or []
    status = packet["status"]
    if status == "active" and len(claims) == packet["count"]:
        status = (
            "finished"  # every part is in PostgreSQL; the row catches up in _finish or at expiry
        )
    best = best_luck([c.amount for c in claims]) if status != "active" else None
    return RedPacketOut(
        id=packet["id"],
        room_id=packet["room_id"],
        host_id=packet["host_id"],
        session_id=packet["session_id"],
        greeting=packet["greeting"],
        split=packet["split"],
        total_amount=packet["total_amount"],
        count=packet["count"],
        claimed_count=len(claims),
        claimed_amount=sum(c.amount for c in claims),
        status=status,
        require_presence=packet["require_presence"],
        min_watch_seconds=packet["min_watch_seconds"],
        expires_at=packet["expires_at"],
        refunded_amount=packet["refunded_amount"],
        created_at=packet["created_at"],
        claims=claims,
        best_luck=claims[best] if best is not None else None,
    )


async def get_red_packet(packet_id: int) -> RedPacketOut:
    """Status, who grabbed what (in grab order) and, once nothing is left to grab, the best luck."""
    async with db.connection() as conn:
        packet = await conn.fetchrow("SELECT * FROM red_packets WHERE id = $1", packet_id)
        if packet is None:
            raise not_found(packet_id)
        rows = await conn.fetch(
            "SELECT p.user_id, u.display_name, p.amount, p.grabbed_at"
            " FROM red_packet_parts p JOIN users u ON u.id = p.user_id"
            " WHERE p.packet_id = $1 ORDER BY p.grabbed_at, p.idx",
            packet_id,
        )
    claims = [
        RedPacketClaim(
            user_id=r["user_id"],
            display_name=r["display_name"],
            amount=r["amount"],
            grabbed_at=r["grabbed_at"],
        )
        for r in rows
    ]
    return packet_out(packet, claims)


# --- expiry --------------------------------------------------------------------------------------


async def refund_expired(packet_id: int) -> bool:
    """Past its expiry, give the host back exactly what PostgreSQL says is unclaimed, once.

    Returns False when there is nothing to do (not due, or already refunded): a second run,
    a late run or a run after Redis lost everything changes nothing."""
    async with db.transaction() as tx:
        conn = tx.conn
        packet = await conn.fetchrow(
            "SELECT *, expires_at <= now() AS due FROM red_packets WHERE id = $1 FOR UPDATE",
            packet_id,
        )
        if packet is None or packet["refunded_at"] is not None or not packet["due"]:
            return False
        claimed = await conn.fetchrow(
            "SELECT count(*) AS n, COALESCE(SUM(amount), 0) AS fen FROM red_packet_parts"
            " WHERE packet_id = $1 AND user_id IS NOT NULL",
            packet_id,
        )
        left = packet["total_amount"] - claimed["fen"]
        await conn.execute(
            "UPDATE red_packets"
            " SET status = CASE WHEN $2 = count THEN 'finished' ELSE 'expired' END,"
            " claimed_count = $2, claimed_amount = $3, refunded_amount = $4, refunded_at = now()"
            " WHERE id = $1",
            packet_id,
            claimed["n"],
            claimed["fen"],
            left,
        )
        if left > 0:
            held = await ledger.account_id(conn, None, Kind.RED_PACKET)
            wallet = await ledger.account_id(conn, packet["host_id"], Kind.WALLET)
            await ledger.post(
                conn,
                f"red_packet:{packet_id}:refund",
                "red_packet_refund",
                [(held, -left), (wallet, left)],
            )
    return True


async def due_for_refund(limit: int = 500) -> list[int]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT id FROM red_packets WHERE refunded_at IS NULL AND expires_at <= now()"
            " ORDER BY expires_at LIMIT $1",
            limit,
        )
    return [row["id"] for row in rows]


async def active_in_room(conn: Connection, room_id: int) -> list[dict[str, object]]:
    rows = await conn.fetch(
        "SELECT * FROM red_packets r"
        " WHERE room_id = $1 AND status = 'active' AND expires_at > now()"
        " AND EXISTS (SELECT 1 FROM red_packet_parts p"
        " WHERE p.packet_id = r.id AND p.user_id IS NULL) ORDER BY id DESC LIMIT 20",
        room_id,
    )
    return [packet_event_fields(row) for row in rows]
