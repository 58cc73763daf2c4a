"""Authentication: Litestar's JWT (Authorization header or HttpOnly cookie), Argon2 passwords,
role guards.

The token carries the user's id and roles, so a request costs no database read.
One Redis MGET answers three questions: was this token revoked (logout), did the user's roles
change after it was issued (then the roles in Redis win), and is the user banned from the
platform (infra/bans.py: every token of theirs refused at once). The process remembers an
accepting answer until a change of that user is announced (infra/auth_memory.py), so a token
used again a moment later costs no Redis round trip at all.
"""

from __future__ import annotations

import asyncio
import json
import time
from datetime import timedelta
from typing import Any

import msgspec
import structlog
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware.authentication import AuthenticationResult
from litestar.security.jwt import JWTCookieAuth, JWTCookieAuthenticationMiddleware, Token
from pwdlib import PasswordHash
from redis.exceptions import RedisError

from livecommerce.infra import auth_memory, bans
from livecommerce.infra import redis as redis_infra
from livecommerce.settings import Settings

log = structlog.get_logger("auth")

ROLES = ("host", "distributor", "admin")
_hasher = PasswordHash.recommended()


class Actor(msgspec.Struct, frozen=True):
    """Who is making the request. Everyone is a viewer; `roles` are the extra ones."""

    id: int
    username: str
    roles: frozenset[str] = frozenset()

    def has(self, role: str) -> bool:
        return role == "viewer" or role in self.roles or "admin" in self.roles

    @property
    def is_admin(self) -> bool:
        return "admin" in self.roles


async def hash_password(password: str) -> str:
    # Argon2 is deliberately slow (~50 ms): keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password: str, password_hash: str) -> bool:
    return await asyncio.to_thread(_hasher.verify, password, password_hash)


def _revoked_key(token: Token) -> str:
    # Ours is one string; the claim is typed `str | Sequence[str] | None`, keyed as it prints.
    return f"auth:revoked:{token.jti or ''}"


def _roles_key(user_id: int | str) -> str:
    return f"auth:roles:{user_id}"


async def retrieve_actor(
    token: Token, connection: ASGIConnection[Any, Any, Any, Any]
) -> Actor | None:
    redis = connection.app.state.redis
    user_id = int(token.sub)
    memory = auth_memory.memory_of(redis)
    jti = token.jti if isinstance(token.jti, str) else None
    ticket = 0
    if memory is not None and jti:
        known: Actor | None = memory.recall(jti, token, user_id)
        if known is not None:
            return known
        ticket = memory.ticket()  # before Redis is asked: a change heard meanwhile voids it
    roles = frozenset(token.extras.get("roles", ()))
    mirrored: tuple[Any, Any] | None
    try:
        revoked, changed, ban, known = await redis_infra.mget(
            redis, _revoked_key(token), _roles_key(token.sub), bans.key(token.sub), bans.KNOWN
        )
        mirrored = (ban, known)
    except RedisError:
        # Availability over revocation: a Redis outage must not log everyone out. A platform ban
        # is asked of PostgreSQL instead (infra/bans.py), so it holds through the outage.
        log.warning("auth_redis_unavailable")
        revoked, changed, mirrored = None, None, None
    if revoked:
        return None
    settings: Settings = connection.app.state.settings
    if await bans.check(
        redis, user_id, issued_at(token), settings.token_ttl_minutes * 60, mirrored
    ):
        return None
    if changed:
        update = json.loads(changed)
        if update["at"] >= token.iat.timestamp():
            roles = frozenset(update["roles"])
    actor = Actor(id=user_id, username=str(token.extras.get("username", "")), roles=roles)
    # Only Redis's complete answer is remembered: not PostgreSQL's while the ban mirror is
    # incomplete or Redis is away (nothing would announce the end of that).
    if memory is not None and jti and mirrored is not None and mirrored[1]:
        memory.remember(jti, token, actor, ticket)
    return actor


def issued_at(token: Token) -> float:
    """When the token was made, to the millisecond when it says (`iat` is whole seconds: a
    token made after an unban in the second of the ban would look older than the ban)."""
    precise = token.extras.get("issuedAt")
    return float(precise) if isinstance(precise, int | float) else token.iat.timestamp()


async def revoke(redis: Any, token: Token) -> None:
    ttl = max(1, int(token.exp.timestamp() - time.time()))
    await redis.set(_revoked_key(token), b"1", ex=ttl)
    await auth_memory.announce(redis, int(token.sub))


