"""The composition root: the only module that knows every domain."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.config.response_cache import ResponseCacheConfig
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.static_files import create_static_files_router

from livecommerce.domains.accounts.controllers import CONTROLLERS as ACCOUNT_CONTROLLERS
from livecommerce.domains.accounts.profile_controller import CONTROLLERS as PROFILE_CONTROLLERS
from livecommerce.domains.admin import people as admin_people
from livecommerce.domains.admin.operations import CONTROLLERS as ADMIN_MONEY_CONTROLLERS
from livecommerce.domains.admin.tables_mount import tables_mount
from livecommerce.domains.analytics import store as behaviour_events
from livecommerce.domains.analytics.controllers import CONTROLLERS as ANALYTICS_CONTROLLERS
from livecommerce.domains.catalog.controllers import CONTROLLERS as CATALOG_CONTROLLERS
from livecommerce.domains.catalog.media_routes import media_handlers
from livecommerce.domains.distribution import bindings as distribution_bindings
from livecommerce.domains.distribution.controllers import CONTROLLERS as DISTRIBUTION_CONTROLLERS
from livecommerce.domains.distribution.library_controller import (
    CONTROLLERS as DISTRIBUTOR_DESK_CONTROLLERS,
)
from livecommerce.domains.live import events as room_events
from livecommerce.domains.live import moderation as room_moderation
from livecommerce.domains.live.controllers import CONTROLLERS as LIVE_CONTROLLERS
from livecommerce.domains.live.controllers import room_ws
from livecommerce.domains.marketing.flash_controllers import CONTROLLERS as FLASH_CONTROLLERS
from livecommerce.domains.marketing.gifts_controllers import CONTROLLERS as GIFT_CONTROLLERS
from livecommerce.domains.marketing.giveaway_controller import (
    CONTROLLERS as GIVEAWAY_CONTROLLERS,
)
from livecommerce.domains.marketing.group_controllers import CONTROLLERS as GROUP_BUY_CONTROLLERS
from livecommerce.domains.members.crm_controller import CONTROLLERS as CRM_CONTROLLERS
from livecommerce.domains.members.points_controller import CONTROLLERS as POINTS_CONTROLLERS
from livecommerce.domains.members.segments_controller import (
    CONTROLLERS as SEGMENT_CONTROLLERS,
)
from livecommerce.domains.members.staff_controller import CONTROLLERS as STAFF_CONTROLLERS
from livecommerce.domains.members.tier_controller import CONTROLLERS as TIER_CONTROLLERS
from livecommerce.domains.orders.controllers import CONTROLLERS as ORDER_CONTROLLERS
from livecommerce.domains.outreach import setup as outreach_setup
from livecommerce.domains.outreach import user_socket
from livecommerce.domains.outreach.campaign_controller import CONTROLLERS as CAMPAIGN_CONTROLLERS
from livecommerce.domains.outreach.channel_settings import CONTROLLERS as CHANNEL_CONTROLLERS
from livecommerce.domains.outreach.controllers import CONTROLLERS as OUTREACH_CONTROLLERS
from livecommerce.domains.outreach.journey_controller import CONTROLLERS as JOURNEY_CONTROLLERS
from livecommerce.domains.outreach.push_controller import CONTROLLERS as PUSH_CONTROLLERS
from livecommerce.domains.outreach.results_controller import CONTROLLERS as RESULT_CONTROLLERS
from livecommerce.domains.payments import providers
from livecommerce.domains.payments.controllers import CONTROLLERS as PAYMENT_CONTROLLERS
from livecommerce.domains.payments.controllers import SANDBOX_CONTROLLERS
from livecommerce.domains.payouts.controllers import CONTROLLERS as PAYOUT_CONTROLLERS
from livecommerce.domains.promotions import live_state as promotion_state
from livecommerce.domains.promotions.controllers import CONTROLLERS as PROMOTION_CONTROLLERS
from livecommerce.domains.promotions.quote import CONTROLLERS as QUOTE_CONTROLLERS
from livecommerce.domains.wallet.controllers import CONTROLLERS as WALLET_CONTROLLERS
from livecommerce.infra import db, gc_tuning, queue
from livecommerce.infra import redis as redis_infra
from livecommerce.infra.auth import (
    build_jwt_auth,
    provide_optional_actor,
    start_memory,
    stop_memory,
)
from livecommerce.infra.errors import EXCEPTION_HANDLERS
from livecommerce.infra.health import healthz, readyz
from livecommerce.infra.observability import prometheus, request_id_middleware, structlog_plugin
from livecommerce.infra.security import add_security_headers, cross_site_guard
from livecommerce.pages import pages_router
from livecommerce.realtime import HubConfig, RoomHub
from livecommerce.settings import PROJECT_ROOT, Settings, load_settings
from livecommerce.wiring import Wiring, wire

STATIC_DIR = PROJECT_ROOT / "static"


def _openapi() -> OpenAPIConfig:
    vendor = "/static/vendor/swagger-ui"
    swagger = SwaggerRenderPlugin(
        js_url=f"{vendor}/swagger-ui-bundle.js",
        css_url=f"{vendor}/swagger-ui.css",
        standalone_preset_js_url=f"{vendor}/swagger-ui-standalone-preset.js",
        favicon=f"<link rel='icon' type='image/png' href='{vendor}/favicon-32x32.png'>",
        path="/",
    )
    return OpenAPIConfig(
        title="LiveCommerce API", version="0.1.0", path="/schema", render_plugins=[swagger]
    )


def _hook_dependencies(wiring: Wiring) -> dict[str, Provide]:
    """Each domain's port as a dependency: a controller names `order_hooks: OrderHooks`."""

    def constant(value: object) -> Provide:
        async def provide() -> object:
            return value

        return Provide(provide, use_cache=True)

    return {
        "account_hooks": constant(wiring.accounts),
        "order_hooks": constant(wiring.orders),
        "payment_hooks": constant(wiring.payments),
        "room_hooks": constant(wiring.room),
        "distribution_hooks": constant(wiring.distribution),
        "promotion_hooks": constant(wiring.promotions),
    }


