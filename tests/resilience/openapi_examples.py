"""A minimal valid value for a JSON schema of our OpenAPI document: required fields only,
the smallest allowed numbers and lengths. Used to send requests whose body is *valid*, so a
refusal comes from authorization, not from validation."""

from __future__ import annotations

import re
from typing import Any

# Strings with a pattern: the first candidate that matches is used.
_PATTERN_CANDIDATES = [
    "user_1",
    "https://example.com/a.png",
    "/static/a.png",
    "abc",
    "a",
    "1",
    "x1",
    "13800138000",  # a phone number (accounts/schemas.py Phone)
    "/static/gifts/heart.svg",  # a committed gift icon (marketing/gifts_schemas.py GiftIcon)
]


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = document["components"]["schemas"][name]
    return schema


def example(document: dict[str, Any], schema: dict[str, Any], depth: int = 0) -> Any:
    schema = resolve(document, schema)
    if depth > 8:
        return None
    for key in ("oneOf", "anyOf"):
        if key in schema:
            options = [resolve(document, s) for s in schema[key]]
            chosen = next((s for s in options if s.get("type") != "null"), options[0])
            # Litestar puts constraints (minItems, …) beside the oneOf, not inside the option.
            outer = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
            return example(document, {**outer, **chosen}, depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object" or "properties" in schema:
        required = schema.get("required", [])
        return {name: example(document, schema["properties"][name], depth + 1) for name in required}
    if kind == "array":
        return [
            example(document, schema.get("items", {}), depth + 1)
            for _ in range(schema.get("minItems", 0))
        ]
    if kind == "integer":
        return (
            max(int(schema.get("minimum", 1)), 1)
            if "maximum" not in schema or schema["maximum"] >= 1
            else schema["maximum"]
        )
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "string":
        if schema.get("format") == "date-time":
            return "2030-01-01T00:00:00Z"
        pattern = schema.get("pattern")
        if pattern:
            for candidate in _PATTERN_CANDIDATES:
                if re.fullmatch(pattern, candidate):
                    return candidate
        return "x" * max(
            int(schema.get("minLength", 1)),
            8 if "password" in str(schema.get("title", "")).lower() else 1,
        )
    return None


def request_body(document: dict[str, Any], operation: dict[str, Any]) -> Any:
    content = operation.get("requestBody", {}).get("content", {})
    media = content.get("application/json")
    if media is None:
        return None
    return example(document, media.get("schema", {}))


def body_properties(document: dict[str, Any], operation: dict[str, Any]) -> set[str]:
    """The top-level field names a route's JSON body declares (any branch of a union)."""
    media = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if media is None:
        return set()
    schema = resolve(document, media.get("schema", {}))
    branches = [resolve(document, s) for s in schema.get("oneOf", schema.get("anyOf", [schema]))]
    return {name for branch in branches for name in branch.get("properties", {})}
