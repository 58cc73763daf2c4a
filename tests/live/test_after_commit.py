"""A room hears of a purchase only once the payment has committed.

The paying transaction runs the order's `paid` reactions; the room's ticker and counters are
registered with `tx.after_commit`. Here a later reaction raises: the payment rolls back, and a
real websocket viewer of the room must see no purchase and no counter move, while a purchase
that does commit (on the normal app, a control) reaches the same viewer.
"""

from __future__ import annotations

import dataclasses

import httpx
import pytest

from livecommerce.app import create_app
from livecommerce.infra import db
from livecommerce.infra.db import Tx
from livecommerce.realtime import counters
from livecommerce.settings import Settings
from livecommerce.wiring import payment_hooks, wire
from tests import cluster_mode
from tests.live.conftest import event_of, events_for, joined
from tests.support import (
    LiveServer,
    complete_on_sandbox,
    live_room_with_product,
    pay_through_sandbox,
    place_order,
    public_at,
)


class ReactionFailed(RuntimeError):
    pass


async def _explode(tx: Tx, order: object) -> None:
    raise ReactionFailed("a reaction after the room's announcement failed")


@pytest.fixture
async def failing_server(migrated: Settings):
    """The app with one more `paid` reaction, after the room's, that always raises."""
    production = wire(migrated)
    orders = dataclasses.replace(production.orders, paid=(*production.orders.paid, _explode))
    # The payment hooks close over the order hooks: build them from the altered ones.
    wiring = dataclasses.replace(production, orders=orders, payments=payment_hooks(orders))
    server = LiveServer(lambda url: create_app(public_at(migrated, url), wiring))
    await server.start()
    yield server
    await server.stop()


async def test_a_payment_whose_later_reaction_fails_is_never_heard_of_in_the_room(
    client, user_factory, room_url, failing_server: LiveServer, migrated: Settings
) -> None:
    host, buyer = await user_factory("host", ["host"]), await user_factory("buyer")
    room, item = await live_room_with_product(client, host, price=1800, title="Oolong")
    sku_id = item["skus"][0]["id"]
    async with (
        httpx.AsyncClient(base_url=failing_server.url, timeout=30) as failing,
        joined(room_url(room["id"], failing_server), buyer) as (ws, _),
    ):
        order = (await place_order(failing, buyer, sku_id, roomId=room["id"])).json()
        started = await failing.post(
            f"/api/orders/{order['id']}/pay", json={"method": "gateway"}, headers=buyer.headers
        )
        done = await complete_on_sandbox(failing, buyer, started.json()["payUrl"])
        # The gateway booked the charge; the shop's confirming transaction rolled back whole.
        assert (done.status_code, done.json()["code"]) == (500, "internal_error")

        heard = await events_for(ws, quiet=1.5)  # several ticks of the room
        assert [e for e in heard if e["type"] == "purchase"] == []
        redis = cluster_mode.connect(migrated.redis_url or "")
        try:
            moved = await counters.read(redis, room["id"])
        finally:
            await redis.aclose()
        assert (moved.get("orders", 0), moved.get("gmv", 0)) == (0, 0)
        async with db.connection() as conn:
            state = await conn.fetchrow(
                "SELECT o.status, p.status AS payment, (SELECT count(*) FROM ledger_transactions)"
                " AS postings FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.id = $1",
                order["id"],
            )
        assert (state["status"], state["payment"], state["postings"]) == (
            "pending_payment",
            "pending",
            0,
        )

        # The control: the same viewer hears a purchase that commits (the normal app).
        other = (await place_order(client, buyer, sku_id, roomId=room["id"])).json()
        await pay_through_sandbox(client, buyer, other["id"])
        bought = await event_of(ws, "purchase")
        assert bought["product"] == "Oolong"
