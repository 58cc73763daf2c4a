from __future__ import annotations

import functools
import html
from string import Template
from typing import Annotated, Any
from urllib.parse import quote

from litestar import Controller, MediaType, Request, Response, get, post
from litestar.di import Provide
from litestar.exceptions import NotAuthorizedException
from litestar.params import Parameter

from livecommerce.domains.payments import services, topups
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.domains.payments.schemas import SandboxPaid, TopUp, TopUpOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import PROJECT_ROOT


class PaymentCallbackController(Controller):
    path = "/api/payments"
    tags = ["payments"]

    @post("/callback", status_code=200, exclude_from_auth=True)
    async def callback(
        self,
        request: Request[Any, Any, Any],
        payment_hooks: PaymentHooks,
        provider: Annotated[str, Parameter(max_length=16)] = "sandbox",
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
    async def top_up(self, request: Request[Any, Any, Any], actor: Actor, data: TopUp) -> TopUpOut:
        """Add money to the wallet through a gateway: pay at `payUrl` (absolute, under
        PUBLIC_URL for the sandbox's page)."""
        settings = request.app.state.settings
        return await topups.start_top_up(settings, actor.id, data.amount, data.provider)


SANDBOX_PAGE = PROJECT_ROOT / "static" / "pages" / "sandbox-pay.html"


@functools.cache
def _page_template() -> Template:
    return Template(SANDBOX_PAGE.read_text(encoding="utf-8"))


def _page(
    *, state: str, payment_id: int = 0, status: str = "", amount: int = 0, next_path: str = ""
) -> str:
    """The page in one of its states: `pay` (the payment's own payer) or `login`."""
    paying = state == "pay"
    return _page_template().substitute(
        state=state,
        payment_id=payment_id,
        status=html.escape(status),
        yuan=f"{amount / 100:.2f}",
        disabled="" if status == "pending" else "disabled",
        checkout_hidden="" if paying else "hidden",
        login_hidden="hidden" if paying else "",
        login_url=html.escape("/login?next=" + quote(next_path, safe="/")),
    )


def _login_first(request: Request[Any, Any, Any], _: NotAuthorizedException) -> Response[str]:
    # A browser gets a page that sends it to log in and back here; the status stays a 401.
    return Response(
        _page(state="login", next_path=request.url.path),
        status_code=401,
        media_type=MediaType.HTML,
        headers={"Cache-Control": "no-store"},
    )


class SandboxGatewayController(Controller):
    """The sandbox gateway's hosted pages: what a buyer sees at the provider.

    Registered only where the sandbox is on (`Settings.sandbox_enabled`: dev and test, or
    SANDBOX_GATEWAY=1), and only for the payment's own payer: paying here books money."""

    path = "/sandbox/pay"
    tags = ["sandbox gateway"]
    include_in_schema = True
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get(
        "/{payment_id:int}",
        media_type=MediaType.HTML,
        exception_handlers={NotAuthorizedException: _login_first},
    )
    async def page(self, actor: Actor, payment_id: int) -> Response[str]:
        async with db.connection() as conn:
            payment = await conn.fetchrow(
                "SELECT id, amount, status FROM payments"
                " WHERE id = $1 AND provider = 'sandbox' AND user_id = $2",
                payment_id,
                actor.id,
            )
        if payment is None:  # someone else's payment does not exist for you
            raise DomainError(
                ErrorCode.PAYMENT_NOT_FOUND, detail=f"no sandbox payment {payment_id}"
            )
        body = _page(
            state="pay",
            payment_id=payment["id"],
            status=payment["status"],
            amount=payment["amount"],
        )
        return Response(body, media_type=MediaType.HTML, headers={"Cache-Control": "no-store"})

    @post("/{payment_id:int}/complete", status_code=200)
    async def complete(
        self, actor: Actor, payment_hooks: PaymentHooks, payment_id: int
    ) -> SandboxPaid:
        """The payer pays: the gateway books the charge and the shop confirms it in-process,
        through the path a signed callback takes (no request back to this server). Idempotent."""
        result = await services.complete_in_sandbox(payment_hooks, payment_id, actor.id)
        return SandboxPaid(payment_id=payment_id, result=result)


CONTROLLERS = [PaymentCallbackController, TopUpController]
# Mounted by create_app only when the sandbox is on.
SANDBOX_CONTROLLERS = [SandboxGatewayController]
