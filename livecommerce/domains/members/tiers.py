"""Tiers: a host's ladder and window, the upgrade on payment and the re-evaluation at the edge.

- The paid hook (`on_paid`, right after growth.on_paid in the same transaction) sums the
  member's growth in the current window and raises the tier at once; it never lowers it.
- A refund lowers growth (growth.on_refunded) and nothing else: the tier drops only at an edge.
- The edge job (`evaluate_host`) gives each member, once per edge, the higher of what the window
  that just closed earned and what the new one earned so far (tier_rules.at_edge). Each member is
  claimed for the edge by an upsert on member_tier_evaluations, so a second or late run of the
  job changes nothing more; the member row is then locked, so a payment committing meanwhile is
  counted (its growth row is visible once its lock is released) and never overwritten.

Lock order: evaluation rows, then member rows by ascending id (a payment locks its one member
row after its order and ledger rows, and never an evaluation row).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import structlog
from asyncpg import Connection, Record

from livecommerce.domains.members.hooks import MemberHooks, TierChange
from livecommerce.domains.members.tier_rules import (
    Tier,
    Window,
    at_edge,
    closing_start,
    current_start,
    higher,
    ladder_problems,
    last_edge,
    rank,
    upgraded,
)
from livecommerce.domains.members.tier_schemas import LadderIn, LadderOut, TierOut
from livecommerce.infra import db, queue
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode

log = structlog.get_logger("members.tiers")
CHUNK = 500


class Ladder:
    """A host's window and tiers, lowest first."""

    __slots__ = ("tiers", "updated_at", "window")

    def __init__(self, window: Window, tiers: list[Tier], updated_at: datetime) -> None:
        self.window = window
        self.tiers = tiers
        self.updated_at = updated_at  # a tier given before this was given by another ladder


async def load_ladder(conn: Connection, host_id: int) -> Ladder | None:
    row = await conn.fetchrow("SELECT * FROM member_tier_ladders WHERE host_id = $1", host_id)
    if row is None:
        return None
    tiers = await conn.fetch(
        "SELECT code, name, threshold FROM member_tiers WHERE host_id = $1 ORDER BY position",
        host_id,
    )
    return Ladder(
        Window(kind=row["window_kind"], days=row["window_days"], timezone=row["timezone"]),
        [Tier(code=t["code"], name=t["name"], threshold=t["threshold"]) for t in tiers],
        row["updated_at"],
    )


def tier_out(tier: Tier) -> TierOut:
    return TierOut(code=tier.code, name=tier.name, threshold=tier.threshold)


def ladder_out(ladder: Ladder | None, timezone: str) -> LadderOut:
    if ladder is None:
        return LadderOut(window="all", days=None, timezone=timezone, tiers=[])
    return LadderOut(
        window=ladder.window.kind,
        days=ladder.window.days,
        timezone=ladder.window.timezone,
        tiers=[tier_out(t) for t in ladder.tiers],
    )


async def growth_since(conn: Connection, member_id: int, start: datetime | None) -> int:
    """The member's growth from `start` on (None: all time)."""
    return int(
        await conn.fetchval(
            "SELECT COALESCE(SUM(amount), 0) FROM member_growth"
            " WHERE member_id = $1 AND ($2::timestamptz IS NULL OR created_at >= $2)",
            member_id,
            start,
        )
    )


# --- the host's ladder --------------------------------------------------------------------------


def _invalid(detail: str, **extra: Any) -> DomainError:
    return DomainError(ErrorCode.TIER_LADDER_INVALID, detail=detail, **extra)


async def get_ladder(host_id: int, timezone: str) -> LadderOut:
    async with db.connection() as conn:
        return ladder_out(await load_ladder(conn, host_id), timezone)


