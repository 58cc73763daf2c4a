"""Member-day red packets: personal packets, one per grant, that the member opens.

The room engine (promotions/red_packets.py) splits a packet among whoever grabs first in a room;
a member-day packet belongs to one member, so it is a row of its own with the same money path
and the same ledger kinds (the wallet pages word them as red packets):
- granted: the amount leaves the host's wallet into the platform's red-packet account
  (`member_packet:{id}:fund`, kind red_packet), in the grant's transaction (a short wallet
  refuses the grant: nothing is recorded);
- opened by the member: red-packet account -> member's wallet (`member_packet:{id}:open`);
- not opened by its expiry: back to the host's wallet, once (`member_packet:{id}:return`).
Each step is a conditional update of the packet's status plus one keyed posting, so a repeat
(a double click, a second run of the job) moves nothing twice.
"""

from __future__ import annotations

from datetime import timedelta

from asyncpg import Connection, Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db

OPEN_WITHIN = timedelta(days=7)


async def fund(conn: Connection, grant_id: int, host_id: int, user_id: int, benefit: Record) -> int:
    packet_id = await conn.fetchval(
        "INSERT INTO member_packets (grant_id, host_id, user_id, amount, status, expires_at,"
        " created_at) VALUES ($1, $2, $3, $4, 'sealed', now() + $5::interval, now()) RETURNING id",
        grant_id,
        host_id,
        user_id,
        benefit["amount"],
        OPEN_WITHIN,
    )
    wallet = await ledger.account_id(conn, host_id, Kind.WALLET)
    held = await ledger.account_id(conn, None, Kind.RED_PACKET)
    await ledger.post(
        conn,
        f"member_packet:{packet_id}:fund",
        "red_packet",
        [(wallet, -benefit["amount"]), (held, benefit["amount"])],
    )
    return int(packet_id)


async def sealed(conn: Connection, host_id: int, user_id: int) -> tuple[int, int]:
    row = await conn.fetchrow(
        "SELECT count(*) AS n, COALESCE(SUM(amount), 0) AS fen FROM member_packets"
        " WHERE host_id = $1 AND user_id = $2 AND status = 'sealed' AND expires_at > now()",
        host_id,
        user_id,
    )
    return int(row["n"]), int(row["fen"])


async def open_all(host_id: int, user_id: int) -> tuple[int, int]:
    """Open the member's sealed packets from this host into their wallet: (count, fen)."""
    async with db.transaction() as tx:
        conn = tx.conn
        opened = await conn.fetch(
            "UPDATE member_packets SET status = 'opened', settled_at = now()"
            " WHERE host_id = $1 AND user_id = $2 AND status = 'sealed' AND expires_at > now()"
            " RETURNING id, amount",
            host_id,
            user_id,
        )
        if opened:
            held = await ledger.account_id(conn, None, Kind.RED_PACKET)
            wallet = await ledger.account_id(conn, user_id, Kind.WALLET)
            for packet in sorted(opened, key=lambda r: r["id"]):
                await ledger.post(
                    conn,
                    f"member_packet:{packet['id']}:open",
                    "red_packet_grab",
                    [(held, -packet["amount"]), (wallet, packet["amount"])],
                )
    return len(opened), sum(p["amount"] for p in opened)


async def return_expired(limit: int = 500) -> int:
    """Packets past their expiry and still sealed go back to their hosts, once each."""
    async with db.transaction() as tx:
        conn = tx.conn
        returned = await conn.fetch(
            "UPDATE member_packets SET status = 'returned', settled_at = now()"
            " WHERE id IN (SELECT id FROM member_packets WHERE status = 'sealed'"
            "   AND expires_at <= now() ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED)"
            " RETURNING id, host_id, amount",
            limit,
        )
        if returned:
            held = await ledger.account_id(conn, None, Kind.RED_PACKET)
            wallets = await ledger.account_ids(
                conn, sorted({p["host_id"] for p in returned}), Kind.WALLET
            )
            # post_many locks the hosts' wallets in ascending id order: two runs never deadlock.
            await ledger.post_many(
                conn,
                "red_packet_refund",
                [
                    (
                        f"member_packet:{p['id']}:return",
                        [(held, -p["amount"]), (wallets[p["host_id"]], p["amount"])],
                    )
                    for p in returned
                ],
            )
    return len(returned)
