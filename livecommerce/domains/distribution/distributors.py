"""Becoming a distributor, and the tree: each distributor has at most one parent (who recruited
them) and the tree never has a loop. Tree changes take one advisory lock, so two concurrent
changes can't each pass the loop check and together close a cycle.

One path to the role: the distributor role and the profile come together, whichever endpoint
asks (POST /api/distributors asks accounts for the role; POST /api/me/roles reaches
`on_role_applied` through the accounts port) and whoever grants it (`on_role_granted`: open
signup, an operator's approval, the demo seed). A parent not named by code is the distributor
the user is bound to, else the one whose link brought them."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from asyncpg import Connection, Record
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.accounts import services as accounts
from livecommerce.domains.accounts.hooks import AccountHooks
from livecommerce.domains.distribution import bindings, config
from livecommerce.domains.distribution.rules import creates_loop
from livecommerce.domains.distribution.schemas import DistributorOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.settings import Settings

TREE_LOCK = 0x7D15_7001  # pg_advisory_xact_lock key of the distributor tree
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud and typed
_CODE_TRIES = 5
MAX_DEPTH = 10_000  # how far up the tree a walk goes at most (the tree has no loop anyway)

T = TypeVar("T")


def new_code(length: int = 8) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


async def with_new_code(conn: Connection, insert: Callable[[str], Awaitable[T]]) -> T:
    """`insert(code)` with a fresh short code (a distributor's, a share link's), tried again with
    another while the code is taken. Each try is a savepoint, so a taken code is retried, not
    fatal; a unique violation of anything but a code is the caller's."""
    for _ in range(_CODE_TRIES):
        try:
            async with conn.transaction():
                return await insert(new_code())
        except UniqueViolationError as exc:
            if "code" not in (exc.constraint_name or ""):
                raise
    raise DomainError(ErrorCode.CONFLICT, detail="could not allot a code; try again")


async def code_owner(conn: Connection, code: str) -> int:
    owner = await conn.fetchval(
        "SELECT user_id FROM distributors WHERE code = $1", code.strip().upper()
    )
    if owner is None:
        raise DomainError(
            ErrorCode.UNKNOWN_REFERRAL_CODE,
            detail=f"no distributor has the code {code!r}",
        )
    return int(owner)


async def ancestry(conn: Connection, start: int, levels: int = MAX_DEPTH) -> list[Record]:
    """The distributor `start` and those above it, `levels` rows at most, nearest first: each row
    has user_id, parent_id, depth (start: 1) and active (holds the distributor role and is not
    suspended by an operator: a suspended distributor earns no commission on new orders)."""
    return list(
        await conn.fetch(
            "WITH RECURSIVE up(user_id, parent_id, depth) AS ("
            "  SELECT user_id, parent_id, 1 FROM distributors WHERE user_id = $1"
            "  UNION ALL SELECT d.user_id, d.parent_id, up.depth + 1"
            "  FROM up JOIN distributors d ON d.user_id = up.parent_id"
            "  WHERE up.depth < $2)"
            " SELECT up.user_id, up.parent_id, up.depth,"
            " 'distributor' = ANY(u.roles) AND NOT 'distributor' = ANY(u.suspended_roles)"
            "   AS active"
            " FROM up JOIN users u ON u.id = up.user_id"
            " ORDER BY up.depth",
            start,
            levels,
        )
    )


async def is_active(conn: Connection, user_id: int) -> bool:
    """Whether `user_id` is a distributor holding the role (not pending, not withdrawn)."""
    rows = await ancestry(conn, user_id, 1)
    return bool(rows) and bool(rows[0]["active"])


def parents(rows: list[Record]) -> dict[int, int | None]:
    """{distributor: parent} of `ancestry` rows, for `rules.chain` and `rules.creates_loop`."""
    return {row["user_id"]: row["parent_id"] for row in rows}


async def _ensure_no_loop(conn: Connection, user_id: int, parent_id: int) -> None:
    if parent_id == user_id or creates_loop(
        user_id, parent_id, parents(await ancestry(conn, parent_id))
    ):
        raise DomainError(
            ErrorCode.DISTRIBUTOR_LOOP,
            detail=f"user {parent_id} can't be the parent of user {user_id}:"
            " the tree would have a loop",
        )


async def _implicit_parent(conn: Connection, user_id: int, cookie: str | None) -> int | None:
    """The parent of a distributor who named none: the distributor they are bound to, else the
    one whose share link brought them (the referral cookie of their own request, when the
    binding mode bound nothing). Never themselves, never one that would close a loop."""
    live = await bindings.live_binding(conn, user_id)
    candidate: int | None = live["distributor_id"] if live else None
    if candidate is None and cookie:
        found = await bindings.referrer(conn, await config.load(conn), cookie)
        candidate = found[0] if found else None
    if candidate is None or candidate == user_id:
        return None
    if not await conn.fetchval("SELECT 1 FROM distributors WHERE user_id = $1", candidate):
        return None
    if creates_loop(user_id, candidate, parents(await ancestry(conn, candidate))):
        return None
    return candidate


async def _insert_profile(conn: Connection, user_id: int, parent: int | None) -> None:
    async def insert(code: str) -> None:
        await conn.execute(
            "INSERT INTO distributors (user_id, code, parent_id, created_at)"
            " VALUES ($1, $2, $3, now())",
            user_id,
            code,
            parent,
        )

    await with_new_code(conn, insert)


