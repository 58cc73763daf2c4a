from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, Response, get, post, put
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.params import Parameter, QueryParameter
from litestar.response import Redirect

from livecommerce.domains.accounts import services as accounts
from livecommerce.domains.accounts.controllers import issue_token
from livecommerce.domains.accounts.hooks import AccountHooks
from livecommerce.domains.distribution import (
    bindings,
    config,
    distributors,
    links,
    products,
    queries,
    withdrawals,
)
from livecommerce.domains.distribution.hooks import DistributionHooks
from livecommerce.domains.distribution.rules import DistributionConfig, DistributionConfigChange
from livecommerce.domains.distribution.schemas import (
    BecomeDistributor,
    CommissionPage,
    CommissionRates,
    CommissionRatesOut,
    CreateShareLink,
    DistributorOut,
    DistributorStats,
    RejectWithdrawal,
    RequestWithdrawal,
    SetParent,
    ShareLinkOut,
    ShareLinkPage,
    TeamPage,
    WithdrawalOut,
    WithdrawalPage,
)
from livecommerce.infra.auth import Actor, authenticated, provide_actor, publish_roles, requires
from livecommerce.realtime import guests
from livecommerce.settings import Settings

Limit = Annotated[int, Parameter(ge=1, le=100)]
# Link codes are 8 characters today; a longer one is no link, and is not looked up.
LinkCode = Annotated[str, Parameter(max_length=32)]
WithdrawalStatus = Literal["pending", "paid", "rejected"]


def _env(request: Request[Any, Any, Any]) -> Settings:
    return request.app.state.settings


