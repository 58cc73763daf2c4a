"""Reading groups: the group page (/g/{id}) anyone with its link may see, and a buyer's own.

A group shows the seats taken by paid orders only (no fake members: there is no other way onto
one), each as a display name and its initial; never a user id, an order or an address. A
group whose leader has not paid yet is its leader's only."""

from __future__ import annotations

from datetime import UTC, datetime

from asyncpg import Connection

from livecommerce.domains.marketing.group_offers import prices_of
from livecommerce.domains.marketing.group_rules import GroupStatus, seats_left
from livecommerce.domains.marketing.group_schemas import (
    GroupMemberOut,
    GroupOut,
    MyGroupOut,
    MyPlace,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError, ErrorCode

MY_GROUPS_SHOWN = 50


def _not_found(group_id: int) -> DomainError:
    return DomainError(ErrorCode.NOT_FOUND, detail=f"no group {group_id}")


def initial(name: str) -> str:
    return name.strip()[:1].upper() or "?"


async def group_out(conn: Connection, group_id: int, viewer: Actor | None) -> GroupOut:
    group = await conn.fetchrow(
        "SELECT g.*, p.title, p.images[1] AS image_url"
        " FROM group_buys g JOIN products p ON p.id = g.product_id WHERE g.id = $1",
        group_id,
    )
    if group is None:
        raise _not_found(group_id)
    viewer_id = viewer.id if viewer else None
    if group["status"] in (GroupStatus.PENDING, GroupStatus.ABANDONED) and viewer_id not in (
        group["leader_id"],
        group["host_id"],
    ):
        raise _not_found(group_id)
    seated = await conn.fetch(
        "SELECT m.seat, m.user_id, u.display_name FROM group_buy_members m"
        " JOIN users u ON u.id = m.user_id WHERE m.group_id = $1 AND m.seat IS NOT NULL"
        " ORDER BY m.seat",
        group_id,
    )
    mine = None
    if viewer_id is not None:
        mine = await conn.fetchrow(
            "SELECT order_id, status, rehomed_from FROM group_buy_members"
            " WHERE group_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT 1",
            group_id,
            viewer_id,
        )
    prices = (await prices_of(conn, [group["product_id"]])).get(group["product_id"], [])
    cheapest = min(prices, key=lambda p: p.price) if prices else None
    return GroupOut(
        id=group["id"],
        product_id=group["product_id"],
        product_title=group["title"],
        image_url=group["image_url"],
        status=group["status"],
        group_size=group["group_size"],
        paid_count=group["paid_count"],
        seats_left=seats_left(group["group_size"], group["paid_count"]),
        expires_at=group["expires_at"],
        server_now=datetime.now(UTC),
        group_price=cheapest.price if cheapest else 0,
        list_price=cheapest.list_price if cheapest else 0,
        members=[
            GroupMemberOut(
                seat=row["seat"],
                name=row["display_name"],
                initial=initial(row["display_name"]),
                leader=row["user_id"] == group["leader_id"],
            )
            for row in seated
        ],
        prices=prices,
        me=MyPlace(
            order_id=mine["order_id"], status=mine["status"], rehomed_from=mine["rehomed_from"]
        )
        if mine
        else None,
    )


async def get_group(group_id: int, viewer: Actor | None) -> GroupOut:
    async with db.connection() as conn:
        return await group_out(conn, group_id, viewer)


async def my_groups(actor: Actor) -> list[MyGroupOut]:
    """The viewer's groups, newest first (an order cancelled unpaid left no group behind)."""
    async with db.connection() as conn:
        rows = await conn.fetch(
            "SELECT group_id, order_id FROM group_buy_members WHERE user_id = $1"
            " AND status <> 'released' ORDER BY id DESC LIMIT $2",
            actor.id,
            MY_GROUPS_SHOWN,
        )
        return [
            MyGroupOut(
                group=await group_out(conn, row["group_id"], actor), order_id=row["order_id"]
            )
            for row in rows
        ]
