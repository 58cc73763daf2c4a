"""What piccolo-admin (/admin/tables/) may show and change: every table listed here is browsable;
only the copy columns of EDITABLE can be changed, each checked by the same rule our own API
applies, and every change is audited in the transaction that makes it (tables_mount.py opens it).

Money, stock and state-machine columns are never written here: those changes are forms that call
our services (DESIGN §14). The ledger is read-only here as everywhere, and its append-only
trigger stays the last line.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import msgspec
from piccolo.columns import Array, Column, Serial, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table
from piccolo_admin.endpoints import TableConfig
from piccolo_api.crud.hooks import Hook, HookType
from piccolo_api.crud.validators import Validators
from starlette.exceptions import HTTPException
from starlette.requests import Request

from livecommerce.domains.accounts import profile
from livecommerce.domains.accounts.schemas import DisplayName
from livecommerce.domains.accounts.tables import Address
from livecommerce.domains.admin.tables import OperatorAction
from livecommerce.domains.catalog.schemas import Description, SkuName, Title
from livecommerce.domains.catalog.tables import Product, Sku
from livecommerce.domains.distribution.tables import (
    Commission,
    OperatorSetting,
    SettingsAudit,
    Withdrawal,
)
from livecommerce.domains.ledger.tables import Account, LedgerEntry, LedgerTransaction
from livecommerce.domains.live.schemas import RoomTitle
from livecommerce.domains.live.tables import Room
from livecommerce.domains.marketing.gifts_schemas import GiftName, GiftNameEn
from livecommerce.domains.marketing.gifts_tables import Gift, GiftTip
from livecommerce.domains.orders.tables import Order, OrderItem, Refund
from livecommerce.domains.payments.tables import Payment
from livecommerce.domains.payouts.tables import Payout
from livecommerce.infra import audit
from livecommerce.infra.db import Tx
from livecommerce.infra.errors import DomainError

# Where tables_mount.py leaves the edit's transaction and the operator in the request's scope.
TX_KEY = "livecommerce.tx"
ACTOR_ID_KEY = "livecommerce.actor_id"


class UserRow(Table, tablename="users"):
    """`users` as the operators see it: no password hash (PiccoloCRUD returns every column of
    its table). Roles change through the role services (they revoke tokens), never here."""

    id = Serial(primary_key=True)
    username = Varchar(length=32)
    display_name = Varchar(length=64)
    roles = Array(base_column=Varchar(length=16), default=list)
    created_at = Timestamptz(default=TimestamptzNow())
    roles_changed_at = Timestamptz(default=TimestamptzNow())


# A copy column's rule: (the row's id, the submitted value) -> the value to store.
Rule = Callable[[int, Any], Awaitable[Any]]


def _shaped(kind: Any) -> Rule:
    """The length limits of our own API's field (catalog/live schemas)."""

    async def rule(_row_id: int, value: Any) -> Any:
        try:
            return msgspec.convert(value, kind)
        except msgspec.ValidationError as exc:
            raise HTTPException(422, detail=str(exc)) from exc

    return rule


async def _display_name(row_id: int, value: Any) -> Any:
    """The profile's rules (no reserved words, no impersonation, no bidi tricks), through its
    service: it joins this transaction and forgets the cached chat name."""
    try:
        name = profile.clean(msgspec.convert(value, DisplayName))
        await profile.change_display_name(row_id, name)
    except msgspec.ValidationError as exc:
        raise HTTPException(422, detail=str(exc)) from exc
    except DomainError as exc:
        raise HTTPException(exc.status, detail=exc.detail) from exc
    return name


EDITABLE: dict[str, dict[str, Rule]] = {
    "products": {"title": _shaped(Title), "description": _shaped(Description)},
    "skus": {"name": _shaped(SkuName)},
    "rooms": {"title": _shaped(RoomTitle)},
    "users": {"display_name": _display_name},
    # A gift's names are copy; its price is money (the console's audited form, marketing).
    "gifts": {"name": _shaped(GiftName), "name_en": _shaped(GiftNameEn)},
}

