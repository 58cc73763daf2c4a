"""The edge of every HTTP request (DESIGN §10): a browser can't be made to act for its user from
another site, bodies are JSON, and every response carries the headers that keep pages unframed
and scripts our own.

A pure ASGI middleware rather than Litestar's CSRF middleware: that one is a double-submit
token, which every page and API client would have to carry; the Origin check needs nothing
from them, and a request with a bearer token (no ambient credential) is not affected at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from livecommerce.infra.errors import PROBLEM_JSON, STATUS, ErrorCode, problem_body
from livecommerce.settings import Settings

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Gateways post their own formats (form fields, XML) and are authenticated by signature; so is
# an unsubscribe link (a form, or a mail provider's RFC 8058 one-click POST).
FOREIGN_BODY_PATHS = ("/api/payments/callback", "/u/")
# File uploads (images) are multipart/form-data, and only that: no JSON, no url-encoded form.
MULTIPART_BODY_PATHS = ("/api/uploads/",)

# Scripts, styles, frames and forms are ours only. Images, video and the stream's segments may
# come from a host's CDN (a room's cover and HLS URL are https URLs it gives): they can't run.
PAGE_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; "
    "img-src 'self' data: blob: https:; media-src 'self' blob: https:; "
    "connect-src 'self' ws: wss: https:; worker-src 'self' blob:; font-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)
# Swagger UI's page (Litestar renders it) starts itself with an inline script.
SWAGGER_POLICY = PAGE_POLICY.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'")
_SWAGGER_PREFIX = "/schema"

_COMMON_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"SAMEORIGIN"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
]


def _normalized(origin: str) -> str:
    return origin.strip().lower().rstrip("/")


def allowed_origins(settings: Settings) -> frozenset[str]:
    """Origins besides the page's own that may send cookie-authenticated changes."""
    origins = {_normalized(origin) for origin in settings.allowed_origins if origin.strip()}
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        origins.add(_normalized(f"{parts.scheme}://{parts.netloc}"))
    return frozenset(origins)


def same_site(origin: str, host: str, allowed: Iterable[str]) -> bool:
    """`origin` is the site serving this request (its Host), or one of `allowed`. A browser sets
    Origin itself, so a page on another site can't claim to be this one."""
    origin = _normalized(origin)
    if origin in allowed:
        return True
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and bool(host) and parts.netloc == host.lower()


def _origin_of(headers: dict[bytes, bytes]) -> str | None:
    origin = headers.get(b"origin")
    if origin is not None:
        return origin.decode("latin-1")
    referer = headers.get(b"referer")
    if referer:
        parts = urlsplit(referer.decode("latin-1"))
        return f"{parts.scheme}://{parts.netloc}"
    return None


def cross_site(headers: dict[bytes, bytes], allowed: frozenset[str]) -> str | None:
    """The foreign origin a browser says this request comes from, or None when it is this
    site's own (or an allowed one), or no browser's at all.

    The browser's word is `Sec-Fetch-Site` (every current browser sends it), else `Origin`
    (else the Referer's origin). A request with none of them was not made by a browser, so no
    page could have made it: a script with a cookie jar is the user himself. This is the check
    of Go's `http.CrossOriginProtection`, with Referer for browsers older than both headers.
    """
    fetch_site = headers.get(b"sec-fetch-site")
    origin = _origin_of(headers)
    if fetch_site in (b"same-origin", b"none"):
        return None
    if origin is None:
        return "another site" if fetch_site is not None else None
    host = headers.get(b"host", b"").decode("latin-1")
    return None if same_site(origin, host, allowed) else origin[:100]


def _is_json(content_type: bytes) -> bool:
    media_type = content_type.split(b";", 1)[0].strip().lower()
    return media_type == b"application/json" or (
        media_type.startswith(b"application/") and media_type.endswith(b"+json")
    )


def _is_multipart(content_type: bytes) -> bool:
    return content_type.split(b";", 1)[0].strip().lower() == b"multipart/form-data"


def _has_body(headers: dict[bytes, bytes]) -> bool:
    length = headers.get(b"content-length")
    if length is not None:
        return length.strip() not in (b"", b"0")
    return b"transfer-encoding" in headers


def refusal(method: str, path: str, headers: dict[bytes, bytes], allowed: frozenset[str]):
    """Why this request is refused before it reaches a handler, or None."""
    if method not in UNSAFE_METHODS:
        return None
    # A bearer token is no ambient credential: a page elsewhere can't make a browser send it.
    if b"authorization" not in headers:
        foreign = cross_site(headers, allowed)
        if foreign is not None:
            return ErrorCode.ORIGIN_NOT_ALLOWED, f"changes from {foreign} are not accepted"
    if not _has_body(headers) or path.startswith(FOREIGN_BODY_PATHS):
        return None
    content_type = headers.get(b"content-type", b"")
    if path.startswith(MULTIPART_BODY_PATHS):
        if not _is_multipart(content_type):
            return ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be multipart/form-data"
    elif not _is_json(content_type):
        return ErrorCode.UNSUPPORTED_MEDIA_TYPE, "the body must be application/json"
    return None


def _problem_messages(
    code: ErrorCode, detail: str
) -> tuple[HTTPResponseStartEvent, HTTPResponseBodyEvent]:
    status = STATUS[code]
    body = json.dumps(problem_body(status, code.value, detail)).encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": status,
        "headers": [
            (b"content-type", PROBLEM_JSON.encode()),
            (b"content-length", str(len(body)).encode()),
        ],
    }
    return start, {"type": "http.response.body", "body": body, "more_body": False}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A `before_send` hook, so it also reaches answers no route made (a 404, a refusal)."""
    if message["type"] != "http.response.start":
        return
    policy = SWAGGER_POLICY if scope["path"].startswith(_SWAGGER_PREFIX) else PAGE_POLICY
    headers = list(message.get("headers", []))
    present = {name.lower() for name, _ in headers}
    headers.extend(header for header in _COMMON_HEADERS if header[0] not in present)
    if b"content-security-policy" not in present:
        headers.append((b"content-security-policy", policy.encode()))
    message["headers"] = headers


def cross_site_guard(settings: Settings):
    """Middleware: refuse cross-site changes and non-JSON bodies before any handler runs."""
    allowed = allowed_origins(settings)

    def middleware(app: ASGIApp) -> ASGIApp:
        async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
            refused = (
                refusal(scope["method"], scope["path"], dict(scope["headers"]), allowed)
                if scope["type"] == ScopeType.HTTP
                else None
            )
            if refused is None:
                await app(scope, receive, send)
                return
            for message in _problem_messages(*refused):
                await send(message)

        return guarded

    return middleware
