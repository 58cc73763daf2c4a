"""Random sequences of pay / top-up / refund / ship / confirm / complete / cancel / callback
replays against the real services and PostgreSQL; after every step the ledger's laws hold:
every transaction sums to zero, every balance equals the sum of its entries and is not
negative, and each host's escrow equals what its open paid orders still hold."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, rule

from bench.ledger_checks import ledger_problems
from livecommerce.domains.catalog import services as catalog
from livecommerce.domains.catalog.schemas import CreateProduct, SkuIn
from livecommerce.domains.orders import after_sales, lifecycle, refunds
from livecommerce.domains.orders import services as orders
from livecommerce.domains.orders.schemas import Address, OrderLine, PlaceOrder, RequestRefund
from livecommerce.domains.payments import services as payments
from livecommerce.domains.payments import topups
from livecommerce.domains.payments.providers import sandbox
from livecommerce.domains.tables import ALL_TABLES
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.errors import DomainError
from livecommerce.wiring import wire
from tests.support import ADDRESS


@pytest.fixture
async def event_loop_ref(live) -> asyncio.AbstractEventLoop:
    return asyncio.get_running_loop()


class LedgerMachine(RuleBasedStateMachine):
    loop: asyncio.AbstractEventLoop
    app_settings: Any
    orders_ = Bundle("orders")

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    def attempt(self, coro: Any) -> Any:
        """Refusals (illegal transition, short balance) are legitimate outcomes; anything else fails
        the test."""
        try:
            return self.run(coro)
        except DomainError:
            return None

    @initialize()
    def setup(self) -> None:
        async def reset() -> None:
            names = ", ".join(f'"{t._meta.tablename}"' for t in ALL_TABLES)
            async with db.connection() as conn:
                await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
                ids = [
                    await conn.fetchval(
                        "INSERT INTO users (username, display_name, password_hash, roles, "
                        "created_at, roles_changed_at) VALUES ($1, $1, 'x', $2, now(), now()) "
                        "RETURNING id",
                        name,
                        roles,
                    )
                    for name, roles in (
                        ("host", ["host"]),
                        ("buyer1", []),
                        ("buyer2", []),
                        ("admin", ["admin"]),
                    )
                ]
            return ids

        host, b1, b2, admin = self.run(reset())
        self.host = Actor(id=host, username="host", roles=frozenset({"host"}))
        self.buyers = [Actor(id=b1, username="buyer1"), Actor(id=b2, username="buyer2")]
        self.admin = Actor(id=admin, username="admin", roles=frozenset({"admin"}))
        product = self.run(
            catalog.create_product(
                host,
                CreateProduct(
                    title="Tea",
                    skus=[
                        SkuIn(name="a", price=1234, stock=10_000),
                        SkuIn(name="b", price=99, stock=10_000),
                    ],
                ),
            )
        )
        self.skus = [sku.id for sku in product.skus]
        self.buyer_of: dict[int, Actor] = {}

    @rule(
        target=orders_,
        buyer=st.integers(0, 1),
        lines=st.lists(st.tuples(st.integers(0, 1), st.integers(1, 3)), min_size=1, max_size=2),
    )
    def place(self, buyer: int, lines: list[tuple[int, int]]) -> int:
        data = PlaceOrder(
            items=[OrderLine(sku_id=self.skus[i], quantity=q) for i, q in lines],
            address=Address(**ADDRESS),
        )
        _, body, _ = self.run(
            orders.place_order(
                self.app_settings, self.wiring.orders, self.buyers[buyer].id, data, uuid.uuid4().hex
            )
        )
        import json

        order_id = json.loads(body)["id"]
        self.buyer_of[order_id] = self.buyers[buyer]
        return order_id

    @rule(order=orders_)
    def pay_by_gateway(self, order: int) -> None:
        started = self.attempt(
            lifecycle.start_payment(
                self.app_settings,
                self.wiring.payments,
                order,
                self.buyer_of[order],
                "gateway",
                "sandbox",
            )
        )
        if started is None:
            return

        async def complete() -> None:
            async with db.transaction() as tx:
                conn = tx.conn
                event = await sandbox().charge(conn, started.payment_id, started.amount)
            await payments.confirm(self.wiring.payments, "sandbox", event)
            await payments.confirm(
                self.wiring.payments, "sandbox", event
            )  # the gateway delivers twice

        self.run(complete())

    @rule(buyer=st.integers(0, 1), amount=st.integers(1, 5000))
    def top_up(self, buyer: int, amount: int) -> None:
        started = self.run(
            topups.start_top_up(self.app_settings, self.buyers[buyer].id, amount, "sandbox")
        )

        async def complete() -> None:
            async with db.transaction() as tx:
                conn = tx.conn
                event = await sandbox().charge(conn, started.payment_id, amount)
            await payments.confirm(self.wiring.payments, "sandbox", event)

        self.run(complete())

    @rule(order=orders_)
    def pay_from_wallet(self, order: int) -> None:
        self.attempt(
            lifecycle.start_payment(
                self.app_settings,
                self.wiring.payments,
                order,
                self.buyer_of[order],
                "wallet",
                "sandbox",
            )
        )

    @rule(order=orders_)
    def cancel(self, order: int) -> None:
        self.attempt(lifecycle.cancel(self.wiring.orders, order, self.buyer_of[order], "buyer"))

    @rule(order=orders_)
    def ship(self, order: int) -> None:
        self.attempt(lifecycle.ship(self.app_settings, order, self.host, "T1"))

    @rule(order=orders_)
    def confirm(self, order: int) -> None:
        self.attempt(lifecycle.confirm(self.app_settings, order, self.buyer_of[order]))

    @rule(order=orders_)
    def complete(self, order: int) -> None:
        self.attempt(lifecycle.complete(self.app_settings, self.wiring.orders, order, self.admin))

    @rule(order=orders_, amount=st.none() | st.integers(1, 3000), approve=st.booleans())
    def refund(self, order: int, amount: int | None, approve: bool) -> None:
        asked = self.attempt(
            after_sales.request_refund(
                order, self.buyer_of[order], RequestRefund(reason="r", amount=amount)
            )
        )
        if asked is None:
            return
        refund_id = asked.refunds[-1].id
        self.attempt(
            refunds.approve_refund(self.app_settings, self.wiring.orders, refund_id, self.host)
            if approve
            else refunds.reject_refund(self.app_settings, refund_id, self.host)
        )

    @invariant()
    def ledger_laws_hold(self) -> None:
        if not hasattr(self, "host"):
            return

        async def check() -> None:
            async with db.connection() as conn:
                assert await ledger_problems(conn) == []
                negative = await conn.fetch(
                    "SELECT id, balance FROM accounts WHERE NOT derived_balance AND balance < 0"
                )
                assert negative == []
                escrow = await conn.fetchval(
                    "SELECT COALESCE(SUM(balance), 0) FROM accounts"  # every escrow bucket
                    " WHERE kind = 'escrow' OR kind LIKE 'escrow.%'"
                )
                held = await conn.fetchval(
                    "SELECT COALESCE(SUM(pay_amount - refunded_amount), 0) FROM orders"
                    " WHERE status IN ('paid', 'shipped', 'received', 'refunding')"
                )
                assert escrow == held

        self.run(check())


def test_ledger_laws_hold_over_random_order_lifecycles(event_loop_ref, migrated) -> None:
    LedgerMachine.loop = event_loop_ref
    LedgerMachine.app_settings = migrated
    LedgerMachine.wiring = wire(migrated)
    machine = LedgerMachine.TestCase
    machine.settings = settings(
        max_examples=30,
        stateful_step_count=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    machine().runTest()
