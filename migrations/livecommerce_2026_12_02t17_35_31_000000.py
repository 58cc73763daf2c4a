"""Live: viewers who asked to be reminded of a scheduled session (预约, 开播提醒)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Unique
from piccolo.table import Table


class LiveSession(Table, tablename="live_sessions", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


class User(Table, tablename="users", schema=None):
    id = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )


ID = "2026-12-02T17:35:31:000000"
VERSION = "1.38.0"
DESCRIPTION = "live: session reminders"

TABLE = {"table_class_name": "SessionReminder", "tablename": "session_reminders"}


def _column(name: str, db_name: str, column_class: type, **params: object) -> dict:
    return {
        **TABLE,
        "column_name": name,
        "db_column_name": db_name,
        "column_class_name": column_class.__name__,
        "column_class": column_class,
        "params": {
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
            **params,
        },
        "schema": None,
    }


def _reference(name: str, references: type) -> dict:
    return _column(
        name,
        f"{name}_id",
        ForeignKey,
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        db_column_name=f"{name}_id",
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="livecommerce", description=DESCRIPTION)
    manager.add_table(
        class_name="SessionReminder", tablename="session_reminders", schema=None, columns=None
    )
    manager.add_column(**_column("id", "id", Serial, primary_key=True))
    manager.add_column(**_reference("session", LiveSession))
    manager.add_column(**_reference("user", User))
    manager.add_column(**_column("created_at", "created_at", Timestamptz, default=TimestamptzNow()))
    # one per session and user: asking twice is asking once; also the index counts read
    manager.add_constraint(
        **TABLE,
        constraint_name="one_per_session_user",
        constraint_class=Unique,
        params={"columns": ["session_id", "user_id"], "nulls_distinct": True},
        schema=None,
    )
    return manager
