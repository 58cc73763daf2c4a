"""Staff of host A, and host A itself, can neither see nor change host B's members, segments,
tags, notes or staff; generated from the app's routes (a route added later under these paths is
covered by itself, and must declare its body here).

Every method of every route under /api/host/members, /segments, /tags and /staff is called with
host B's objects in its path: host A and A's staff get 403/404, never a 2xx, never a 5xx (and B's
own staff get 2xx on the reads, so the objects are real); a guest gets 401; a viewer and a
distributor 403. Routes without an object answer A with A's own data only: nothing of B's
appears in them, and `hostId=B` in the query changes nothing. Afterwards B's data is as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
from litestar import Litestar
from litestar.routes import HTTPRoute

from livecommerce.infra import db
from tests.support import TestUser, create_product, pay_through_sandbox, place_order

PREFIXES = ("/api/host/members", "/api/host/segments", "/api/host/tags", "/api/host/staff")
PARAM = re.compile(r"\{([^}:]+)(:[^}]+)?\}")

# A valid body per route that takes one, so a refusal comes from authorization, not validation.
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/host/members/{user_id}/notes"): {"body": "note from the wrong host"},
    ("PUT", "/api/host/members/{user_id}/follow-up"): {"status": "won"},
    ("POST", "/api/host/members/{user_id}/tags"): {"tagId": "{own_tag}"},
    ("POST", "/api/host/tags"): {"name": "probe", "colour": "#123456"},
    ("PUT", "/api/host/tags/rules"): {"vipSpend": 1},
    ("POST", "/api/host/tags/recompute"): None,
    ("POST", "/api/host/segments"): {"name": "probe", "filters": {}},
    ("POST", "/api/host/segments/preview"): {"filters": {}},
    ("PUT", "/api/host/segments/{segment_id}"): {"name": "stolen", "filters": {}},
    ("POST", "/api/host/staff"): {"username": "nobody-here"},
}


@dataclass(frozen=True)
class Call:
    method: str
    route: str  # the path format, as the app declares it
    path: str  # filled with host B's objects

    @property
    def has_object(self) -> bool:
        return self.route != self.path

    def __str__(self) -> str:
        return f"{self.method} {self.route}"


def crm_calls(app: Litestar, objects: dict[str, int]) -> list[Call]:
    calls = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path_format.startswith(PREFIXES):
            continue
        path = PARAM.sub(lambda m: str(objects[m.group(1)]), route.path_format)
        calls += [
            Call(method, route.path_format, path)
            for method in sorted(route.route_handler_map)
            if method not in ("OPTIONS", "HEAD")
        ]
    return calls


@dataclass
class Side:
    host: TestUser
    staff: dict[str, str]  # headers of its staff member, logged in for real
    staff_id: int
    member: TestUser
    tag_id: int
    segment_id: int


async def _side(client: httpx.AsyncClient, user_factory, name: str) -> Side:
    host = await user_factory(f"{name}host", ["host"])
    member = await user_factory(f"{name}buyer")
    product = await create_product(client, host, price=2000, title=f"{name} tea")
    order = (await place_order(client, member, product["skus"][0]["id"])).json()
    await pay_through_sandbox(client, member, order["id"])
    made = await client.post(
        "/api/host/staff",
        json={"username": f"{name}-aide", "password": "aide-password-1"},
        headers=host.headers,
    )
    assert made.status_code == 201, made.text
    login = await client.post(
        "/api/auth/login", json={"username": f"{name}-aide", "password": "aide-password-1"}
    )
    client.cookies.clear()
    staff = {"Authorization": f"Bearer {login.json()['token']}"}
    tag = await client.post(
        "/api/host/tags", json={"name": f"{name} fan", "colour": "#aa0000"}, headers=staff
    )
    assert tag.status_code == 201, tag.text
    put = await client.post(
        f"/api/host/members/{member.id}/tags", json={"tagId": tag.json()["id"]}, headers=staff
    )
    assert put.status_code == 200, put.text
    note = await client.post(
        f"/api/host/members/{member.id}/notes", json={"body": f"{name} secret"}, headers=staff
    )
    assert note.status_code == 201, note.text
    segment = await client.post(
        "/api/host/segments",
        json={"name": f"{name} buyers", "filters": {"ordersMin": 1}},
        headers=staff,
    )
    assert segment.status_code == 201, segment.text
    return Side(
        host=host,
        staff=staff,
        staff_id=made.json()["userId"],
        member=member,
        tag_id=tag.json()["id"],
        segment_id=segment.json()["id"],
    )


async def _b_state(b: Side) -> dict[str, Any]:
    async with db.connection() as conn:
        return {
            "notes": await conn.fetch(
                "SELECT id, body, author_id FROM member_notes WHERE host_id = $1 ORDER BY id",
                b.host.id,
            ),
            "tags": await conn.fetch(
                "SELECT user_id, code FROM member_tags WHERE host_id = $1 ORDER BY id", b.host.id
            ),
            "defs": await conn.fetch(
                "SELECT id, name, colour FROM member_tag_defs WHERE host_id = $1", b.host.id
            ),
            "segments": await conn.fetch(
                "SELECT id, name, filters FROM member_segments WHERE host_id = $1", b.host.id
            ),
            "staff": await conn.fetch(
                "SELECT user_id FROM host_staff WHERE host_id = $1", b.host.id
            ),
            "follow_up": await conn.fetch(
                "SELECT * FROM member_followup_history WHERE host_id = $1", b.host.id
            ),
            "rules": await conn.fetch(
                "SELECT config FROM member_tag_rules WHERE host_id = $1", b.host.id
            ),
            "staff_roles": await conn.fetchval("SELECT roles FROM users WHERE id = $1", b.staff_id),
        }


def _body(call: Call, own_tag: int) -> Any:
    if call.method not in ("POST", "PUT", "PATCH"):
        return None
    body = BODIES.get((call.method, call.route), ...)
    assert body is not ..., f"{call}: add a valid body to BODIES (a new route is covered here)"
    if isinstance(body, dict) and body.get("tagId") == "{own_tag}":
        body = {**body, "tagId": own_tag}
    return body


async def test_host_a_and_its_staff_never_reach_host_b_members_segments_tags_or_staff(
    client: httpx.AsyncClient, app: Litestar, user_factory
) -> None:
    a = await _side(client, user_factory, "a")
    b = await _side(client, user_factory, "b")
    viewer = await user_factory("viewer")
    distributor = await user_factory("distributor", ["distributor"])
    objects = {
        "user_id": b.member.id,
        "tag_id": b.tag_id,
        "segment_id": b.segment_id,
        "staff_id": b.staff_id,
    }
    calls = crm_calls(app, objects)
    routes = {c.route for c in calls}
    # The enumeration finds what exists (and whatever is added later under these paths).
    assert {
        "/api/host/members",
        "/api/host/members/{user_id}",
        "/api/host/segments/{segment_id}/export",
        "/api/host/tags/{tag_id}",
        "/api/host/staff/{staff_id}",
    } <= routes, routes
    before = await _b_state(b)
    wrong: list[str] = []
    b_secrets = {
        b.member.username,
        "b fan",
        "b buyers",
        "b secret",
        "b-aide",
    }

    async def send(call: Call, headers: dict[str, str], params: dict[str, Any] | None = None):
        client.cookies.clear()
        return await client.request(
            call.method,
            call.path,
            json=_body(call, a.tag_id),
            headers=headers,
            params=params or {},
        )

    for call in calls:
        for who, headers in (("guest", {}), ("viewer", viewer.headers)):
            response = await send(call, headers)
            expected = 401 if who == "guest" else 403
            if response.status_code != expected:
                wrong.append(f"{call} as {who}: {response.status_code} {response.text[:100]}")
        response = await send(call, distributor.headers)
        if response.status_code != 403:
            wrong.append(f"{call} as distributor: {response.status_code}")
        for who, headers in (("host A", a.host.headers), ("staff of A", a.staff)):
            for params in ({}, {"hostId": b.host.id}):
                response = await send(call, headers, params)
                status = response.status_code
                label = f"{call} as {who} {params or ''}: {status} {response.text[:100]}"
                if status >= 500 or (call.has_object and status not in (403, 404)):
                    wrong.append(label)
                elif not call.has_object and 200 <= status < 300 and call.method == "GET":
                    leaked = [s for s in b_secrets if s in response.text]
                    if f'"userId":{b.member.id},' in response.text:
                        leaked.append(f"member {b.member.id}")
                    if leaked:
                        wrong.append(f"{label}: shows host B's {sorted(set(leaked))}")
        if (
            call.has_object
            and call.method == "GET"
            and not call.route.startswith("/api/host/staff")
        ):
            # B's own staff reach these objects: the refusals above are about the host.
            response = await send(call, b.staff)
            if response.status_code != 200:
                wrong.append(f"{call} as staff of B: {response.status_code} {response.text[:100]}")
    assert not wrong, "\n".join(wrong)
    assert await _b_state(b) == before
