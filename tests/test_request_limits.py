"""Every string a request can carry has a maximum length, and every list or map a maximum size
(DESIGN §10): read from the handlers' own types, so a new route or field without one fails
here, naming it."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Litestar
from litestar.routes import HTTPRoute

from livecommerce.app import create_app

# Parameters the framework or the wiring fills, never the client.
INJECTED = {
    "request",
    "scope",
    "actor",
    "maybe_actor",
    "account_hooks",
    "order_hooks",
    "payment_hooks",
    "room_hooks",
    "distribution_hooks",
    "promotion_hooks",
}
# Bounded another way, said here so that it is a decision and not an oversight.
BOUNDED_ELSEWHERE = {
    ("GET", "/schema/{path:str}", "path"): "Litestar's OpenAPI router: a fixed set of paths",
}


def unbounded(info: msgspec.inspect.Type, where: str, seen: frozenset[type] = frozenset()):
    """The places under `info` where a string or a collection has no maximum."""
    inspect = msgspec.inspect
    if isinstance(info, inspect.StrType):
        if info.max_length is None:
            yield where
    elif isinstance(info, inspect.DictType):
        if info.max_length is None:
            yield f"{where} (map)"
        yield from unbounded(info.key_type, f"{where}{{key}}", seen)
        yield from unbounded(info.value_type, f"{where}{{}}", seen)
    elif isinstance(
        info, inspect.ListType | inspect.SetType | inspect.FrozenSetType | inspect.VarTupleType
    ):
        if info.max_length is None:
            yield f"{where} (list)"
        yield from unbounded(info.item_type, f"{where}[]", seen)
    elif isinstance(info, inspect.UnionType):
        for option in info.types:
            yield from unbounded(option, where, seen)
    elif (
        isinstance(info, inspect.StructType | inspect.DataclassType | inspect.TypedDictType)
        and info.cls not in seen
    ):
        for field in info.fields:
            yield from unbounded(field.type, f"{where}.{field.encode_name}", seen | {info.cls})


def request_inputs(app: Litestar) -> list[tuple[str, str, str, Any, Any]]:
    """(method, path, parameter, its type, Litestar's Parameter() constraints) of every route."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            for name, field in handler.parsed_fn_signature.parameters.items():
                if name in INJECTED:
                    continue
                found.extend(
                    (method, route.path, name, field.annotation, field.kwarg_definition)
                    for method in sorted(handler.http_methods)
                )
    return found


def test_every_string_and_collection_of_every_request_has_a_maximum(settings) -> None:
    app = create_app(settings)
    missing = []
    for method, path, name, annotation, constraints in request_inputs(app):
        if (method, path, name) in BOUNDED_ELSEWHERE:
            continue
        if constraints is not None and getattr(constraints, "max_length", None) is not None:
            continue  # a query, header or path parameter with Parameter(max_length=…)
        info = msgspec.inspect.type_info(annotation)
        missing += [f"{method} {path}: {place}" for place in unbounded(info, name)]
    assert not missing, "no maximum length:\n" + "\n".join(missing)


def test_the_check_itself_finds_an_unbounded_string() -> None:
    class Loose(msgspec.Struct):
        name: str
        tags: list[str] = []

    found = list(unbounded(msgspec.inspect.type_info(Loose), "data"))
    assert found == ["data.name", "data.tags (list)", "data.tags[]"]
