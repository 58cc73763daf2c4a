"""A corpus of hostile input generated from `/schema/openapi.json`: for every write operation,
bodies that are not JSON, not UTF-8, nested past any parser's depth, of the wrong shape, and for
every field of its body the wrong type, out of bounds, too long, an unknown enum value, an id of
nothing, deep nesting. Every answer is below 500 and a refusal is a problem detail with a code;
a refused request changes nothing in PostgreSQL (a digest of every table, before and after)."""

from __future__ import annotations

import uuid
from collections import Counter
from typing import Any

import httpx
import msgspec

from livecommerce.domains.tables import ALL_TABLES
from livecommerce.infra import db
from tests.resilience.invariants import fmt
from tests.resilience.objects import owned_objects
from tests.resilience.openapi_examples import request_body, resolve
from tests.resilience.policy import OBJECT_PARAMS, Route, routes_of
from tests.support import TestUser

MISSING_ID = 2_000_000_000
DEEP = 1_500

# Whole bodies, as bytes: what a JSON parser meets before any schema.
RAW_BODIES: dict[str, bytes] = {
    "empty": b"",
    "not json": b"hello",
    "truncated": b'{"a": "b',
    "bad utf-8": b'{"a": "\xff\xfe\xfd"}',
    "bad utf-8 key": b'{"\xc3": 1}',
    "arrays nested deep": b"[" * DEEP + b"]" * DEEP,
    "objects nested deep": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    "huge exponent": b'{"a": 1e400}',
    "top-level array": b"[1, 2, 3]",
    "top-level string": b'"x"',
    "top-level null": b"null",
    "nul bytes": b'{"a": "\x00"}',
    "lone surrogate": b'{"a": "\\ud800"}',
    "utf-16": '{"a": 1}'.encode("utf-16"),
}


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


def field_values(schema: dict[str, Any], name: str) -> dict[str, Any]:
    """Values a field must not accept (some may be fine for a lax field: then they are 2xx)."""
    max_length = schema.get("maxLength")
    values: dict[str, Any] = {
        "a string": "x" * 3,
        "an integer": 7,
        "a float": 1.5,
        "a boolean": True,
        "an object": {"a": 1},
        "a list": [1],
        "null": None,
        "2**63": 2**63,
        "-2**31 - 5": -(2**31) - 5,
        "10**30": 10**30,
        "-1": -1,
        "overlong string": "x" * ((max_length or 10_000) + 1),
        "300 KB of text": "长" * 100_000,
        "NUL": "a\u0000b",
        "unknown enum value": "no-such-value",
        "nested 200 deep": _deep(200),
        "a 10,000-item list": [1] * 10_000,
    }
    if name.endswith("Id"):
        values["an id of nothing"] = MISSING_ID
    if name.endswith("Ids"):
        values["ids of nothing"] = [MISSING_ID, MISSING_ID + 1]
    return values


# Written on purpose by a refusal: every delivery to the payment callback is kept, refused or not,
# as the audit of what a gateway (or someone posing as one) sent.
# Behaviour events are written by a background batch writer up to a second after the request
# that recorded them (domains/analytics/store.py), so an earlier accepted request's events may
# land between two digests; the beacon's own refusals are checked in tests/analytics.
AUDIT_TABLES = {"payment_events", "behaviour_events"}


async def _digest() -> dict[str, str]:
    """Every table's rows, hashed: a refusal must leave each one as it was."""
    names = [t._meta.tablename for t in ALL_TABLES if t._meta.tablename not in AUDIT_TABLES]
    query = " UNION ALL ".join(
        f"SELECT '{name}' AS name,"
        f" md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest"
        f' FROM "{name}" t'
        for name in names
    )
    async with db.connection() as conn:
        return {row["name"]: row["digest"] for row in await conn.fetch(query)}


def _path(route: Route, ids: dict[str, int]) -> str:
    path = route.path
    for param in route.object_params:
        path = path.replace("{" + param + "}", str(ids.get(OBJECT_PARAMS.get(param, ""), 1)))
    return path


def _object_properties(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, dict]:
    """An object schema's properties (any branch of a union), each without its null option."""
    schema = resolve(document, schema)
    branches = [resolve(document, s) for s in schema.get("oneOf", schema.get("anyOf", [schema]))]
    found: dict[str, dict] = {}
    for branch in branches:
        for name, prop in branch.get("properties", {}).items():
            prop = resolve(document, prop)
            for key in ("oneOf", "anyOf"):
                options = [resolve(document, s) for s in prop.get(key, [])]
                prop = {
                    **{k: v for k, v in prop.items() if k not in ("oneOf", "anyOf")},
                    **next((s for s in options if s.get("type") != "null"), {}),
                }
            found.setdefault(name, prop)
    return found


def _properties(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, dict]:
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return {} if media is None else _object_properties(document, media.get("schema", {}))


def nested_bodies(
    document: dict[str, Any], base: dict[str, Any], name: str, schema: dict[str, Any]
):
    """For a list of objects (an order's `items`), its first element's fields made hostile:
    the ids inside a body are foreign ids too."""
    if schema.get("type") != "array" or not isinstance(base.get(name), list) or not base[name]:
        return
    first = base[name][0]
    if not isinstance(first, dict):
        return
    for field, field_schema in _object_properties(document, schema.get("items", {})).items():
        for label, value in field_values(field_schema, field).items():
            if label in NESTED_LABELS or label.endswith("of nothing"):
                item = {**first, field: value}
                yield f"{name}[0].{field}: {label}", {**base, name: [item, *base[name][1:]]}


