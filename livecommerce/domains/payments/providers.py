"""Payment providers. Orders never see one: they ask the payments service, which asks the provider.

A real gateway (WeChat Pay, Alipay, Stripe) is one more class with these four methods.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from typing import Annotated, Protocol

import msgspec
from asyncpg import Connection

from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

# A signed callback older (or newer) than this is refused: a captured one can't be replayed later.
SIGNATURE_TOLERANCE_SECONDS = 600


class CallbackEvent(msgspec.Struct, rename="camel"):
    # Bounded by the columns they are written to (payments.id, payments.provider_ref): a value
    # that can't be stored is a refused callback, not a database error.
    payment_id: Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]
    provider_ref: Annotated[str, msgspec.Meta(min_length=1, max_length=64)]
    amount: int
    status: Annotated[str, msgspec.Meta(max_length=32)]


class PaymentProvider(Protocol):
    name: str

    def checkout_url(self, payment_id: int) -> str: ...

    def verify_callback(self, headers: dict[str, str], body: bytes) -> CallbackEvent: ...

    async def query(self, conn: Connection, payment_id: int) -> CallbackEvent | None: ...

    async def refund(self, conn: Connection, payment_id: int, amount: int, key: str) -> str: ...

    async def payout(
        self, conn: Connection, withdrawal_id: int, amount: int, key: str, destination: str = ""
    ) -> str: ...


class SandboxProvider:
    """A gateway that behaves like a real one: a hosted pay page, HMAC-signed callbacks
    (`X-Sandbox-Signature: t=<unix>,v1=<hex sha256 of "t.body">`), queries and refunds.
    Its own books live in `sandbox_charges`, standing in for the provider's side."""

    name = "sandbox"
    header = "x-sandbox-signature"

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def checkout_url(self, payment_id: int) -> str:
        return f"/sandbox/pay/{payment_id}"

    def sign(self, body: bytes, timestamp: int | None = None) -> str:
        ts = int(time.time()) if timestamp is None else timestamp
        digest = hmac.new(self._secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        return f"t={ts},v1={digest}"

    def verify_callback(self, headers: dict[str, str], body: bytes) -> CallbackEvent:
        header = headers.get(self.header, "")
        parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        try:
            ts = int(parts.get("t", ""))
        except ValueError:
            raise DomainError(
                ErrorCode.BAD_SIGNATURE, detail="missing or malformed signature"
            ) from None
        expected = hmac.new(self._secret, f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected, parts.get("v1", "")):
            raise DomainError(ErrorCode.BAD_SIGNATURE, detail="the signature does not match")
        if abs(time.time() - ts) > SIGNATURE_TOLERANCE_SECONDS:
            raise DomainError(ErrorCode.BAD_SIGNATURE, detail="the signature has expired")
        try:
            return msgspec.json.decode(body, type=CallbackEvent)
        except msgspec.ValidationError as exc:
            raise DomainError(ErrorCode.VALIDATION_ERROR, detail=str(exc)) from None

    async def charge(self, conn: Connection, payment_id: int, amount: int) -> CallbackEvent:
        """The buyer pays on the hosted page: the gateway books the charge (once)."""
        await conn.execute(
            "INSERT INTO sandbox_charges (payment_id, amount, refunded, status, created_at)"
            " VALUES ($1, $2, 0, 'succeeded', now()) ON CONFLICT (payment_id) DO NOTHING",
            payment_id,
            amount,
        )
        row = await conn.fetchrow(
            "SELECT id, amount FROM sandbox_charges WHERE payment_id = $1", payment_id
        )
        return CallbackEvent(
            payment_id=payment_id,
            provider_ref=f"sbx_{row['id']}",
            amount=row["amount"],
            status="succeeded",
        )

    async def query(self, conn: Connection, payment_id: int) -> CallbackEvent | None:
        row = await conn.fetchrow(
            "SELECT id, amount FROM sandbox_charges WHERE payment_id = $1", payment_id
        )
        if row is None:
            return None
        return CallbackEvent(
            payment_id=payment_id,
            provider_ref=f"sbx_{row['id']}",
            amount=row["amount"],
            status="succeeded",
        )

    async def refund(self, conn: Connection, payment_id: int, amount: int, key: str) -> str:
        done = await conn.fetchval(
            "UPDATE sandbox_charges SET refunded = refunded + $2"
            " WHERE payment_id = $1 AND refunded + $2 <= amount RETURNING id",
            payment_id,
            amount,
        )
        if done is None:
            raise DomainError(ErrorCode.REFUND_TOO_LARGE, detail="the gateway refused the refund")
        return f"sbx_refund_{key}_{secrets.token_hex(4)}"

    async def payout(
        self, conn: Connection, withdrawal_id: int, amount: int, key: str, destination: str = ""
    ) -> str:
        """Send money to a user (a withdrawal, a host payout). The sandbox always succeeds and
        books it in `sandbox_payouts` once per key: the same key, the same reference, and no
        second payment. `destination` is what the books say about where it went (masked)."""
        if amount <= 0:
            raise DomainError(ErrorCode.VALIDATION_ERROR, detail="a payout must be positive")
        await conn.execute(
            "INSERT INTO sandbox_payouts (key, amount, destination, created_at)"
            " VALUES ($1, $2, $3, now()) ON CONFLICT (key) DO NOTHING",
            key,
            amount,
            destination[:120],
        )
        return f"sbx_payout_{hashlib.sha256(key.encode()).hexdigest()[:16]}"


_providers: dict[str, PaymentProvider] = {}
# The providers that take money in: new payments and their callbacks. A provider registered but
# not here (the sandbox in production) still serves what exists: refunds, queries, payouts.
_taking_payments: set[str] = set()


def configure(settings: Settings) -> None:
    """Register the providers of this process (the api's startup and the worker's)."""
    enabled = settings.sandbox_enabled
    # Switched off, the sandbox signs and verifies with a key nobody knows: no default secret is
    # ever in use.
    secret = settings.sandbox_gateway_secret if enabled else secrets.token_hex(32)
    _providers["sandbox"] = SandboxProvider(secret)
    _taking_payments.discard("sandbox")
    if enabled:
        _taking_payments.add("sandbox")


def provider(name: str) -> PaymentProvider:
    try:
        return _providers[name]
    except KeyError:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR, detail=f"unknown payment provider {name!r}"
        ) from None


def taking_payments(name: str) -> PaymentProvider:
    """The provider, if it takes new payments and callbacks here (else a 400 with a code)."""
    found = provider(name)
    if name not in _taking_payments:
        raise DomainError(
            ErrorCode.PROVIDER_UNAVAILABLE,
            detail=f"payment provider {name!r} is not available here",
        )
    return found


def sandbox() -> SandboxProvider:
    found = provider("sandbox")
    if not isinstance(found, SandboxProvider):
        raise RuntimeError(f"the 'sandbox' provider is a {type(found).__name__}, not the sandbox")
    return found
