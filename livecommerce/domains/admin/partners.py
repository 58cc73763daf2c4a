"""Hosts and distributors as the operator reviews them: their figures, and suspension.

A suspended host can't go live or create products; a suspended distributor earns no commission
on orders placed from then on (the chain skips them as it skips a distributor without the role;
commissions already pending still settle) and can't withdraw. Both: 409 `suspended`, checked by
accounts/standing.py in the step's own transaction. Reinstating lifts it; both are audited
(host.suspend, host.reinstate, distributor.suspend, distributor.reinstate).
"""

from __future__ import annotations

from typing import Any

from asyncpg import Record

from livecommerce.domains.admin.schemas import (
    PartnerKind,
    PartnerPage,
    PartnerRow,
    PartnerStandingOut,
    SuspendPartner,
)
from livecommerce.domains.admin.users import BANNED_NOW, escape_like
from livecommerce.domains.distribution import bindings
from livecommerce.infra import audit, db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

_HOSTS = (
    "SELECT u.id, u.username, u.display_name, u.created_at, u.suspended_roles,"
    f" ({BANNED_NOW}) AS banned,"
    " (SELECT count(*) FROM rooms r WHERE r.host_id = u.id) AS rooms,"
    " f.orders, f.gmv, f.refunded"
    " FROM users u, LATERAL (SELECT count(*) AS orders,"
    "   COALESCE(SUM(o.pay_amount), 0)::bigint AS gmv,"
    "   COALESCE(SUM(o.refunded_amount), 0)::bigint AS refunded"
    "   FROM orders o WHERE o.host_id = u.id AND o.paid_at IS NOT NULL) f"
    " WHERE 'host' = ANY(u.roles)"
)

_DISTRIBUTORS = (
    "SELECT u.id, u.username, u.display_name, u.created_at, u.suspended_roles,"
    f" ({BANNED_NOW}) AS banned, d.code, f.orders, f.pending, f.settled"
    " FROM users u JOIN distributors d ON d.user_id = u.id,"
    " LATERAL (SELECT count(DISTINCT c.order_id) AS orders,"
    "   COALESCE(SUM(c.amount - c.reversed_amount)"
    "     FILTER (WHERE c.status IN ('pending', 'due')), 0)::bigint AS pending,"
    "   COALESCE(SUM(c.amount - c.reversed_amount)"
    "     FILTER (WHERE c.status = 'settled'), 0)::bigint AS settled"
    "   FROM commissions c WHERE c.distributor_id = u.id) f"
    " WHERE 'distributor' = ANY(u.roles)"
)


def _row(kind: PartnerKind, row: Record, bound: int = 0) -> PartnerRow:
    out = PartnerRow(
        user_id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        kind=kind,
        suspended=kind in (row["suspended_roles"] or []),
        banned=bool(row["banned"]),
        created_at=row["created_at"],
        orders=row["orders"],
    )
    if kind == "host":
        out.gmv, out.refunded, out.rooms = row["gmv"], row["refunded"], row["rooms"]
    else:
        out.code, out.bound_buyers = row["code"], bound
        out.commission_pending, out.commission_settled = row["pending"], row["settled"]
    return out


async def page(
    kind: PartnerKind, status: str | None, q: str | None, cursor: int | None, limit: int
) -> PartnerPage:
    """Newest first; `status` active or suspended; `q` part of the username or display name."""
    sql = _HOSTS if kind == "host" else _DISTRIBUTORS
    args: list[Any] = []

    def arg(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    if status in ("active", "suspended"):
        negate = "NOT " if status == "active" else ""
        sql += f" AND {negate}{arg(kind)}::varchar = ANY(u.suspended_roles)"
    if q and q.strip():
        pattern = arg(f"%{escape_like(q.strip().lower())}%")
        sql += f" AND (lower(u.username) LIKE {pattern} OR lower(u.display_name) LIKE {pattern})"
    if cursor is not None:
        sql += f" AND u.id < {arg(cursor)}"
    sql += f" ORDER BY u.id DESC LIMIT {arg(limit + 1)}"
    async with db.connection() as conn:
        rows = await conn.fetch(sql, *args)
        items = [
            _row(
                kind,
                row,
                await bindings.bound_buyers(conn, row["id"]) if kind == "distributor" else 0,
            )
            for row in rows[:limit]
        ]
    return PartnerPage(items=items, next_cursor=items[-1].user_id if len(rows) > limit else None)


async def set_suspended(
    actor: Actor, user_id: int, data: SuspendPartner, *, suspend: bool
) -> PartnerStandingOut:
    kind = data.kind
    async with db.transaction() as tx:
        conn = tx.conn
        row = await conn.fetchrow(
            "SELECT roles, suspended_roles FROM users WHERE id = $1 FOR UPDATE", user_id
        )
        if row is None or kind not in (row["roles"] or []):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"user {user_id} is not a {kind}")
        was = kind in (row["suspended_roles"] or [])
        if suspend and was:
            raise DomainError(ErrorCode.ALREADY_SUSPENDED, detail=f"this {kind} is suspended")
        if not suspend and not was:
            raise DomainError(ErrorCode.NOT_SUSPENDED, detail=f"this {kind} is not suspended")
        await conn.execute(
            "UPDATE users SET suspended_roles = CASE WHEN $3"
            " THEN array_append(suspended_roles, $2::varchar)"
            " ELSE array_remove(suspended_roles, $2::varchar) END WHERE id = $1",
            user_id,
            kind,
            suspend,
        )
        audit_id = await audit.record(
            conn,
            actor.id,
            f"{kind}.{'suspend' if suspend else 'reinstate'}",
            "user",
            user_id,
            before={f"{kind}Suspended": was},
            after={f"{kind}Suspended": suspend},
            reason=data.reason.strip(),
        )
    return PartnerStandingOut(user_id=user_id, kind=kind, suspended=suspend, audit_id=audit_id)
