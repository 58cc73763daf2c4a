from __future__ import annotations

import html
from typing import Any

import httpx
import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import Provide

from livecommerce.domains.payments import services, topups
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.domains.payments.providers import sandbox
from livecommerce.domains.payments.schemas import TopUp, TopUpOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.errors import DomainError, ErrorCode


class PaymentCallbackController(Controller):
    path = "/api/payments"
    tags = ["payments"]

    @post("/callback", status_code=200, exclude_from_auth=True)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        payment_hooks: PaymentHooks,
        provider: str = "sandbox",
    ) -> dict[str, str]:
        """Providers call this when a payment succeeds. Signed (HMAC); repeated deliveries change
        nothing."""
        body = await request.body()
        headers = {k.lower(): v for k, v in request.headers.items()}
        return {"result": await services.apply_callback(payment_hooks, provider, headers, body)}


class TopUpController(Controller):
    path = "/api/me/wallet"
    tags = ["wallet"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/topup", status_code=201)
    async def top_up(self, actor: Actor, data: TopUp) -> TopUpOut:
        """Add money to the wallet through a gateway: pay at `payUrl`."""
        return await topups.start_top_up(actor.id, data.amount, data.provider)


# A backslash ending a line joins it to the next (the page's long lines, split to fit).
_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">\
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Sandbox gateway</title>\
<style>body{{font:16px system-ui;max-width:28rem;margin:3rem auto;padding:0 1rem}}
button{{font-size:1.1rem;padding:.6rem 1.4rem}}.amount{{font-size:2rem;margin:1rem 0}}\
</style></head><body>
<h1>Sandbox payment gateway</h1><p>Payment #{id} · status <strong id="status">{status}</strong></p>
<p class="amount">¥{yuan}</p>
<button id="pay" {disabled}>Pay ¥{yuan}</button><p id="result" role="status"></p>
<script>
document.getElementById('pay').addEventListener('click', async (e) => {{
  e.target.disabled = true;
  const r = await fetch('/sandbox/pay/{id}/complete', {{method: 'POST'}});
  const body = await r.json();
  document.getElementById('result').textContent = \
r.ok ? 'Paid: ' + body.callback : (body.detail || 'Payment failed');
  if (r.ok) document.getElementById('status').textContent = 'succeeded';
}});
</script></body></html>"""


class SandboxGatewayController(Controller):
    """The sandbox gateway's hosted pages: what a buyer sees at the provider."""

    path = "/sandbox/pay"
    tags = ["sandbox gateway"]
    include_in_schema = True

    @get("/{payment_id:int}", media_type=MediaType.HTML, exclude_from_auth=True)
    async def page(self, payment_id: int) -> str:
        async with db.connection() as conn:
            payment = await conn.fetchrow(
                "SELECT id, amount, status FROM payments WHERE id = $1 AND provider = 'sandbox'",
                payment_id,
            )
        if payment is None:
            raise DomainError(
                ErrorCode.PAYMENT_NOT_FOUND, detail=f"no sandbox payment {payment_id}"
            )
        return _PAGE.format(
            id=payment["id"],
            status=html.escape(payment["status"]),
            yuan=f"{payment['amount'] / 100:.2f}",
            disabled="disabled" if payment["status"] != "pending" else "",
        )

    @post("/{payment_id:int}/complete", status_code=200, exclude_from_auth=True)
    async def complete(
        self, request: Request[Any, Any, Any], payment_id: int
    ) -> Response[dict[str, Any]]:
        """The buyer pays: the gateway books the charge, then delivers a signed callback to the
        shop."""
        gateway = sandbox()
        async with db.transaction() as tx:
            conn = tx.conn
            payment = await conn.fetchrow(
                "SELECT id, amount FROM payments WHERE id = $1 AND provider = 'sandbox'", payment_id
            )
            if payment is None:
                raise DomainError(
                    ErrorCode.PAYMENT_NOT_FOUND,
                    detail=f"no sandbox payment {payment_id}",
                )
            event = await gateway.charge(conn, payment_id, payment["amount"])
        body = msgspec.json.encode(event)
        url = str(request.base_url).rstrip("/") + "/api/payments/callback?provider=sandbox"
        async with httpx.AsyncClient(timeout=10) as client:
            delivered = await client.post(
                url,
                content=body,
                headers={"content-type": "application/json", gateway.header: gateway.sign(body)},
            )
        result = (
            delivered.json().get("result")
            if delivered.status_code == 200
            else delivered.json().get("code")
        )
        return Response(
            {"paymentId": payment_id, "callback": result, "callbackStatus": delivered.status_code}
        )


CONTROLLERS = [PaymentCallbackController, TopUpController, SandboxGatewayController]