def create_app(settings: Settings | None = None, wiring: Wiring | None = None) -> Litestar:
    """The app; `wiring` (who reacts to what) defaults to `wire(settings)`, the production one."""
    settings = settings or load_settings()
    wiring = wiring or wire(settings)
    jwt_auth = build_jwt_auth(settings)
    prometheus_config, prometheus_controller = prometheus()
    distribution_bindings.configure(settings.secret_key)
    outreach_setup.configure(settings)

    async def startup(app: Litestar) -> None:
        await db.start_pool(settings)
        app.state.redis = redis_infra.connect(
            settings.redis_url or "", cluster=settings.uses_redis_cluster
        )
        providers.configure(settings)
        # On a cluster the job queue is a plain Redis of its own (arq needs one node).
        app.state.queue_redis = (
            redis_infra.connect_node(settings.queue_redis_url)
            if settings.queue_redis_url
            else app.state.redis
        )
        queue.bind(app.state.queue_redis)
        app.state.hub = RoomHub(app.state.redis, HubConfig())
        app.state.hub.listeners.append(room_moderation.on_room_events)
        room_events.bind(app.state.hub)
        promotion_state.bind(app.state.redis)

    async def shutdown(app: Litestar) -> None:
        await user_socket.stop(app)
        await behaviour_events.close()  # what is still buffered is written before the pool goes
        hub = getattr(app.state, "hub", None)
        if hub is not None:
            room_events.unbind(hub)
            await hub.stop()
        redis = getattr(app.state, "redis", None)
        queue_redis = getattr(app.state, "queue_redis", None)
        if queue_redis is not None and queue_redis is not redis:
            await queue_redis.aclose()
        if redis is not None:
            await redis_infra.aclose(redis)
        await db.close_pool()

    app = Litestar(
        route_handlers=[
            healthz,
            readyz,
            prometheus_controller,
            *ACCOUNT_CONTROLLERS,
            *PROFILE_CONTROLLERS,
            *CATALOG_CONTROLLERS,
            *media_handlers(settings),
            *LIVE_CONTROLLERS,
            room_ws(wiring.room, settings.allowed_origins),
            *ORDER_CONTROLLERS,
            *PAYMENT_CONTROLLERS,
            # The sandbox gateway mints money for whoever reaches it: dev/test or an explicit
            # SANDBOX_GATEWAY=1 only (DESIGN §10); elsewhere its routes are 404.
            *(SANDBOX_CONTROLLERS if settings.sandbox_enabled else []),
            *PROMOTION_CONTROLLERS,
            *QUOTE_CONTROLLERS,
            *WALLET_CONTROLLERS,
            *DISTRIBUTION_CONTROLLERS,
            *DISTRIBUTOR_DESK_CONTROLLERS,
            *PAYOUT_CONTROLLERS,
            *admin_people.CONTROLLERS,
            *ADMIN_MONEY_CONTROLLERS,
            *POINTS_CONTROLLERS,
            *TIER_CONTROLLERS,
            *STAFF_CONTROLLERS,
            *CRM_CONTROLLERS,
            *SEGMENT_CONTROLLERS,
            *ANALYTICS_CONTROLLERS,
            *OUTREACH_CONTROLLERS,
            user_socket.user_ws(settings.allowed_origins),
            *CAMPAIGN_CONTROLLERS,
            *RESULT_CONTROLLERS,
            *JOURNEY_CONTROLLERS,
            *PUSH_CONTROLLERS,  # Web Push: the VAPID key, subscriptions, /sw.js
            *CHANNEL_CONTROLLERS,  # a host's IM bots and SMS gateway
            *GIFT_CONTROLLERS,  # tips: the catalogue, sending, figures, the console's
            *GROUP_BUY_CONTROLLERS,  # 拼团: terms per product, open / join, the group page
            *FLASH_CONTROLLERS,  # 秒杀: a host's sales in a room, reading and buying
            *GIVEAWAY_CONTROLLERS,  # 福袋: start, standing, published entries, claim
            # piccolo-admin, for admins, behind our login (domains/admin/tables_mount.py)
            tables_mount(settings),
            pages_router(),
            create_static_files_router(
                path="/static", directories=[Path(STATIC_DIR)], include_in_schema=False
            ),
        ],
        dependencies={
            "maybe_actor": Provide(provide_optional_actor),
            **_hook_dependencies(wiring),
        },
        # The ban listener needs the hub and Redis of `startup`, and stops before `shutdown`.
        on_startup=[startup, admin_people.on_startup, start_memory],
        on_shutdown=[stop_memory, admin_people.on_shutdown, shutdown],
        on_app_init=[jwt_auth.on_app_init],
        before_send=[add_security_headers],
        middleware=[
            request_id_middleware,
            cross_site_guard(settings),
            prometheus_config.middleware,
            distribution_bindings.referral_middleware,
        ],
        plugins=[structlog_plugin(settings)],
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=_openapi(),
        request_max_body_size=settings.max_body_bytes,
        response_cache_config=ResponseCacheConfig(default_expiration=5),
        debug=False,
    )
    app.state.settings = settings
    app.state.wiring = wiring
    app.state.jwt_auth = jwt_auth
    return app


def create_app_from_env() -> Litestar:
    """uvicorn factory for `livecommerce serve --workers N`: settings come from the environment;
    the serving process's garbage collector is tuned once the app has started."""
    app = create_app(load_settings())
    app.on_startup.append(gc_tuning.after_startup)
    return app
