"""Demo data for `livecommerce up` / `seed`: created once, found again on the next run."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from livecommerce.domains.accounts.hooks import AccountHooks
from livecommerce.domains.accounts.tables import User
from livecommerce.infra.auth import hash_password
from livecommerce.settings import Settings

DEMO_USERS: tuple[tuple[str, str, str, list[str]], ...] = (
    # username, password, display name, roles
    ("admin", "admin-pass-123", "Operator", ["admin"]),
    ("demo-host", "host-pass-123", "小米直播间 Demo Host", ["host"]),
    ("demo-viewer", "viewer-pass-123", "Demo Viewer", []),
    ("demo-distributor", "dist-pass-123", "Demo Distributor", ["distributor"]),
)

DEMO_PRODUCTS = (
    # title, description, [(sku name, price in fen, stock)]
    (
        "明前龙井 West Lake Longjing",
        "Spring-picked green tea, 250 g tin.",
        [("250 g", 16_800, 200), ("500 g", 31_800, 80)],
    ),
    ("手工紫砂壶 Yixing clay teapot", "Hand-thrown, 200 ml.", [("200 ml", 45_900, 25)]),
    ("桂花乌龙 Osmanthus oolong", "Lightly roasted, 20 tea bags.", [("20 bags", 5_990, 500)]),
    (
        "直播间专享 Live-only tasting set",
        "Three teas, 3 x 50 g. Live-room price.",
        [("set", 9_900, 100)],
    ),
)


async def _seed_products(ids: dict[str, int], settings: Settings | None) -> None:
    from livecommerce.demo_pictures import DRAWINGS
    from livecommerce.domains.catalog import services as catalog
    from livecommerce.domains.catalog.schemas import CreateProduct, SkuIn
    from livecommerce.domains.catalog.tables import Product
    from livecommerce.domains.catalog.uploads import store_image

    host_id = ids["demo-host"]
    if await Product.exists().where(Product.host == host_id):
        return
    for (title, description, skus), draw in zip(DEMO_PRODUCTS, DRAWINGS, strict=True):
        # Stored like an upload of the demo host's (so the product may show it), when the media
        # store is known; without settings the products go up without pictures.
        images = [(await store_image(settings, host_id, draw())).url] if settings else []
        await catalog.create_product(
            host_id,
            CreateProduct(
                title=title,
                description=description,
                images=images,
                skus=[SkuIn(name=n, price=p, stock=q) for n, p, q in skus],
            ),
        )


async def _seed_rooms(ids: dict[str, int], settings: Settings | None) -> None:
    """A live room showing the demo products (first one pinned) and an upcoming one, so the
    landing page has something to show. Plain SQL: no Redis needed, counters start at zero."""
    from livecommerce.infra import db

    host_id = ids["demo-host"]
    async with db.transaction() as tx:
        conn = tx.conn
        if await conn.fetchval("SELECT EXISTS (SELECT 1 FROM rooms WHERE host_id = $1)", host_id):
            return
        products = [
            r["id"]
            for r in await conn.fetch(
                "SELECT id FROM products WHERE host_id = $1 ORDER BY id", host_id
            )
        ]
        live = await conn.fetchval(
            "INSERT INTO rooms"
            " (host_id, title, description, cover_url, pinned_product_id, slow_mode_seconds,"
            " created_at)"
            " VALUES ($1, '龙井品鉴 Longjing tasting', 'Spring tea, live from the hills.', '',"
            " $2, 0, now()) RETURNING id",
            host_id,
            products[0] if products else None,
        )
        await conn.executemany(
            "INSERT INTO room_products (room_id, product_id, position) VALUES ($1, $2, $3)",
            [(live, pid, i) for i, pid in enumerate(products)],
        )
        await conn.execute(
            "INSERT INTO live_sessions (room_id, title, status, started_at, hls_url, created_at)"
            " VALUES ($1, '龙井品鉴 Longjing tasting', 'live', now(), '', now())",
            live,
        )
        upcoming = await conn.fetchval(
            "INSERT INTO rooms"
            " (host_id, title, description, cover_url, slow_mode_seconds, created_at)"
            " VALUES ($1, '紫砂壶专场 Yixing teapots', 'Meet the potter.', '', 0, now())"
            " RETURNING id",
            host_id,
        )
        await conn.execute(
            "INSERT INTO live_sessions (room_id, title, status, scheduled_at, hls_url, created_at)"
            " VALUES ($1, '紫砂壶专场 Yixing teapots', 'scheduled', now() + interval '1 day', '',"
            " now())",
            upcoming,
        )


# Async callables taking {username: user_id} and the settings (None: no media store).
SEED_HOOKS: list[Callable[[dict[str, int], Settings | None], Awaitable[None]]] = [
    _seed_products,
    _seed_rooms,
]


async def seed_demo(
    hooks: AccountHooks | None = None, settings: Settings | None = None
) -> list[tuple[str, str, str]]:
    """Create the demo users (and whatever the domains seed) if absent; return the logins.

    Roles are granted through the one path (`grant_role` with the accounts port), on every run:
    the demo distributor gets its profile like anyone granted the role, also in a `./var` seeded
    before the role and the profile came together."""
    from livecommerce.domains.accounts import services as accounts
    from livecommerce.wiring import account_hooks

    hooks = hooks or account_hooks()
    ids: dict[str, int] = {}
    for username, password, display_name, roles in DEMO_USERS:
        row = await User.select(User.id).where(User.username == username).first()
        if row is None:
            rows = await User.insert(
                User(
                    username=username,
                    display_name=display_name,
                    password_hash=await hash_password(password),
                    roles=[],
                )
            ).returning(User.id)
            row = rows[0]
        ids[username] = row["id"]
        for role in roles:
            await accounts.grant_role(row["id"], role, hooks=hooks)
    for hook in SEED_HOOKS:
        await hook(ids, settings)
    return [(u, p, ", ".join(r) or "viewer") for u, p, _, r in DEMO_USERS]
