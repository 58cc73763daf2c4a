"""Web Push routes: the site's VAPID public key (public: browsers need it to subscribe), the
user's browser subscriptions, and the service worker itself at /sw.js.

The worker is served from the site root (not /static/) so that its scope is the whole site:
a notification's click may open any page. `Service-Worker-Allowed: /` says the same to a
browser that registers it with an explicit scope.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.di import Provide
from litestar.params import Parameter
from litestar.response import File
from litestar.types import ControllerRouterHandler

from livecommerce.domains.outreach import vapid, webpush
from livecommerce.domains.outreach.channel_schemas import (
    PushSubscriptionIn,
    PushSubscriptionList,
    PushSubscriptionOut,
    VapidKeyOut,
)
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.settings import PROJECT_ROOT

SERVICE_WORKER = PROJECT_ROOT / "static" / "sw.js"


class VapidKeyController(Controller):
    path = "/api/push"
    tags = ["outreach"]

    @get("/vapid-public-key", cache_control=None)
    async def public_key(self) -> VapidKeyOut:
        """The applicationServerKey for `pushManager.subscribe` (base64url). It never changes:
        made once for the site and kept."""
        keys = await vapid.site_keys()
        return VapidKeyOut(public_key=keys.public_key)


class MyPushSubscriptionsController(Controller):
    path = "/api/me/push-subscriptions"
    tags = ["outreach"]
    guards = [authenticated]
    dependencies = {"actor": Provide(provide_actor)}

    @get("")
    async def mine(self, actor: Actor) -> PushSubscriptionList:
        """The browsers I get notifications on (the push service's origin, not the endpoint)."""
        return await webpush.my_subscriptions(actor.id)

    @post("", status_code=201)
    async def add(
        self, request: Request[Any, Any, Any], actor: Actor, data: PushSubscriptionIn
    ) -> PushSubscriptionOut:
        """This browser's `PushSubscription.toJSON()`. https endpoints only (dev and test also
        http://127.0.0.1); keys a P-256 point and a 16-byte secret (422
        push_subscription_invalid). At most 10 a user: the oldest make room."""
        return await webpush.subscribe(
            actor.id,
            data,
            env=request.app.state.settings.env,
            user_agent=request.headers.get("user-agent", ""),
        )

    @delete("", status_code=204)
    async def remove(
        self, actor: Actor, endpoint: Annotated[str, Parameter(min_length=10, max_length=1024)]
    ) -> None:
        """Stop notifications to this browser (`?endpoint=`; 404 if it is not one of mine)."""
        await webpush.unsubscribe(actor.id, endpoint)


@get(
    "/sw.js",
    exclude_from_auth=True,
    include_in_schema=False,
    cache_control=None,
    sync_to_thread=False,
    name="service-worker",
)
def service_worker() -> File:
    # no-cache: browsers check it for updates anyway; this makes a deploy's new one win at once.
    return File(
        SERVICE_WORKER,
        media_type="text/javascript",
        content_disposition_type="inline",
        headers={"Service-Worker-Allowed": "/", "Cache-Control": "no-cache"},
    )


CONTROLLERS: list[ControllerRouterHandler] = [
    VapidKeyController,
    MyPushSubscriptionsController,
    service_worker,
]