READ_ONLY: tuple[type[Table], ...] = (
    Address,
    Account,
    LedgerTransaction,
    LedgerEntry,
    Order,
    OrderItem,
    Payment,
    Refund,
    Commission,
    Withdrawal,
    Payout,
    OperatorAction,
    OperatorSetting,
    SettingsAudit,
    GiftTip,
)
EDITED: tuple[type[Table], ...] = (Product, Sku, Room, UserRow, Gift)

SHOWN: dict[str, type[Table]] = {t._meta.tablename: t for t in (*EDITED, *READ_ONLY)}


def _refuse(_crud: Any, request: Request) -> None:
    raise HTTPException(403, detail=f"{request.method} is not allowed on this table here")


def _request_tx(request: Request) -> tuple[Tx, int]:
    tx, actor_id = request.scope.get(TX_KEY), request.scope.get(ACTOR_ID_KEY)
    if not isinstance(tx, Tx) or not isinstance(actor_id, int):
        # tables_mount.py opens one for every write; a write without it is a wiring mistake.
        raise HTTPException(403, detail="edits go through /admin/tables/ only")
    return tx, actor_id


def _patch_hook(table: type[Table]):
    tablename = table._meta.tablename
    rules = EDITABLE[tablename]
    stamped = next((c for c in table._meta.columns if c._meta.name == "updated_at"), None)
    first = table._meta.get_column_by_name(next(iter(rules)))

    async def pre_patch(row_id: Any, values: dict[Any, Any], request: Request) -> dict[Any, Any]:
        tx, actor_id = _request_tx(request)
        try:
            row_key = int(row_id)
        except (TypeError, ValueError) as exc:
            raise HTTPException(404, detail="no such row") from exc
        row = await tx.conn.fetchrow(
            f'SELECT * FROM "{tablename}" WHERE id = $1 FOR UPDATE', row_key
        )
        if row is None:
            raise HTTPException(404, detail="no such row")
        changes: dict[Column, Any] = {}
        before: dict[str, Any] = {}
        for column, submitted in values.items():
            name, stored = column._meta.name, row[column._meta.db_column_name]
            if name not in rules:
                # tables_mount.py sends copy columns only (table_edits.copy_only): a backstop.
                raise HTTPException(403, detail=f"{tablename}.{name} is not editable here")
            if submitted == stored:
                continue  # unchanged: a name from before today's rules is no new change
            value = await rules[name](row_key, submitted)
            if value != stored:
                changes[column], before[name] = value, stored
        if not changes:
            # Nothing to write, nothing to audit: a copy column set to itself, so piccolo-admin
            # answers as usual.
            return {first: row[first._meta.db_column_name]}
        await audit.record(
            tx.conn,
            actor_id,
            "table.update",
            tablename,
            row_key,
            before=before,
            after={column._meta.name: value for column, value in changes.items()},
            reason="piccolo-admin",
        )
        if stamped is not None:
            changes[stamped] = datetime.now(UTC)
        return changes

    return pre_patch


def _writes_refused(*, patch: bool) -> Validators:
    """Creating, replacing (PUT has no hooks) and deleting rows are never allowed here."""
    return Validators(
        put_single=[_refuse],
        post_single=[_refuse],
        delete_single=[_refuse],
        delete_all=[_refuse],
        patch_single=[_refuse] if patch else [],
    )


def table_configs() -> list[TableConfig]:
    """Every table piccolo-admin shows, in two menu groups."""
    edited = [
        TableConfig(
            table,
            hooks=[Hook(hook_type=HookType.pre_patch, callable=_patch_hook(table))],
            validators=_writes_refused(patch=False),
            menu_group="可编辑文案 Copy",
        )
        for table in EDITED
    ]
    read_only = [
        TableConfig(table, validators=_writes_refused(patch=True), menu_group="只读 Read-only")
        for table in READ_ONLY
    ]
    return edited + read_only