async def put_ladder(host_id: int, data: LadderIn, timezone: str) -> LadderOut:
    """Replace the host's ladder and window. Members are then re-evaluated (both ways, as at an
    edge) by the worker: their marks are cleared here and the job enqueued after COMMIT."""
    tiers = [Tier(code=t.code, name=t.name.strip(), threshold=t.threshold) for t in data.tiers]
    problems = ladder_problems(tiers)
    if any(not t.name for t in tiers):
        problems.append("tier names must not be blank")
    if (data.window == "days") != (data.days is not None):
        problems.append("days goes with window 'days', and only with it")
    if problems:
        raise _invalid("; ".join(problems), problems=problems)
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute(
            "INSERT INTO member_tier_ladders (host_id, window_kind, window_days, timezone,"
            " updated_at) VALUES ($1, $2, $3, $4, now()) ON CONFLICT (host_id) DO UPDATE"
            " SET window_kind = EXCLUDED.window_kind, window_days = EXCLUDED.window_days,"
            " timezone = EXCLUDED.timezone, updated_at = now()",
            host_id,
            data.window,
            data.days,
            timezone,
        )
        orphaned = await conn.fetch(
            "SELECT DISTINCT tier_code FROM member_benefits"
            " WHERE host_id = $1 AND enabled AND NOT (tier_code = ANY($2::text[]))",
            host_id,
            [t.code for t in tiers],
        )
        if orphaned:
            codes = sorted(r["tier_code"] for r in orphaned)
            raise DomainError(
                ErrorCode.TIER_HAS_BENEFITS,
                detail=f"remove the benefits of {', '.join(codes)} before removing the tier",
                tierCodes=codes,
            )
        await conn.execute("DELETE FROM member_tiers WHERE host_id = $1", host_id)
        await conn.executemany(
            "INSERT INTO member_tiers (host_id, code, name, threshold, position)"
            " VALUES ($1, $2, $3, $4, $5)",
            [(host_id, t.code, t.name, t.threshold, i) for i, t in enumerate(tiers)],
        )
        await conn.execute(
            "DELETE FROM member_tier_evaluations e USING members m"
            " WHERE e.member_id = m.id AND m.host_id = $1",
            host_id,
        )
        ladder = await load_ladder(conn, host_id)
        tx.after_commit(lambda: queue.enqueue("evaluate_member_tiers", host_id, job_id=None))
    return ladder_out(ladder, timezone)


# --- at once, on payment ------------------------------------------------------------------------


async def on_paid(
    tx: Tx,
    order: Record,
    hooks: MemberHooks = MemberHooks(),  # noqa: B008 - frozen, shared on purpose
) -> None:
    """OrderHooks.paid, after growth.on_paid: raise the buyer's tier if the current window's
    growth (this payment included) reaches a higher threshold. Never lowers it. `hooks` hear of
    the change in this transaction (wired with functools.partial)."""
    conn = tx.conn
    ladder = await load_ladder(conn, order["host_id"])
    if ladder is None or not ladder.tiers:
        return
    # growth.on_paid updated this row in this transaction: the lock is ours already.
    member = await conn.fetchrow(
        "SELECT id, tier_code FROM members WHERE host_id = $1 AND user_id = $2 FOR UPDATE",
        order["host_id"],
        order["buyer_id"],
    )
    if member is None:
        return
    now = await conn.fetchval("SELECT now()")
    growth = await growth_since(conn, member["id"], current_start(ladder.window, now))
    raised = upgraded(member["tier_code"], growth, ladder.tiers)
    if raised is not None:
        await conn.execute(
            "UPDATE members SET tier_code = $2, tier_changed_at = now() WHERE id = $1",
            member["id"],
            raised.code,
        )
        change = TierChange(
            order["host_id"],
            order["buyer_id"],
            member["id"],
            member["tier_code"],
            raised.code,
            raised.name,
        )
        for changed in hooks.tier_changed:
            await changed(tx, change)


@dataclass(frozen=True, slots=True)
class OnPaid:
    """`on_paid` telling `hooks`, as one OrderHooks.paid reaction (wiring.py). A value, not a
    functools.partial: two wirings built alike compare equal."""

    hooks: MemberHooks

    @property
    def func(self) -> Any:  # the reaction's name in wiring listings (like a partial's)
        return on_paid

    async def __call__(self, tx: Tx, order: Record) -> None:
        await on_paid(tx, order, self.hooks)


# --- at the edge, by the worker -----------------------------------------------------------------


