"""Authorization matrix and mass assignment, generated from `/schema/openapi.json`: every
operation the API documents is called by the actors who must be refused, with a valid body,
so a refusal comes from authorization and not from validation."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import httpx

from livecommerce.infra import db
from tests.resilience.invariants import fmt
from tests.resilience.objects import owned_objects
from tests.resilience.openapi_examples import body_properties, example, request_body
from tests.resilience.policy import ANY_USER, OBJECT_PARAMS, Route, routes_of
from tests.support import TestUser

REFUSED = {401, 403, 404}


async def _openapi(client: httpx.AsyncClient) -> dict[str, Any]:
    response = await client.get("/schema/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operation(document: dict[str, Any], route: Route) -> dict[str, Any]:
    return document["paths"][route.path][route.method.lower()]


async def _call(
    client: httpx.AsyncClient,
    document: dict[str, Any],
    route: Route,
    ids: dict[str, int],
    actor: TestUser | None,
    body: Any = ...,
    fallback_id: int = 1,
) -> httpx.Response:
    path = route.path
    for param in route.object_params:
        path = path.replace(
            "{" + param + "}", str(ids.get(OBJECT_PARAMS.get(param, ""), fallback_id))
        )
    operation = _operation(document, route)
    params = {
        p["name"]: example(document, p.get("schema", {}))
        for p in operation.get("parameters", [])
        if p.get("in") == "query" and p.get("required")
    }
    headers = {"Idempotency-Key": uuid.uuid4().hex, **(actor.headers if actor else {})}
    json_body = request_body(document, operation) if body is ... else body
    kwargs: dict[str, Any] = {"json": json_body} if json_body is not None else {}
    # Login, sign-up and role grants set the token cookie: the jar must not make "anonymous"
    # someone.
    client.cookies.clear()
    return await client.request(route.method, path, params=params, headers=headers, **kwargs)


async def test_the_authorization_matrix_from_the_openapi_routes_has_no_unexpected_2xx(
    client: httpx.AsyncClient,
    user_factory,
    app,
    figure,
) -> None:
    document = await _openapi(client)
    routes, problems = routes_of(app, document)
    assert not problems, "the expected-access table is incomplete:\n" + "\n".join(problems)

    victim = await user_factory("victim", ["host"])
    shop = await user_factory("shop", ["host"])
    viewer = await user_factory("viewer")
    host = await user_factory("otherhost", ["host"])
    ids = await owned_objects(client, victim, shop)

    # (actor label, actor, route, reason) for every call that must be refused.
    cases: list[tuple[str, TestUser | None, Route, str]] = []
    for route in routes:
        if route.public:
            continue
        cases.append(("anonymous", None, route, "not logged in"))
        if route.roles:
            cases.append(("viewer", viewer, route, f"lacks role {sorted(route.roles)}"))
        if route.roles and not route.roles <= {"host"}:
            cases.append(("host", host, route, f"lacks role {sorted(route.roles)}"))
        if route.object_params and route.key not in ANY_USER:
            if not route.roles:
                cases.append(("viewer", viewer, route, "someone else's object"))
            if route.roles <= {"host"}:
                cases.append(("host", host, route, "another host's object"))

    offending: list[str] = []
    statuses: Counter[int] = Counter()
    for label, actor, route, reason in cases:
        response = await _call(client, document, route, ids, actor)
        statuses[response.status_code] += 1
        if response.status_code not in REFUSED:
            offending.append(
                f"{route.method} {route.path} as {label} ({reason}): {response.status_code} "
                f"{response.text[:160]}"
            )
    unexpected_2xx = sum(n for status, n in statuses.items() if 200 <= status < 300)
    figure(
        f"{len(routes)} operations from /schema/openapi.json, {fmt(len(cases))} refused-access "
        "calls "
        f"(anonymous, viewer on host/admin routes, host on admin routes, on the victim's objects): "
        f"{unexpected_2xx} unexpected 2xx, {len(offending)} not refused with 401/403/404"
    )
    assert not offending, "routes that did not refuse access:\n" + "\n".join(offending)


SENTINEL = 987_654_321
SMUGGLED = {
    "role": "admin",
    "roles": ["admin"],
    "isAdmin": True,
    "balance": SENTINEL,
    "status": "completed",
    "userId": None,
    "hostId": None,
    "buyerId": None,
    "ownerId": None,
    "id": SENTINEL,
    "payAmount": 1,
    "totalAmount": 1,
    "paidAmount": 1,
    "sold": SENTINEL,
    "allowNegative": True,
}


async def _snapshot(victim_id: int) -> dict[str, Any]:
    async with db.connection() as conn:
        return {
            "admins": await conn.fetchval("SELECT count(*) FROM users WHERE 'admin' = ANY(roles)"),
            "victim_rows": [
                await conn.fetchval("SELECT count(*) FROM products WHERE host_id = $1", victim_id),
                await conn.fetchval(
                    "SELECT count(*) FROM orders WHERE buyer_id = $1 OR host_id = $1", victim_id
                ),
                await conn.fetchval("SELECT count(*) FROM payments WHERE user_id = $1", victim_id),
                await conn.fetchval(
                    "SELECT count(*) FROM role_applications WHERE user_id = $1", victim_id
                ),
            ],
            "sentinels": await conn.fetchval(
                "SELECT (SELECT count(*) FROM accounts WHERE balance = $1 OR allow_negative AND "
                "user_id IS NOT NULL)"
                " + (SELECT count(*) FROM ledger_entries WHERE abs(amount) = $1)"
                " + (SELECT count(*) FROM skus WHERE sold = $1 OR id = $1) + (SELECT count(*) FROM "
                "orders WHERE id = $1)",
                SENTINEL,
            ),
            "completed": await conn.fetchval(
                "SELECT count(*) FROM orders WHERE status = 'completed'"
            ),
            "cheap_orders": await conn.fetchval(
                "SELECT count(*) FROM orders WHERE pay_amount = 1 OR total_amount = 1"
            ),
        }


async def test_mass_assignment_of_owner_role_balance_or_status_fields_persists_nothing(
    client: httpx.AsyncClient,
    user_factory,
    app,
    figure,
) -> None:
    document = await _openapi(client)
    routes, _ = routes_of(app, document)
    victim = await user_factory("victim", ["host"])
    attacker = await user_factory("attacker", ["host"])
    admin = await user_factory("admin", ["admin"])
    shop = await user_factory("shop", ["host"])
    own = await owned_objects(client, attacker, shop)
    values = {
        **SMUGGLED,
        "userId": victim.id,
        "hostId": victim.id,
        "buyerId": victim.id,
        "ownerId": victim.id,
    }
    before = await _snapshot(victim.id)

    sent, outcomes, other = 0, Counter[str](), set()
    body_routes = [
        r
        for r in routes
        if r.method in ("POST", "PUT", "PATCH")
        and "application/json" in _operation(document, r).get("requestBody", {}).get("content", {})
        and r.path != "/api/payments/callback"
    ]  # a signed provider event, not a user's body
    for route in body_routes:
        operation = _operation(document, route)
        declared = body_properties(document, operation)
        actor = admin if "admin" in route.roles else None if route.public else attacker
        base = request_body(document, operation)
        if not isinstance(base, dict):
            continue
        for name, value in values.items():
            if name in declared:
                continue  # a field the route documents is input, not smuggling
            response = await _call(client, document, route, own, actor, body={**base, name: value})
            sent += 1
            if response.status_code == 400:
                # Refused for the smuggled field itself, not for something else in the body.
                kind = (
                    "refused naming the field"
                    if f"`$.{name}`" in response.text or name in response.text
                    else "400 other"
                )
                outcomes[kind] += 1
                if kind == "400 other":
                    other.add(f"{route.method} {route.path}: {response.text[:160]}")
            else:
                outcomes[f"{response.status_code}"] += 1
    after = await _snapshot(victim.id)
    me = (await client.get("/api/me", headers=attacker.headers)).json()
    persisted = [k for k in before if before[k] != after[k]] + (
        ["attacker roles"] if set(me["roles"]) - {"host", "distributor"} else []
    )
    figure(
        f"{len(body_routes)} body routes x {len(values)} smuggled fields = {fmt(sent)} requests: "
        f"{len(persisted)} persisted ({', '.join(f'{n} {k}' for k, n in outcomes.most_common())})"
    )
    assert not persisted, f"smuggled fields changed {persisted}: before {before}, after {after}"
    assert not [k for k in outcomes if k.startswith("5")], outcomes
    assert not outcomes["400 other"], (
        "bodies refused for another reason prove nothing: fix openapi_examples\n"
        + "\n".join(sorted(other))
    )
