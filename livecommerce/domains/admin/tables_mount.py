"""piccolo-admin at /admin/tables/, behind our own login: one account system (DESIGN §14).

piccolo-admin brings a session login of its own over a user table of its own (piccolo_api's
SessionsAuthBackend over BaseUser). Neither is used: the gate below lets only a request whose
token (the `lc_token` cookie or a bearer header, read by our JWT middleware) belongs to an admin
through, and piccolo-admin's API is handed that same operator by a backend that reads what the
gate left in the scope. No piccolo_user or session row exists; its login, password and MFA
routes are closed, and its logout logs out of the site.

The gate also keeps piccolo-admin to what table_policy.py allows: GETs of its page and API, and
PATCH of a row of a table with copy columns, run in one transaction with the audit row (a refused
or failed edit leaves neither). Its own CSRF double-submit cookie still guards that PATCH.
"""

from __future__ import annotations

import json
import re
from urllib.parse import quote, urlsplit

from litestar import Litestar
from litestar.handlers import ASGIRouteHandler, asgi
from piccolo.apps.user.tables import BaseUser
from piccolo.table import Table
from piccolo_admin.endpoints import AdminRouter, create_admin
from piccolo_api.shared.auth import User as PiccoloUser
from starlette.authentication import AuthCredentials, AuthenticationBackend, AuthenticationError
from starlette.middleware.authentication import AuthenticationMiddleware
from starlette.requests import HTTPConnection
from starlette.routing import Mount
from starlette.types import Message, Receive, Scope, Send

from livecommerce.domains.admin.table_edits import by_column_names, copy_only
from livecommerce.domains.admin.table_policy import (
    ACTOR_ID_KEY,
    EDITABLE,
    SHOWN,
    TX_KEY,
    table_configs,
)
from livecommerce.infra import db
from livecommerce.infra.auth import Actor, revoke
from livecommerce.infra.errors import PROBLEM_JSON, STATUS, DomainError, ErrorCode, problem_body
from livecommerce.settings import Settings

MOUNT = "/admin/tables"
# Our pages' policy (infra/security.py), tighter where piccolo-admin needs less (no sockets, no
# pictures from elsewhere) and looser in one thing: its Vue bundle adds <style> elements (Font
# Awesome, the rich-text editor) and inline styles. Scripts stay ours only: it compiles no
# template at run time, so no 'unsafe-eval'.
TABLES_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'self'"
)

# What the bundled front end asks for (read from its dist/assets); anything else is 404, among
# them the Swagger pages (/api/docs/, /public/docs/, from a CDN) and the OpenAPI documents.
_READ_PATHS = re.compile(
    r"^/(?:$|assets/|api/(?:tables|forms)/|api/(?:links|user)/$|public/(?:meta|translations)/)"
)
_ROW_PATH = re.compile(r"^/api/tables/([a-z_]+)/([0-9]{1,18})/$")
_SCHEMA_PATH = re.compile(r"^/api/tables/([a-z_]+)/schema/$")
_SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
_EDIT_BODY_MAX = 64 * 1024  # a row's copy: titles and a description


class _Undo(Exception):
    """The edit answered with an error: roll its transaction back."""


class _OperatorBackend(AuthenticationBackend):
    """piccolo-admin's `request.user`: the operator the gate let in, as an unsaved BaseUser."""

    async def authenticate(self, conn: HTTPConnection) -> tuple[AuthCredentials, PiccoloUser]:
        actor = conn.scope.get("livecommerce.actor")
        if not isinstance(actor, Actor) or not actor.is_admin:
            raise AuthenticationError("admins only")
        user = BaseUser(id=actor.id, username=actor.username, active=True, admin=True)
        return AuthCredentials(["authenticated"]), PiccoloUser(user=user)


def _bridge(admin: AdminRouter) -> None:
    """Swap the session backend of piccolo-admin's private API for ours."""
    for route in admin.router.routes:
        if isinstance(route, Mount) and route.path == "/api":
            middleware = route.app
            if isinstance(middleware, AuthenticationMiddleware):
                middleware.backend = _OperatorBackend()
                return
    raise RuntimeError("piccolo-admin's /api mount has changed: re-check tables_mount.py")


def _hosts(settings: Settings) -> list[str]:
    """The hosts its CSRF check accepts as Origin/Referer over HTTPS."""
    urls = [settings.public_url, *settings.allowed_origins]
    return sorted({host for url in urls if (host := urlsplit(url.strip()).hostname)})


def build_admin(settings: Settings) -> AdminRouter:
    admin = create_admin(
        table_configs(),
        auto_include_related=False,  # only what table_policy.py names
        site_name="LiveCommerce",
        production=settings.env == "prod",
        allowed_hosts=_hosts(settings),
        sidebar_links={"运营控制台 Console": "/admin"},
    )
    _bridge(admin)
    return admin


async def _answer(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]):
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def _problem(send: Send, code: ErrorCode, detail: str) -> None:
    status = STATUS[code]
    body = json.dumps(problem_body(status, code.value, detail)).encode()
    await _answer(send, status, body, [(b"content-type", PROBLEM_JSON.encode())])


