from __future__ import annotations

import time
import uuid
from typing import Any, Literal

from litestar import Controller, Request, Response, delete, get, patch, post
from litestar.datastructures import Cookie
from litestar.di import Provide
from litestar.security.jwt import JWTCookieAuth

from livecommerce.domains.accounts import addresses, services, throttle
from livecommerce.domains.accounts.hooks import AccountHooks
from livecommerce.domains.accounts.schemas import (
    AddressBook,
    AddressIn,
    AddressOut,
    AddressPatch,
    ApplyForRole,
    AuthOut,
    Login,
    Register,
    RejectApplication,
    RoleApplicationOut,
    UserOut,
)
from livecommerce.infra.auth import (
    Actor,
    authenticated,
    provide_actor,
    publish_roles,
    requires,
    revoke,
)
from livecommerce.settings import Settings


def issue_token(request: Request[Any, Any, Any], user: UserOut) -> tuple[str, Cookie]:
    jwt_auth: JWTCookieAuth = request.app.state.jwt_auth
    settings: Settings = request.app.state.settings
    token = jwt_auth.create_token(
        identifier=str(user.id),
        token_unique_jwt_id=uuid.uuid4().hex,
        # issuedAt: to the millisecond, which `iat` is not (a platform ban refuses every token
        # issued up to it, infra/bans.py)
        token_extras={"roles": user.roles, "username": user.username, "issuedAt": time.time()},
    )
    cookie = Cookie(
        key=jwt_auth.key,
        value=token,
        httponly=True,
        samesite="lax",
        secure=settings.cookie_secure,
        max_age=settings.token_ttl_minutes * 60,
        path="/",
    )
    return token, cookie


class AuthController(Controller):
    path = "/api/auth"
    tags = ["accounts"]

    @post("/register", status_code=201)
    async def register(
        self, request: Request[Any, Any, Any], account_hooks: AccountHooks, data: Register
    ) -> Response[AuthOut]:
        """Create an account (a viewer) and log it in. A visitor who came by a share link is
        bound to its distributor now (per the binding mode)."""
        user = await services.register(
            data.username, data.password, data.display_name, hooks=account_hooks
        )
        token, cookie = issue_token(request, user)
        return Response(AuthOut(user=user, token=token), status_code=201, cookies=[cookie])

    @post("/login", status_code=200)
    async def login(
        self, request: Request[Any, Any, Any], account_hooks: AccountHooks, data: Login
    ) -> Response[AuthOut]:
        """Failed attempts are throttled per account and per address (429 with Retry-After).
        A share link visited before logging in binds now (per the binding mode)."""
        redis, address = request.app.state.redis, request.client.host if request.client else ""
        await throttle.attempt(redis, data.username, address)
        user = await services.authenticate(data.username, data.password, hooks=account_hooks)
        await throttle.succeeded(redis, data.username, address)
        token, cookie = issue_token(request, user)
        return Response(AuthOut(user=user, token=token), cookies=[cookie])

    @post("/logout", status_code=204, guards=[authenticated])
    async def logout(self, request: Request[Any, Any, Any]) -> Response[None]:
        """Revoke this token (in Redis until it would have expired) and clear the cookie."""
        await revoke(request.app.state.redis, request.auth)
        jwt_auth: JWTCookieAuth = request.app.state.jwt_auth
        return Response(
            None,
            status_code=204,
            cookies=[Cookie(key=jwt_auth.key, value="", max_age=0, path="/", httponly=True)],
        )


