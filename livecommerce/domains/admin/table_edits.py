"""What of a piccolo-admin row edit may reach its PATCH handler: the copy columns, nothing else.
And the one name its pages need mended.

Its edit form sends every column of the row as its inputs hold them (strings, a foreign key
under its database name `product_id`), changed or not. A column outside the copy is therefore
accepted only when its value is the one already stored, and then dropped, so the UPDATE names
copy columns only; a changed one (a price, a stock, a state, an owner) is refused whole.
"""

from __future__ import annotations

import functools
import json
from typing import Any

import pydantic
from asyncpg import Connection
from piccolo.columns import Column, Text, Varchar
from piccolo.columns.column_types import JSON, Date, Interval, Time, Timestamp, Timestamptz
from piccolo.table import Table
from piccolo_api.crud.endpoints import PiccoloCRUD

from livecommerce.domains.admin.table_policy import EDITABLE
from livecommerce.infra.errors import DomainError, ErrorCode

# Never written from the form: its datetime inputs round and shift what they show.
_TIMES = (Timestamp, Timestamptz, Date, Time, Interval)


@functools.cache
def _form_model(table: type[Table]) -> type[pydantic.BaseModel]:
    """The model piccolo-admin's PATCH parses with, so a value is read as it will be."""
    return PiccoloCRUD(table, read_only=False).pydantic_model_optional


def _column(table: type[Table], key: str) -> Column | None:
    for column in table._meta.columns:
        if key in (column._meta.name, column._meta.db_column_name):
            return column
    return None


def _same(column: Column, submitted: Any, stored: Any) -> bool:
    if isinstance(column, JSON):  # JSONB too: compare documents, not their spelling
        submitted = json.loads(submitted) if isinstance(submitted, str) else submitted
        stored = json.loads(stored) if isinstance(stored, str) else stored
    if isinstance(column, Text | Varchar) and submitted == "" and stored is None:
        return True  # an empty input is how the form shows a null text
    return bool(submitted == stored)


async def copy_only(
    conn: Connection, table: type[Table], row_id: int, data: dict[str, Any]
) -> dict[str, Any]:
    """`data` narrowed to the table's copy columns (as submitted), after checking that every
    other column it names is unchanged; the row is locked for the rest of the edit."""
    tablename = table._meta.tablename
    row = await conn.fetchrow(f'SELECT * FROM "{tablename}" WHERE id = $1 FOR UPDATE', row_id)
    if row is None:
        raise DomainError(ErrorCode.NOT_FOUND, detail=f"no {tablename} row {row_id}")
    # The model reads a foreign key under its database name (its pydantic alias) only.
    cleaned = {
        (column._meta.db_column_name if (column := _column(table, k)) else k): (
            None if isinstance(v, str) and v.lower() == "null" else v
        )
        for k, v in data.items()
    }
    try:
        model = _form_model(table)(**cleaned)
    except pydantic.ValidationError as exc:
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail=str(exc)[:500]) from exc
    copy: dict[str, Any] = {}
    for key, submitted in data.items():
        column = _column(table, key)
        if column is None or column is table._meta.primary_key:
            if column is None:
                raise DomainError(ErrorCode.VALIDATION_ERROR, detail=f"no column {key!r}")
            continue
        name = column._meta.name
        if name in EDITABLE[tablename]:
            copy[name] = submitted
        elif not isinstance(column, _TIMES) and not _same(
            column, getattr(model, name), row[column._meta.db_column_name]
        ):
            raise DomainError(
                ErrorCode.FORBIDDEN, detail=f"{tablename}.{name} is not editable here"
            )
    return copy


def by_column_names(table: type[Table], schema: dict[str, Any]) -> dict[str, Any]:
    """piccolo-admin's schema names a foreign key by its database column (`host_id`, the
    alias pydantic reads it by) where its rows name it by the Piccolo column (`host`); its list
    and edit pages look one up by the other and stop on every table with such a key. The schema
    is given the rows' names (and copy_only reads either)."""
    renamed = {
        column._meta.db_column_name: column._meta.name
        for column in table._meta.columns
        if column._meta.db_column_name != column._meta.name
    }
    properties = schema.get("properties", {})
    for alias, name in renamed.items():
        if alias in properties:
            properties[name] = {**properties.pop(alias), "title": name.replace("_", " ").title()}
    if "required" in schema:
        schema["required"] = [renamed.get(key, key) for key in schema["required"]]
    return schema