async def publish_roles(redis: Any, user_id: int, roles: list[str], ttl_seconds: int) -> None:
    """Tokens issued before now take these roles instead of the ones they carry."""
    await redis.set(
        _roles_key(user_id), json.dumps({"roles": roles, "at": time.time()}), ex=ttl_seconds
    )
    await auth_memory.announce(redis, user_id)


# Tokens whose signature and claims were verified, by their encoded form. Decoding (PyJWT plus
# Litestar's Token conversion) profiled at ~20 % of a red-packet grab (bench/grab.py, py-spy);
# a hit re-checks only the expiry. Revocation and role changes are still read from Redis on
# every request (retrieve_actor), so caching the decode changes no answer.
_VERIFIED: dict[tuple[str, str], Token] = {}
_VERIFIED_MAX = 50_000


class OptionalJWTCookieMiddleware(JWTCookieAuthenticationMiddleware):
    """Guests may read: no token (or a stale one) means an anonymous request; guards decide the
    rest."""

    async def authenticate_token(
        self, encoded_token: str, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        key = (self.token_secret, encoded_token)
        token = _VERIFIED.get(key)
        if token is None or token.exp.timestamp() <= time.time():
            _VERIFIED.pop(key, None)
            token = self.token_cls.decode(
                encoded_token=encoded_token,
                secret=self.token_secret,
                algorithm=self.algorithm,
                audience=self.token_audience,
                issuer=self.token_issuer,
                require_claims=self.require_claims,
                verify_exp=self.verify_expiry,
                verify_nbf=self.verify_not_before,
                strict_audience=self.strict_audience,
            )
            if len(_VERIFIED) >= _VERIFIED_MAX:
                _VERIFIED.clear()
            _VERIFIED[key] = token
        user = await self.retrieve_user_handler(token, connection)
        if not user:
            raise NotAuthorizedException()
        return AuthenticationResult(user=user, auth=token)

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        # The raw header list, not connection.headers: building Litestar's Headers for one
        # lookup was ~6 % of a red-packet grab (bench/grab.py, py-spy).
        wanted = self.auth_header.lower().encode("latin-1")
        header = next(
            (
                value.decode("latin-1")
                for name, value in connection.scope["headers"]
                if name == wanted
            ),
            None,
        )
        encoded = (
            header.partition(" ")[-1] if header else connection.cookies.get(self.auth_cookie_key)
        )
        if not encoded:
            return AuthenticationResult(user=None, auth=None)
        if encoded.startswith("Bearer "):
            encoded = encoded[7:]
        try:
            return await self.authenticate_token(encoded_token=encoded, connection=connection)
        except NotAuthorizedException:
            return AuthenticationResult(user=None, auth=None)


async def start_memory(app: Any) -> None:
    """After the app's own startup (Redis exists): remember accepted tokens (auth_memory)."""
    app.state.auth_memory = auth_memory.start(app.state.redis, bans.CHANNEL)


async def stop_memory(app: Any) -> None:
    """Before the app's own shutdown closes Redis."""
    redis = getattr(app.state, "redis", None)
    if redis is not None:
        await auth_memory.stop(redis, getattr(app.state, "auth_memory", None))


def build_jwt_auth(settings: Settings) -> JWTCookieAuth[Actor]:
    return JWTCookieAuth[Actor](
        retrieve_user_handler=retrieve_actor,
        token_secret=settings.secret_key,
        default_token_expiration=timedelta(minutes=settings.token_ttl_minutes),
        key="lc_token",
        secure=settings.cookie_secure,
        samesite="lax",
        authentication_middleware_class=OptionalJWTCookieMiddleware,
        # Anchored: Litestar searches the whole path, and /admin/tables/api/tables/x/schema/
        # (piccolo-admin's) must not skip the login.
        exclude=["^/schema", "^/static", "^/healthz", "^/readyz", "^/metrics"],
    )


def current_actor(connection: ASGIConnection[Any, Any, Any, Any]) -> Actor:
    actor = connection.scope.get("user")
    if not isinstance(actor, Actor):
        raise NotAuthorizedException("log in first")
    return actor


# Guards are async: Litestar runs a sync guard through a thread pool, which profiled at ~23%
# of the server's samples in the checkout bench.
async def authenticated(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    current_actor(connection)


def requires(role: str):
    """Guard: the actor must have `role` (admins have every role)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        if not current_actor(connection).has(role):
            raise PermissionDeniedException(f"this needs the {role} role")

    guard.__name__ = f"requires_{role}"
    return guard


async def provide_actor(request: Request[Any, Any, Any]) -> Actor:
    return current_actor(request)


async def provide_optional_actor(request: Request[Any, Any, Any]) -> Actor | None:
    user = request.scope.get("user")
    return user if isinstance(user, Actor) else None