class DistributorController(Controller):
    path = "/api/distributors"
    tags = ["distribution"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/", status_code=201)
    async def become(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        account_hooks: AccountHooks,
        data: BecomeDistributor,
    ) -> Response[DistributorOut]:
        """Become a distributor: a code to share, a parent (by `parentCode`, else the distributor
        you are bound to, else the one whose link brought you). Active at once with open signup
        (201, with a fresh `token` carrying the role), else once an admin approves (202)."""
        out, roles = await distributors.become(
            _env(request), account_hooks, actor, data.parent_code, data.note
        )
        if roles is None:
            return Response(out, status_code=201 if out.status == "active" else 202)
        await publish_roles(
            request.app.state.redis, actor.id, roles, _env(request).token_ttl_minutes * 60
        )
        out.token, cookie = issue_token(request, await accounts.get_user(actor.id))
        return Response(out, status_code=201, cookies=[cookie])

    @get("/me")
    async def me(self, actor: Actor) -> DistributorStats:
        """Clicks, bound buyers, orders; in fen: pending, settled, withdrawn, held, available."""
        return await queries.stats(actor.id)

    @get("/me/team")
    async def team(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        level: Annotated[int | None, Parameter(ge=1, le=3)] = None,
        cursor: int | None = None,
        limit: Limit = 20,
    ) -> TeamPage:
        """The downline by level (1: recruited by you, 2: by them, 3), each with this month's
        sales (the month of BUSINESS_TIMEZONE)."""
        timezone = request.app.state.settings.business_timezone
        return await queries.team(actor.id, level, cursor, limit, timezone=timezone)

    @get("/me/commissions")
    async def commissions(
        self,
        actor: Actor,
        status: Literal["pending", "due", "settled", "reversed"] | None = None,
        order_id: Annotated[int | None, QueryParameter(name="orderId", ge=1)] = None,
        cursor: int | None = None,
        limit: Limit = 20,
    ) -> CommissionPage:
        """Your commissions, newest first; `orderId` narrows them to one order's."""
        await distributors.require_profile(actor.id)
        return await queries.commissions(actor.id, status, cursor, limit, order_id=order_id)

    @post("/me/withdrawals", status_code=201, guards=[requires("distributor")])
    async def withdraw(
        self, request: Request[Any, Any, Any], actor: Actor, data: RequestWithdrawal
    ) -> WithdrawalOut:
        """Ask to take money out of the wallet: it is held until an operator decides."""
        await distributors.require_profile(actor.id)
        return await withdrawals.request(_env(request), actor.id, data.amount, data.note)

    @get("/me/withdrawals")
    async def withdrawals(
        self,
        actor: Actor,
        status: WithdrawalStatus | None = None,
        cursor: int | None = None,
        limit: Limit = 20,
    ) -> WithdrawalPage:
        await distributors.require_profile(actor.id)
        return await withdrawals.page(actor.id, status, cursor, limit)


class ShareLinkController(Controller):
    path = "/api/share-links"
    tags = ["distribution"]
    guards = [requires("distributor")]
    dependencies = {"actor": Provide(provide_actor)}

    @post("/", status_code=201)
    async def create(
        self, request: Request[Any, Any, Any], actor: Actor, data: CreateShareLink
    ) -> ShareLinkOut:
        """A short link (and its QR code) to a room or a product, carrying your code."""
        return await links.create_link(_env(request), actor, data)

    @get("/")
    async def mine(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        cursor: int | None = None,
        limit: Limit = 20,
    ) -> ShareLinkPage:
        await distributors.require_profile(actor.id)
        items, next_cursor = await links.my_links(_env(request), actor, cursor, limit)
        return ShareLinkPage(items=items, next_cursor=next_cursor)


class ShortLinkController(Controller):
    path = "/s"
    tags = ["distribution"]

    @get("/{code:str}", status_code=302)
    async def visit(
        self,
        request: Request[Any, Any, Any],
        maybe_actor: Actor | None,
        code: LinkCode,
        distribution_hooks: DistributionHooks,
        g: Annotated[int | None, Parameter(ge=1, le=2**31 - 1)] = None,
    ) -> Redirect:
        """Record the click, bind the visitor (logged in) or set a referral cookie, redirect.
        `g`: a group buy of the link's product, shared by the distributor: land on its page."""
        guest = request.cookies.get(guests.COOKIE, "")
        signed = guests.GuestIds(_env(request).secret_key).valid(guest) if guest else False
        target, cookie, max_age = await links.visit(
            _env(request),
            code,
            maybe_actor,
            request.cookies.get(bindings.COOKIE),
            distribution_hooks,
            guests.viewer_id(guest) if signed else None,
        )
        cookies = (
            [
                Cookie(
                    key=bindings.COOKIE,
                    value=cookie,
                    max_age=max_age,
                    httponly=True,
                    samesite="lax",
                    secure=_env(request).cookie_secure,
                    path="/",
                )
            ]
            if cookie
            else []
        )
        if g is not None and target.startswith("/products/"):
            target = f"/g/{g}"  # a path of this site built from an int: no open redirect
        return Redirect(path=target, status_code=302, cookies=cookies)

    @get("/{code:str}/qr.svg", media_type="image/svg+xml", cache_control=None)
    async def qr(self, request: Request[Any, Any, Any], code: LinkCode) -> Response[bytes]:
        return Response(
            await links.qr_svg(_env(request), code),
            media_type="image/svg+xml",
            headers={"Cache-Control": "public, max-age=86400"},
        )


class ProductCommissionController(Controller):
    path = "/api/products/{product_id:int}/commission-rates"
    tags = ["distribution"]

    @get("/")
    async def get_rates(
        self, request: Request[Any, Any, Any], maybe_actor: Actor | None, product_id: int
    ) -> CommissionRatesOut:
        return await products.get_rates(_env(request), product_id, maybe_actor)

    @put("/", guards=[requires("host")], dependencies={"actor": Provide(provide_actor)})
    async def set_rates(
        self, request: Request[Any, Any, Any], actor: Actor, product_id: int, data: CommissionRates
    ) -> CommissionRatesOut:
        """The host overrides a product's commission rate per level (null: the platform's)."""
        return await products.set_rates(_env(request), product_id, actor, data.rates_bp)


class AdminDistributionController(Controller):
    path = "/api/admin"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/settings")
    async def get_settings(self, request: Request[Any, Any, Any]) -> DistributionConfig:
        """Distribution settings in force (defaults where never set)."""
        return await config.current(_env(request))

    @put("/settings")
    async def put_settings(
        self, request: Request[Any, Any, Any], actor: Actor, data: DistributionConfigChange
    ) -> DistributionConfig:
        """Change some settings (the fields left out keep their value); validated whole, then
        audited."""
        return await config.update(_env(request), actor.id, msgspec.to_builtins(data))

    @get("/settings/audit")
    async def audit(self, limit: Limit = 50) -> list[config.AuditOut]:
        """Every change of the settings, newest first: who, when, before and after."""
        return await config.audit_log(limit)

    @get("/withdrawals")
    async def withdrawals(
        self, status: WithdrawalStatus | None = None, cursor: int | None = None, limit: Limit = 20
    ) -> WithdrawalPage:
        return await withdrawals.page(None, status, cursor, limit)

    @post("/withdrawals/{withdrawal_id:int}/approve", status_code=200)
    async def approve(self, actor: Actor, withdrawal_id: int) -> WithdrawalOut:
        """Pay the withdrawal out through the provider (minus the fee)."""
        return await withdrawals.approve(withdrawal_id, actor.id)

    @post("/withdrawals/{withdrawal_id:int}/reject", status_code=200)
    async def reject(
        self, actor: Actor, withdrawal_id: int, data: RejectWithdrawal
    ) -> WithdrawalOut:
        """Release the held amount back to the wallet, with the `reason` the distributor sees."""
        return await withdrawals.reject(withdrawal_id, actor.id, data.reason)

    @put("/distributors/{user_id:int}/parent")
    async def set_parent(self, user_id: int, data: SetParent) -> DistributorOut:
        """Move a distributor under another (by code) or to the root; a loop is refused (409)."""
        return await distributors.set_parent(user_id, data.parent_code)


CONTROLLERS = [
    DistributorController,
    ShareLinkController,
    ShortLinkController,
    ProductCommissionController,
    AdminDistributionController,
]
