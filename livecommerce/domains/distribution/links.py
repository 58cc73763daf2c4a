"""Share links: a short code for a room or a product, a QR code of its URL, and the visit that
records a click, binds the visitor (or remembers the referral in a cookie) and redirects."""

from __future__ import annotations

import io
import time

import segno
from asyncpg import Connection, Record

from livecommerce.domains.distribution import bindings, config
from livecommerce.domains.distribution.distributors import with_new_code
from livecommerce.domains.distribution.hooks import DistributionHooks
from livecommerce.domains.distribution.schemas import CreateShareLink, ShareLinkOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings


def _out(row: dict, base_url: str) -> ShareLinkOut:
    return ShareLinkOut(
        id=row["id"],
        code=row["code"],
        target=row["target"],
        room_id=row["room_id"],
        product_id=row["product_id"],
        url=f"{base_url}/s/{row['code']}",
        qr_svg_url=f"{base_url}/s/{row['code']}/qr.svg",
        clicks=row.get("clicks", 0),
        created_at=row["created_at"],
    )


async def _ensure_distributor(conn: Connection, user_id: int) -> None:
    if not await conn.fetchval("SELECT 1 FROM distributors WHERE user_id = $1", user_id):
        raise DomainError(
            ErrorCode.NOT_A_DISTRIBUTOR,
            detail="become a distributor first: POST /api/distributors",
        )


async def create_link(env: Settings, actor: Actor, data: CreateShareLink) -> ShareLinkOut:
    async with db.transaction() as tx:
        conn = tx.conn
        await _ensure_distributor(conn, actor.id)
        if data.product_id is not None and not await conn.fetchval(
            "SELECT on_shelf FROM products WHERE id = $1", data.product_id
        ):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no product {data.product_id} on shelf")
        if data.room_id is not None and not await conn.fetchval(
            "SELECT 1 FROM rooms WHERE id = $1", data.room_id
        ):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no room {data.room_id}")
        target = "product" if data.product_id is not None else "room"

        async def insert(code: str) -> Record:
            row = await conn.fetchrow(
                "INSERT INTO share_links"
                " (code, distributor_id, target, room_id, product_id, created_at)"
                " VALUES ($1, $2, $3, $4, $5, now()) RETURNING *",
                code,
                actor.id,
                target,
                data.room_id,
                data.product_id,
            )
            if row is None:
                raise RuntimeError("INSERT ... RETURNING gave no share link row")
            return row

        row = await with_new_code(conn, insert)
    return _out(dict(row), env.base_url)


async def my_links(
    env: Settings, actor: Actor, cursor: int | None, limit: int
) -> tuple[list[ShareLinkOut], int | None]:
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT l.*, (SELECT count(*) FROM share_clicks c WHERE c.link_id = l.id) AS clicks"
            " FROM share_links l"
            " WHERE l.distributor_id = $1 AND ($2::int IS NULL OR l.id < $2)"
            " ORDER BY l.id DESC LIMIT $3",
            actor.id,
            cursor,
            limit + 1,
        )
    items = [_out(dict(row), env.base_url) for row in rows[:limit]]
    return items, (items[-1].id if len(rows) > limit else None)


async def visit(
    env: Settings,
    code: str,
    visitor: Actor | None,
    cookie: str | None,
    hooks: DistributionHooks = DistributionHooks(),  # noqa: B008 - frozen, shared on purpose
    guest_id: str | None = None,
) -> tuple[str, str | None, int]:
    """Record the click; bind a logged-in visitor now, or hand back a referral cookie to set.
    Returns (where to redirect, cookie value to set or None, cookie max-age). `hooks.clicked`
    run in the click's transaction (behaviour events)."""
    async with db.transaction() as tx:
        conn = tx.conn
        link = await conn.fetchrow("SELECT * FROM share_links WHERE code = $1", code.upper())
        if link is None:
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no share link {code!r}")
        settings = await config.load(conn, env)
        visitor_id = visitor.id if visitor else None
        await conn.execute(
            "INSERT INTO share_clicks (link_id, distributor_id, visitor_id, created_at)"
            " VALUES ($1, $2, $3, now())",
            link["id"],
            link["distributor_id"],
            visitor_id,
        )
        for clicked in hooks.clicked:
            await clicked(tx, link, visitor_id, guest_id)
        if visitor_id is not None and visitor_id != link["distributor_id"]:
            await bindings.bind(
                conn,
                settings,
                buyer_id=visitor_id,
                distributor_id=link["distributor_id"],
                link_id=link["id"],
                source="click",
            )
    target = (
        f"/rooms/{link['room_id']}"
        if link["target"] == "room"
        else f"/products/{link['product_id']}"
    )
    # First touch keeps the referral of the first visit; the others remember the latest.
    keep = settings.binding_mode == "first_touch" and bindings.verify(cookie) is not None
    if keep or (visitor is not None and visitor.id == link["distributor_id"]):
        return target, None, 0
    return target, bindings.sign(link["code"], int(time.time())), bindings.cookie_max_age(settings)


async def qr_svg(env: Settings, code: str) -> bytes:
    async with db.connection() as conn:
        if not await conn.fetchval("SELECT 1 FROM share_links WHERE code = $1", code.upper()):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"no share link {code!r}")
    out = io.BytesIO()
    segno.make(f"{env.base_url}/s/{code.upper()}", error="m").save(
        out, kind="svg", scale=4, xmldecl=False
    )
    return out.getvalue()
