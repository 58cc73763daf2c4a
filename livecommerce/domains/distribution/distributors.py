"""Becoming a distributor, and the tree: each distributor has at most one parent (who recruited
them) and the tree never has a loop. Tree changes take one advisory lock, so two concurrent
changes can't each pass the loop check and together close a cycle."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import TypeVar

from asyncpg import Connection, Record
from asyncpg.exceptions import UniqueViolationError

from livecommerce.domains.accounts import services as accounts
from livecommerce.domains.distribution import bindings, config
from livecommerce.domains.distribution.rules import creates_loop
from livecommerce.domains.distribution.schemas import DistributorOut
from livecommerce.infra import db
from livecommerce.infra.auth import Actor
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
    has user_id, parent_id, depth (start: 1) and active (holds the distributor role)."""
    return list(
        await conn.fetch(
            "WITH RECURSIVE up(user_id, parent_id, depth) AS ("
            "  SELECT user_id, parent_id, 1 FROM distributors WHERE user_id = $1"
            "  UNION ALL SELECT d.user_id, d.parent_id, up.depth + 1"
            "  FROM up JOIN distributors d ON d.user_id = up.parent_id"
            "  WHERE up.depth < $2)"
            " SELECT up.user_id, up.parent_id, up.depth, 'distributor' = ANY(u.roles) AS active"
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


async def become(
    env: Settings, actor: Actor, parent_code: str | None, note: str
) -> tuple[DistributorOut, list[str] | None]:
    """Create the actor's distributor profile (code, parent) and ask for the role: granted at once
    with open signup, else pending an admin. Returns the profile and the new roles if granted."""
    granted: list[str] | None = None
    async with db.transaction() as tx:
        conn = tx.conn
        settings = await config.load(conn, env)
        if await conn.fetchval("SELECT 1 FROM distributors WHERE user_id = $1", actor.id):
            raise DomainError(ErrorCode.ALREADY_DISTRIBUTOR, detail="you are a distributor already")
        await conn.execute("SELECT pg_advisory_xact_lock($1)", TREE_LOCK)
        parent: int | None
        if parent_code:
            parent = await code_owner(conn, parent_code)
        else:
            live = await bindings.live_binding(conn, actor.id)
            parent = live["distributor_id"] if live else None
        if parent is not None:
            await _ensure_no_loop(conn, actor.id, parent)

        async def insert(code: str) -> None:
            await conn.execute(
                "INSERT INTO distributors (user_id, code, parent_id, created_at)"
                " VALUES ($1, $2, $3, now())",
                actor.id,
                code,
                parent,
            )

        try:
            await with_new_code(conn, insert)
        except UniqueViolationError as exc:
            if "user_id" not in (exc.constraint_name or ""):
                raise
            raise DomainError(
                ErrorCode.ALREADY_DISTRIBUTOR, detail="you are a distributor already"
            ) from None
        roles = await conn.fetchval("SELECT roles FROM users WHERE id = $1", actor.id) or []
        if "distributor" not in roles:
            try:
                _, granted = await accounts.apply_for_role(
                    actor.id, "distributor", note, open_signup=settings.signup == "open"
                )
            except DomainError as error:
                if error.code != ErrorCode.APPLICATION_PENDING:
                    raise
        out = await profile(conn, actor.id)
    return out, granted


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
        raise DomainError(
            ErrorCode.NOT_A_DISTRIBUTOR,
            detail="you have no distributor profile: POST /api/distributors first",
        )
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
