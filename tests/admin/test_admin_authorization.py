"""Every operator route refuses everyone but an admin, generated from the app's routes (so a route
added later is covered by itself): a guest, a viewer, a host and a distributor get 401/403 from
every /api/admin route, never a 2xx, never a 5xx; the /admin pages are the same public shell
for everyone (what they show comes from those APIs); piccolo-admin's mount sends a guest to the
login and refuses the others.

And no operator path can change the ledger: its append-only triggers are in place and hold."""

from __future__ import annotations

import re
from dataclasses import dataclass

import asyncpg
import httpx
import pytest
from litestar import Litestar
from litestar.routes import ASGIRoute, HTTPRoute

from livecommerce.infra import db
from tests.support import TestUser, create_product, pay_through_sandbox, place_order

PREFIXES = ("/api/admin", "/admin")
PARAM = re.compile(r"\{[^}]+\}")


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # path parameters filled with 1
    # "api"; "page" (a shell of pages.py); "mount" (an ASGI app: piccolo-admin), its page
    # "mount-page"
    kind: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def admin_calls(app: Litestar) -> list[Call]:
    """Every method of every route under /api/admin or /admin."""
    calls: list[Call] = []
    for route in app.routes:
        if not route.path_format.startswith(PREFIXES):
            continue
        path = PARAM.sub("1", route.path_format)
        if isinstance(route, ASGIRoute):
            # A mount answers any method on any path below it: its page and one API path.
            calls += [
                Call("GET", f"{path}/", "mount-page"),
                Call("GET", f"{path}/api/tables/", "mount"),
                Call("PATCH", f"{path}/api/tables/users/1/", "mount"),
            ]
            continue
        assert isinstance(route, HTTPRoute), route
        for method in sorted(route.route_handler_map):
            if method in ("OPTIONS", "HEAD"):
                continue
            handler = route.route_handler_map[method][0]
            kind = "page" if (handler.name or "").startswith("page:") else "api"
            calls.append(Call(method, path, kind))
    return calls


async def call(client: httpx.AsyncClient, target: Call, user: TestUser | None) -> httpx.Response:
    headers = user.headers if user else {}
    body = {} if target.method in ("POST", "PUT", "PATCH") else None
    return await client.request(target.method, target.path, json=body, headers=headers)


async def test_every_admin_route_refuses_guests_viewers_hosts_and_distributors(
    client: httpx.AsyncClient, app: Litestar, user_factory
) -> None:
    calls = admin_calls(app)
    paths = {c.path for c in calls}
    # The enumeration finds what exists today (and whatever is added later).
    assert {"/api/admin/role-applications", "/api/admin/settings", "/admin/tables/"} <= paths
    assert any(c.kind == "api" and c.method != "GET" for c in calls)
    ops = await user_factory("ops", ["admin"])
    others = {
        "viewer": await user_factory("viewer"),
        "host": await user_factory("host", ["host"]),
        "distributor": await user_factory("distributor", ["distributor"]),
    }
    wrong: list[str] = []

    def expect(target: Call, who: str, response: httpx.Response, allowed: set[int]) -> None:
        if response.status_code not in allowed:
            wrong.append(f"{target} as {who}: {response.status_code} {response.text[:120]}")

    for target in calls:
        if target.kind == "page":
            # A page is a public shell: the same bytes whoever asks, so it holds no data.
            shell = await call(client, target, ops)
            expect(target, "admin", shell, {200})
            for who, user in [("guest", None), *others.items()]:
                response = await call(client, target, user)
                expect(target, who, response, {200})
                if response.content != shell.content:
                    wrong.append(f"{target} as {who}: not the admin's shell")
            continue
        guest = await call(client, target, None)
        if target.kind == "mount-page":
            expect(target, "guest", guest, {303})
            if not guest.headers.get("location", "").startswith("/login?next="):
                wrong.append(f"{target} as guest: not sent to the login")
        else:
            expect(target, "guest", guest, {401})
        for who, user in others.items():
            expect(target, who, await call(client, target, user), {403})
    assert not wrong, "\n".join(wrong)


LEDGER_TABLES = ("ledger_entries", "ledger_transactions")


async def test_the_ledger_stays_append_only_whatever_an_operator_does(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    product = await create_product(client, host, price=1000)
    order = (await place_order(client, buyer, product["skus"][0]["id"])).json()
    await pay_through_sandbox(client, buyer, order["id"])

    async with db.connection() as conn:
        triggers = await conn.fetch(
            "SELECT c.relname, t.tgtype, t.tgenabled FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid"
            " WHERE p.proname = 'ledger_append_only' AND NOT t.tgisinternal"
        )
        # tgtype bits: 1 row, 2 before, 8 delete, 16 update; 'D' is a disabled trigger.
        guarded = {
            row["relname"]
            for row in triggers
            if row["tgtype"] & (1 | 2 | 8 | 16) == 27 and row["tgenabled"] != "D"
        }
        assert guarded == set(LEDGER_TABLES)

        for table in LEDGER_TABLES:
            row_id = await conn.fetchval(f"SELECT min(id) FROM {table}")
            assert row_id is not None, f"the paid order wrote no {table} row"
            for statement in (
                f"UPDATE {table} SET created_at = created_at WHERE id = $1",
                f"DELETE FROM {table} WHERE id = $1",
            ):
                with pytest.raises(asyncpg.RestrictViolationError, match="append-only"):
                    await conn.execute(statement, row_id)