class MeController(Controller):
    path = "/api/me"
    tags = ["accounts"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def me(self, actor: Actor) -> UserOut:
        return await services.get_user(actor.id)

    @get("/roles")
    async def my_applications(self, actor: Actor) -> list[RoleApplicationOut]:
        """My role applications and how they were decided (`decisionReason`: the operator's
        words on a rejection)."""
        return await services.my_applications(actor.id)

    @post("/roles", status_code=201)
    async def apply(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        account_hooks: AccountHooks,
        data: ApplyForRole,
    ) -> Response[RoleApplicationOut]:
        """Apply to become a host or a distributor; with open signup the role is granted at once
        (with a fresh token). The distributor role comes with its profile (as POST
        /api/distributors makes it), and the operator's signup setting rules it."""
        settings: Settings = request.app.state.settings
        application, roles = await services.apply_for_role(
            actor.id,
            data.role,
            data.note,
            hooks=account_hooks,
            default_signup=(
                settings.host_signup if data.role == "host" else settings.distributor_signup
            ),
        )
        if roles is None:
            return Response(application, status_code=202)
        await publish_roles(
            request.app.state.redis, actor.id, roles, settings.token_ttl_minutes * 60
        )
        user = await services.get_user(actor.id)
        token, cookie = issue_token(request, user)
        application.token = token
        return Response(application, status_code=201, cookies=[cookie])


class AdminAccountsController(Controller):
    path = "/api/admin/role-applications"
    tags = ["admin"]
    guards = [requires("admin")]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_applications(
        self, status: Literal["pending", "approved", "rejected"] | None = None
    ) -> list[RoleApplicationOut]:
        return await services.list_applications(status)

    @post("/{application_id:int}/approve", status_code=200)
    async def approve(
        self,
        request: Request[Any, Any, Any],
        actor: Actor,
        account_hooks: AccountHooks,
        application_id: int,
    ) -> RoleApplicationOut:
        application, roles = await services.decide_application(
            application_id, approve=True, admin_id=actor.id, hooks=account_hooks
        )
        settings: Settings = request.app.state.settings
        if roles is not None:
            await publish_roles(
                request.app.state.redis, application.user_id, roles, settings.token_ttl_minutes * 60
            )
        return application

    @post("/{application_id:int}/reject", status_code=200)
    async def reject(
        self,
        actor: Actor,
        account_hooks: AccountHooks,
        application_id: int,
        data: RejectApplication,
    ) -> RoleApplicationOut:
        """Reject with a `reason` (required), which the applicant reads at GET /api/me/roles."""
        application, _ = await services.decide_application(
            application_id,
            approve=False,
            admin_id=actor.id,
            hooks=account_hooks,
            reason=data.reason.strip(),
        )
        return application


class AddressController(Controller):
    """The buyer's address book; an order is placed with one of its entries (`addressId`)."""

    path = "/api/me/addresses"
    tags = ["accounts"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("/")
    async def list_addresses(self, actor: Actor) -> AddressBook:
        """My addresses, the default first (at most `limit` of them)."""
        return await addresses.book(actor.id)

    @post("/", status_code=201)
    async def add_address(self, actor: Actor, data: AddressIn) -> AddressOut:
        """Add an address (the first one is the default). 409 `address_book_full` past the
        limit; `phone` is a mainland mobile (13800138000) or +country… (E.164)."""
        return await addresses.add(actor.id, data)

    @get("/{address_id:int}")
    async def get_address(self, actor: Actor, address_id: int) -> AddressOut:
        return await addresses.get_address(actor.id, address_id)

    @patch("/{address_id:int}")
    async def change_address(self, actor: Actor, address_id: int, data: AddressPatch) -> AddressOut:
        """Change an address; orders placed with it keep the address they were placed with."""
        return await addresses.change(actor.id, address_id, data)

    @post("/{address_id:int}/default", status_code=200)
    async def make_default(self, actor: Actor, address_id: int) -> AddressOut:
        return await addresses.make_default(actor.id, address_id)

    @delete("/{address_id:int}", status_code=204)
    async def delete_address(self, actor: Actor, address_id: int) -> None:
        """Delete an address; if it was the default, the most recently changed other one is."""
        await addresses.remove(actor.id, address_id)


CONTROLLERS = [AuthController, MeController, AdminAccountsController, AddressController]