async def ensure_profile(conn: Connection, user_id: int, cookie: str | None) -> None:
    """The user's distributor profile, made now if missing (a code, the implicit parent), under
    the tree lock; a profile that exists is left as it is."""
    await conn.execute("SELECT pg_advisory_xact_lock($1)", TREE_LOCK)
    if await conn.fetchval("SELECT 1 FROM distributors WHERE user_id = $1", user_id):
        return
    await _insert_profile(conn, user_id, await _implicit_parent(conn, user_id, cookie))


async def signup_mode(conn: Connection) -> str | None:
    """RoleHooks.signup of the distributor role: the operator's setting (None: the
    environment's)."""
    return (await config.load(conn)).signup


async def on_role_applied(tx: Tx, user_id: int) -> None:
    """RoleHooks.applied: the user asked for the role in their own request, so their referral
    cookie may name the parent. The profile is made now, pending until the role is granted."""
    await ensure_profile(tx.conn, user_id, bindings.REFERRAL.get())


async def on_role_granted(tx: Tx, user_id: int) -> None:
    """RoleHooks.granted: whoever granted it (an operator's request carries the operator's
    cookies, not the user's), the profile exists afterwards."""
    await ensure_profile(tx.conn, user_id, None)


async def become(
    env: Settings,
    hooks: AccountHooks,
    actor: Actor,
    parent_code: str | None,
    note: str,
) -> tuple[DistributorOut, list[str] | None]:
    """Create the actor's distributor profile (code, parent) and ask for the role: granted at once
    with open signup, else pending an admin. Returns the profile and the new roles if granted.
    A profile left without the role (a rejected application) asks again; its parent stays."""
    granted: list[str] | None = None
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute("SELECT pg_advisory_xact_lock($1)", TREE_LOCK)
        exists = bool(
            await conn.fetchval("SELECT 1 FROM distributors WHERE user_id = $1", actor.id)
        )
        holds = "distributor" in (
            await conn.fetchval("SELECT roles FROM users WHERE id = $1", actor.id) or []
        )
        if exists and holds:
            raise DomainError(ErrorCode.ALREADY_DISTRIBUTOR, detail="you are a distributor already")
        if not exists:
            parent: int | None
            if parent_code:
                parent = await code_owner(conn, parent_code)
                await _ensure_no_loop(conn, actor.id, parent)
            else:
                parent = await _implicit_parent(conn, actor.id, bindings.REFERRAL.get())
            await _insert_profile(conn, actor.id, parent)
        if not holds:
            try:
                _, granted = await accounts.apply_for_role(
                    actor.id,
                    "distributor",
                    note,
                    hooks=hooks,
                    default_signup=env.distributor_signup,
                )
            except DomainError as error:
                if error.code != ErrorCode.APPLICATION_PENDING:
                    raise
                if exists:
                    raise DomainError(
                        ErrorCode.ALREADY_DISTRIBUTOR,
                        detail="your distributor application is waiting for review",
                    ) from None
        out = await profile(conn, actor.id)
    return out, granted


async def require_profile(user_id: int) -> None:
    """409 not_a_distributor unless the user has a distributor profile (pending or active)."""
    async with db.connection() as conn:
        if not await conn.fetchval("SELECT 1 FROM distributors WHERE user_id = $1", user_id):
            raise not_a_distributor()


def not_a_distributor() -> DomainError:
    return DomainError(
        ErrorCode.NOT_A_DISTRIBUTOR,
        detail="you have no distributor profile: POST /api/distributors first",
    )


async def profile(conn: Connection, user_id: int) -> DistributorOut:
    row = await conn.fetchrow(
        "SELECT d.user_id, d.code, d.parent_id, d.created_at,"
        " 'distributor' = ANY(u.roles) AS active, p.code AS parent_code"
        " FROM distributors d JOIN users u ON u.id = d.user_id"
        " LEFT JOIN distributors p ON p.user_id = d.parent_id"
        " WHERE d.user_id = $1",
        user_id,
    )
    if row is None:
        raise not_a_distributor()
    return DistributorOut(
        user_id=row["user_id"],
        code=row["code"],
        parent_id=row["parent_id"],
        parent_code=row["parent_code"],
        status="active" if row["active"] else "pending",
        created_at=row["created_at"],
    )


async def set_parent(user_id: int, parent_code: str | None) -> DistributorOut:
    """An operator moves a distributor under another (or to the root); a loop is refused."""
    async with db.transaction() as tx:
        conn = tx.conn
        await conn.execute("SELECT pg_advisory_xact_lock($1)", TREE_LOCK)
        if not await conn.fetchval(
            "SELECT 1 FROM distributors WHERE user_id = $1 FOR UPDATE", user_id
        ):
            raise DomainError(ErrorCode.NOT_FOUND, detail=f"user {user_id} is not a distributor")
        parent = await code_owner(conn, parent_code) if parent_code else None
        if parent is not None:
            await _ensure_no_loop(conn, user_id, parent)
        await conn.execute(
            "UPDATE distributors SET parent_id = $2 WHERE user_id = $1", user_id, parent
        )
        return await profile(conn, user_id)
