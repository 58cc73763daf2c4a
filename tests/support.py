"""Test helpers: real servers, real HTTP clients, users made fast."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import uvicorn
from litestar import Litestar

from bench.ledger_checks import LedgerState, check_ledger
from livecommerce.domains.accounts.tables import User
from livecommerce.infra.embedded import free_port
from livecommerce.settings import Settings


def public_at(settings: Settings, url: str) -> Settings:
    """`settings` for an app served at `url`: the absolute links it writes (payUrl, share links)
    point there, as PUBLIC_URL makes them point at the real site."""
    return msgspec.structs.replace(settings, public_url=url)


class LiveServer:
    """The app served by a real uvicorn on 127.0.0.1, in the test's event loop.

    `app` is the app, or a function of the server's URL that builds it: the port is chosen
    first, so an app whose links must be absolute can be given `public_at(settings, url)`."""

    def __init__(self, app: Litestar | Callable[[str], Litestar]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.ws_url = f"ws://127.0.0.1:{self.port}"
        # A Litestar app is callable too (ASGI): tell the two apart by type.
        self.app = app if isinstance(app, Litestar) else app(self.url)

        class Server(uvicorn.Server):
            @contextlib.contextmanager
            def capture_signals(self):  # type: ignore[override] - pytest owns the signals
                yield

        self.server = Server(
            uvicorn.Config(
                self.app,
                host="127.0.0.1",
                port=self.port,
                log_level="warning",
                loop="none",
                http="httptools",
                ws="websockets-sansio",
                ws_per_message_deflate=False,
                backlog=4096,
                # Clients reuse idle connections; a short keep-alive races them under load
                # (ReadError).
                timeout_keep_alive=60,
            )
        )
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self.server.serve())
        while not self.server.started:
            if self.task.done():
                self.task.result()
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self.server.should_exit = True
        if self.task:
            await self.task


@contextlib.asynccontextmanager
async def serving(app: Litestar | Callable[[str], Litestar]) -> AsyncIterator[LiveServer]:
    server = LiveServer(app)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@dataclass
class TestUser:
    __test__ = False  # a helper, not a test class for pytest to collect

    id: int
    username: str
    token: str
    roles: list[str] = field(default_factory=list)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


PASSWORD = "correct-horse-battery"
_password_hash: str | None = None


async def make_user(app: Litestar, username: str, roles: list[str] | None = None) -> TestUser:
    """A user straight in the database (one Argon2 hash per test session) with a token for it."""
    global _password_hash
    from livecommerce.infra.auth import hash_password

    _password_hash = _password_hash or await hash_password(PASSWORD)
    rows = await User.insert(
        User(
            username=username,
            display_name=username.title(),
            password_hash=_password_hash,
            roles=roles or [],
        )
    ).returning(User.id)
    user_id = rows[0]["id"]
    token = app.state.jwt_auth.create_token(
        identifier=str(user_id),
        token_unique_jwt_id=f"t{user_id}-{username}",
        token_extras={"roles": roles or [], "username": username},
    )
    return TestUser(id=user_id, username=username, token=token, roles=roles or [])


def problem_code(response: httpx.Response) -> str:
    assert response.headers["content-type"].startswith("application/problem+json"), response.text
    body: dict[str, Any] = response.json()
    return str(body["code"])


async def create_product(
    client: httpx.AsyncClient,
    host: TestUser,
    *,
    price: int = 1000,
    stock: int = 10,
    on_shelf: bool = True,
    title: str = "Tea",
) -> dict[str, Any]:
    response = await client.post(
        "/api/products",
        json={
            "title": title,
            "onShelf": on_shelf,
            "skus": [{"name": "default", "price": price, "stock": stock}],
        },
        headers=host.headers,
    )
    assert response.status_code == 201, response.text
    return response.json()


# Where test orders ship when a test does not say (every order needs an address).
ADDRESS: dict[str, str] = {
    "name": "Li Lei",
    "phone": "13800138000",
    "province": "广东省",
    "city": "深圳市",
    "district": "南山区",
    "detail": "科技园路 1 号",
}


async def add_address(client: httpx.AsyncClient, user: TestUser, **fields: Any) -> dict[str, Any]:
    """An entry of `user`'s address book (ADDRESS, with `fields` changed)."""
    response = await client.post(
        "/api/me/addresses", json={**ADDRESS, **fields}, headers=user.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def place_order(
    client: httpx.AsyncClient,
    buyer: TestUser,
    sku_id: int,
    quantity: int = 1,
    key: str | None = None,
    **extra: Any,
) -> httpx.Response:
    """POST /api/orders for one SKU; ships to ADDRESS unless `address` or `addressId` is given
    (`address=None` sends none)."""
    import uuid

    if "addressId" not in extra:
        extra.setdefault("address", ADDRESS)
    if extra.get("address") is None:
        extra.pop("address", None)
    headers = {**buyer.headers, "Idempotency-Key": key or uuid.uuid4().hex}
    return await client.post(
        "/api/orders",
        json={"items": [{"skuId": sku_id, "quantity": quantity}], **extra},
        headers=headers,
    )


async def complete_on_sandbox(
    client: httpx.AsyncClient, payer: TestUser | dict[str, str], pay_url: str
) -> httpx.Response:
    """Press "pay" on the sandbox gateway's page at `pay_url`, as its page does: the payer logged
    in (a TestUser or its headers) and a JSON body. Answers {"paymentId", "result"}."""
    headers = payer.headers if isinstance(payer, TestUser) else payer
    return await client.post(pay_url + "/complete", json={}, headers=headers)


async def pay_through_sandbox(
    client: httpx.AsyncClient, buyer: TestUser, order_id: int
) -> dict[str, Any]:
    """Start a gateway payment and complete it on the sandbox page (the gateway books the charge
    and the shop confirms it)."""
    started = await client.post(
        f"/api/orders/{order_id}/pay", json={"method": "gateway"}, headers=buyer.headers
    )
    assert started.status_code == 200, started.text
    done = await complete_on_sandbox(client, buyer, started.json()["payUrl"])
    assert done.status_code == 200, done.text
    return {"payment": started.json(), "gateway": done.json()}


async def create_room(
    client: httpx.AsyncClient, host: TestUser, title: str = "Tea tasting"
) -> dict[str, Any]:
    response = await client.post("/api/rooms", json={"title": title}, headers=host.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def go_live(
    client: httpx.AsyncClient, host: TestUser, room_id: int, **body: Any
) -> dict[str, Any]:
    response = await client.post(f"/api/rooms/{room_id}/start", json=body, headers=host.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def live_room_with_product(
    client: httpx.AsyncClient, host: TestUser, **product: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A live room whose showcase holds one new product of the host, pinned."""
    room = await create_room(client, host)
    item = await create_product(client, host, **product)
    shown = await client.put(
        f"/api/rooms/{room['id']}/products", json={"productIds": [item["id"]]}, headers=host.headers
    )
    assert shown.status_code == 200, shown.text
    await go_live(client, host, room["id"])
    return room, item


# --- room sockets ----------------------------------------------------------------------------


async def next_frame(
    ws: Any,
    kind: str | None = None,
    within: float = 5.0,
    where: Callable[[dict[str, Any]], Any] | None = None,
) -> dict[str, Any]:
    """The next frame the socket reads of type `kind` (any type: None) for which `where` holds,
    reading past the others; TimeoutError after `within` seconds."""
    async with asyncio.timeout(within):
        while True:
            frame: dict[str, Any] = json.loads(await ws.recv())
            if (kind is None or frame["type"] == kind) and (where is None or where(frame)):
                return frame


async def frames(ws: Any, quiet: float = 5.0) -> AsyncIterator[dict[str, Any]]:
    """Decoded frames until `quiet` seconds pass without one."""
    while True:
        try:
            raw = await asyncio.wait_for(ws.recv(), quiet)
        except TimeoutError:
            return
        yield json.loads(raw)


async def events_for(ws: Any, quiet: float = 0.8) -> list[dict[str, Any]]:
    """Every event of the frames read until `quiet` seconds pass without one."""
    return [event async for frame in frames(ws, quiet) for event in frame.get("events", [])]


# --- the ledger ------------------------------------------------------------------------------


async def ledger_state() -> LedgerState:
    """The ledger's laws checked now (bench/ledger_checks.py) on a connection of the pool;
    `.problems` names what is broken."""
    from livecommerce.infra import db

    async with db.connection() as conn:
        return await check_ledger(conn)