async def _redirect(send: Send, location: str, status: int = 303) -> None:
    await _answer(send, status, b"", [(b"location", location.encode())])


def _with_policy(send: Send) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            if not any(name.lower() == b"content-security-policy" for name, _ in headers):
                headers.append((b"content-security-policy", TABLES_POLICY.encode()))
            message["headers"] = headers
        await send(message)

    return sending


async def _log_out(scope: Scope, send: Send) -> None:
    """piccolo-admin's 退出 logs out of the site: the token revoked, the cookie cleared."""
    app: Litestar = scope["app"]
    if scope.get("auth") is not None:
        await revoke(app.state.redis, scope["auth"])
    cookie = f"{app.state.jwt_auth.key}=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
    await _answer(send, 204, b"", [(b"set-cookie", cookie.encode())])


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b""
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()  # the disconnect, whenever it comes
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _edit(
    admin: AdminRouter, table: str, row_id: int, scope: Scope, receive: Receive, send: Send
) -> None:
    """One PATCH of a row's copy and its audit row in one transaction; its answer is held until
    that transaction committed, and an error answer rolls it back."""
    try:
        data = json.loads(await _body(receive))
    except ValueError:
        data = None
    if not isinstance(data, dict):
        await _problem(send, ErrorCode.VALIDATION_ERROR, "the body must be a JSON object")
        return
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    try:
        async with db.transaction() as tx:
            body = json.dumps(await copy_only(tx.conn, SHOWN[table], row_id, data)).encode()
            headers = [(k, v) for k, v in scope["headers"] if k != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            scope["headers"], scope[TX_KEY] = headers, tx
            await admin(scope, _replaying(body, receive), hold)
            if held and held[0]["type"] == "http.response.start" and held[0]["status"] >= 400:
                raise _Undo
    except _Undo:
        pass
    except DomainError as exc:
        await _problem(send, exc.code, exc.detail)
        return
    for message in held:
        await send(message)


async def _schema(
    admin: AdminRouter, table: type[Table], scope: Scope, receive: Receive, send: Send
) -> None:
    """Its table schema, with the names its pages look columns up by (table_edits.py)."""
    held: list[Message] = []

    async def hold(message: Message) -> None:
        held.append(message)

    await admin(scope, receive, hold)
    start = held[0] if held and held[0]["type"] == "http.response.start" else None
    if start is None or start["status"] != 200:
        for message in held:
            await send(message)
        return
    raw = b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body")
    body = json.dumps(by_column_names(table, json.loads(raw))).encode()
    headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
    await _answer(send, 200, body, [*headers, (b"content-length", str(len(body)).encode())])


def _content_length(scope: Scope) -> int | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return int(value) if value.isdigit() else None
    return None


def gate(settings: Settings):
    """The ASGI app mounted at /admin/tables: piccolo-admin, for admins, within table_policy."""
    admin = build_admin(settings)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        send = _with_policy(send)
        raw = scope.get("raw_path") or MOUNT.encode()
        if raw.split(b"?", 1)[0] == MOUNT.encode():
            # Its page loads ./assets and ./api: only under the trailing slash.
            await _redirect(send, f"{MOUNT}/", 308)
            return
        path, method = scope["path"], scope["method"]
        actor = scope.get("user")
        if not isinstance(actor, Actor):
            if method == "GET" and path == "/":
                await _redirect(send, f"/login?next={quote(MOUNT + '/', safe='')}")
            else:
                await _problem(send, ErrorCode.NOT_AUTHENTICATED, "log in first")
            return
        if not actor.is_admin:
            await _problem(send, ErrorCode.FORBIDDEN, "this needs the admin role")
            return
        scope["livecommerce.actor"], scope[ACTOR_ID_KEY] = actor, actor.id
        if method in _SAFE:
            schema = _SCHEMA_PATH.match(path)
            if schema and schema.group(1) in SHOWN:
                await _schema(admin, SHOWN[schema.group(1)], scope, receive, send)
            elif _READ_PATHS.match(path):
                await admin(scope, receive, send)
            else:
                await _problem(send, ErrorCode.NOT_FOUND, "not here")
            return
        if method == "POST" and path == "/public/logout/":
            await _log_out(scope, send)
            return
        if method == "POST" and path == "/public/login/":
            # Already logged in (the gate let an admin through): the site's login is the login.
            await _answer(send, 200, b"{}", [(b"content-type", b"application/json")])
            return
        row = _ROW_PATH.match(path) if method == "PATCH" else None
        if row is None or row.group(1) not in EDITABLE:
            await _problem(send, ErrorCode.FORBIDDEN, "read-only here")
            return
        length = _content_length(scope)
        if length is None or length > _EDIT_BODY_MAX:
            await _problem(send, ErrorCode.BODY_TOO_LARGE, "a row's copy is small")
            return
        await _edit(admin, row.group(1), int(row.group(2)), scope, receive, send)

    return app


def tables_mount(settings: Settings) -> ASGIRouteHandler:
    admin_app = gate(settings)

    @asgi(MOUNT, is_mount=True, copy_scope=True, name="admin:tables")
    async def admin_tables(scope: Scope, receive: Receive, send: Send) -> None:
        await admin_app(scope, receive, send)

    return admin_tables
