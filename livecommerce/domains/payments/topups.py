"""Wallet top-ups: money in through a gateway, credited to the user's wallet once it succeeds.

The wallet domain only reads balances; adding money is a payment, so it lives here.
"""

from __future__ import annotations

from asyncpg import Record

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.domains.payments import services as payments
from livecommerce.domains.payments.providers import taking_payments
from livecommerce.domains.payments.schemas import TopUpOut
from livecommerce.infra import db
from livecommerce.infra.db import Tx
from livecommerce.settings import Settings


async def start_top_up(
    settings: Settings, user_id: int, amount: int, provider_name: str
) -> TopUpOut:
    # Validate before writing: a pending payment of an unknown provider would be a row the
    # reconciler can never ask about, and one of a switched-off gateway could never be paid.
    taking_payments(provider_name)
    async with db.transaction() as tx:
        payment = await payments.create_payment(
            tx.conn,
            user_id=user_id,
            purpose="topup",
            amount=amount,
            order_id=None,
            provider_name=provider_name,
        )
    return TopUpOut(
        payment_id=payment["id"],
        amount=amount,
        pay_url=payments.checkout_url(payment, settings.base_url),
    )


async def top_up_succeeded(tx: Tx, payment: Record) -> None:
    """PaymentHooks.succeeded["topup"]: the gateway's money into the user's wallet."""
    conn = tx.conn
    gateway = await ledger.account_id(conn, None, Kind.GATEWAY)
    wallet_account = await ledger.account_id(conn, payment["user_id"], Kind.WALLET)
    await ledger.post(
        conn,
        f"payment:{payment['id']}",
        "topup",
        [(gateway, -payment["amount"]), (wallet_account, payment["amount"])],
    )