async def _evaluate_chunk(
    conn: Connection, ladder: Ladder, member_ids: list[int], edge: datetime, now: datetime
) -> list[tuple[int, str, str]]:
    """The tiers changed: (member id, old code, new code)."""
    claimed = [
        r["member_id"]
        for r in await conn.fetch(
            "INSERT INTO member_tier_evaluations (member_id, edge)"
            " SELECT unnest($1::int[]), $2 ON CONFLICT (member_id) DO UPDATE"
            " SET edge = EXCLUDED.edge WHERE member_tier_evaluations.edge < EXCLUDED.edge"
            " RETURNING member_id",
            member_ids,
            edge,
        )
    ]
    if not claimed:
        return []
    held = {
        r["id"]: (r["tier_code"], r["raised_since"])
        for r in await conn.fetch(
            "SELECT id, tier_code, tier_changed_at >= $2 AS raised_since FROM members"
            " WHERE id = ANY($1::int[]) ORDER BY id FOR UPDATE",
            claimed,
            # Since the edge and under this ladder (a new ladder re-evaluates every tier).
            max(edge, ladder.updated_at),
        )
    }
    sums = {
        r["member_id"]: (r["closed"], r["current"])
        for r in await conn.fetch(
            "SELECT member_id,"
            " COALESCE(SUM(amount) FILTER (WHERE ($2::timestamptz IS NULL OR created_at >= $2)"
            "   AND created_at < $3), 0) AS closed,"
            " COALESCE(SUM(amount) FILTER (WHERE $4::timestamptz IS NULL OR created_at >= $4), 0)"
            "   AS current"
            " FROM member_growth WHERE member_id = ANY($1::int[]) GROUP BY member_id",
            claimed,
            closing_start(ladder.window, edge),
            edge,
            current_start(ladder.window, now),
        )
    }
    changes = []
    for member_id, (code, raised_since) in held.items():
        closed, current = sums.get(member_id, (0, 0))
        earned = at_edge(closed, current, ladder.tiers)
        if raised_since:
            # Upgraded after the edge (this run is late): that tier was earned in the new window
            # and holds until the next edge, even if a refund has lowered the growth since.
            earned = higher(earned, held_tier(ladder, code), ladder.tiers)
        new_code = earned.code if earned else ""
        if new_code != code:
            changes.append((member_id, code, new_code))
    await conn.executemany(
        "UPDATE members SET tier_code = $2, tier_changed_at = now() WHERE id = $1",
        [(m, new) for m, _, new in changes],
    )
    return changes


async def _tell(tx: Tx, hooks: MemberHooks, ladder: Ladder, host_id: int, changes: list) -> None:
    """The edge job's changes, to `hooks.tier_changed` (in the chunk's transaction)."""
    if not hooks.tier_changed or not changes:
        return
    users = {
        r["id"]: r["user_id"]
        for r in await tx.conn.fetch(
            "SELECT id, user_id FROM members WHERE id = ANY($1::int[])", [c[0] for c in changes]
        )
    }
    names = {t.code: t.name for t in ladder.tiers}
    for member_id, old, new in changes:
        change = TierChange(host_id, users[member_id], member_id, old, new, names.get(new, ""))
        for changed in hooks.tier_changed:
            await changed(tx, change)


async def evaluate_host(
    host_id: int,
    now: datetime | None = None,
    hooks: MemberHooks = MemberHooks(),  # noqa: B008 - frozen, shared on purpose
) -> int:
    """Re-evaluate the host's members not yet evaluated at the window's latest edge; returns how
    many tiers changed. Idempotent: a member is claimed once per edge."""
    now = now or datetime.now(UTC)
    async with db.connection() as conn:
        ladder = await load_ladder(conn, host_id)
    if ladder is None:
        return 0
    edge = last_edge(ladder.window, now)
    changed, cursor = 0, 0
    while True:
        async with db.transaction() as tx:
            conn = tx.conn
            ids = [
                r["id"]
                for r in await conn.fetch(
                    "SELECT m.id FROM members m"
                    " LEFT JOIN member_tier_evaluations e ON e.member_id = m.id"
                    " WHERE m.host_id = $1 AND m.id > $2 AND (e.edge IS NULL OR e.edge < $3)"
                    " ORDER BY m.id LIMIT $4",
                    host_id,
                    cursor,
                    edge,
                    CHUNK,
                )
            ]
            if not ids:
                break
            cursor = ids[-1]
            changes = await _evaluate_chunk(conn, ladder, ids, edge, now)
            changed += len(changes)
            await _tell(tx, hooks, ladder, host_id, changes)
    if changed:
        log.info("member_tiers_evaluated", host_id=host_id, changed=changed, edge=edge.isoformat())
    return changed


async def hosts_with_ladders() -> list[int]:
    async with db.connection() as conn:
        return [r["host_id"] for r in await conn.fetch("SELECT host_id FROM member_tier_ladders")]


def held_tier(ladder: Ladder | None, code: str) -> Tier | None:
    if ladder is None:
        return None
    i = rank(code, ladder.tiers)
    return ladder.tiers[i] if i >= 0 else None