# No field of ours can take these (beyond every column, every limit, or nothing): a 2xx for
# one is a missing bound or a missing existence check.
NEVER_VALID = {
    "2**63",
    "10**30",
    "overlong string",
    "300 KB of text",
    "NUL",
    "nested 200 deep",
    "a 10,000-item list",
    "an id of nothing",
    "ids of nothing",
}
NESTED_LABELS = {"a string", "null", "2**63", "-1", "overlong string", "an object"}


class Corpus:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.statuses: Counter[int] = Counter()
        self.server_errors: list[str] = []
        self.not_problems: list[str] = []
        self.changed_by_refusal: list[str] = []
        self.accepted: Counter[str] = Counter()
        self.digest: dict[str, str] | None = None

    async def send(
        self,
        label: str,
        method: str,
        path: str,
        actor: TestUser | None,
        *,
        content: bytes | None = None,
        body: Any = ...,
        headers: dict[str, str] | None = None,
    ) -> None:
        if self.digest is None:
            self.digest = await _digest()
        sent_headers = {
            "content-type": "application/json",
            "Idempotency-Key": uuid.uuid4().hex,
            **(actor.headers if actor else {}),
            **(headers or {}),
        }
        if body is not ...:
            content = msgspec.json.encode(body)
        self.client.cookies.clear()
        response = await self.client.request(method, path, content=content, headers=sent_headers)
        status = response.status_code
        self.statuses[status] += 1
        where = f"{method} {path} [{label}]"
        if status >= 500:
            self.server_errors.append(f"{where}: {status} {response.text[:160]}")
        elif status >= 400:
            problem = response.headers.get("content-type", "").startswith(
                "application/problem+json"
            )
            if not problem or not response.json().get("code"):
                self.not_problems.append(f"{where}: {status} {response.text[:120]}")
            after = await _digest()
            changed = [name for name in after if after[name] != self.digest.get(name)]
            if changed:
                self.changed_by_refusal.append(f"{where}: {status} changed {changed}")
            self.digest = after
        else:
            self.accepted[label] += 1
            self.digest = None  # it may write: read the tables again before the next refusal


async def test_hostile_bodies_for_every_write_operation_are_4xx_problems_that_change_nothing(
    client: httpx.AsyncClient, user_factory, app, figure
) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    routes, _ = routes_of(app, document)
    owner = await user_factory("owner", ["host"])
    admin = await user_factory("admin", ["admin"])
    shop = await user_factory("shop", ["host"])
    ids = await owned_objects(client, owner, shop)
    corpus = Corpus(client)

    writes = [r for r in routes if r.method in ("POST", "PUT", "PATCH", "DELETE")]
    fields = 0
    for route in writes:
        operation = document["paths"][route.path][route.method.lower()]
        actor = admin if "admin" in route.roles else None if route.public else owner
        path = _path(route, ids)
        for label, raw in RAW_BODIES.items():
            await corpus.send(label, route.method, path, actor, content=raw)
        for label, raw in {"text/plain": b"{}", "form": b"a=1"}.items():
            headers = {"content-type": "text/plain" if label == "text/plain" else "application/x"}
            await corpus.send(label, route.method, path, actor, content=raw, headers=headers)
        for param in route.object_params:
            for label, value in {"missing id": MISSING_ID, "id past int4": 2**40}.items():
                other = path.replace(f"/{ids.get(OBJECT_PARAMS.get(param, ''), 1)}", f"/{value}", 1)
                await corpus.send(
                    label, route.method, other, actor, body=request_body(document, operation)
                )
        base = request_body(document, operation)
        if not isinstance(base, dict):
            continue
        for name, schema in _properties(document, operation).items():
            fields += 1
            for label, value in field_values(schema, name).items():
                await corpus.send(
                    f"{name}: {label}", route.method, path, actor, body={**base, name: value}
                )
            for label, body in nested_bodies(document, base, name, schema):
                fields += label.endswith(": a string")
                await corpus.send(label, route.method, path, actor, body=body)
    await corpus.send(
        "overlong idempotency key",
        "POST",
        "/api/orders",
        owner,
        body={"items": [{"skuId": 1, "quantity": 1}]},
        headers={"Idempotency-Key": "k" * 5_000},
    )
    sent = sum(corpus.statuses.values())
    server_errors = sum(n for status, n in corpus.statuses.items() if status >= 500)
    figure(
        f"{len(writes)} write operations, {fields} body fields: {fmt(sent)} hostile requests, "
        f"{server_errors} 5xx, {len(corpus.not_problems)} refusals without a problem code, "
        f"{len(corpus.changed_by_refusal)} refusals that changed a table, "
        f"{sum(corpus.accepted.values())} accepted ({', '.join(sorted(corpus.accepted))})"
    )
    assert not corpus.server_errors, "\n".join(corpus.server_errors[:60])
    assert not corpus.not_problems, "\n".join(corpus.not_problems[:40])
    assert not corpus.changed_by_refusal, "\n".join(corpus.changed_by_refusal[:40])
    never_valid = [label for label in corpus.accepted if label.split(": ")[-1] in NEVER_VALID]
    assert not never_valid, f"accepted what no field should take: {never_valid}"
