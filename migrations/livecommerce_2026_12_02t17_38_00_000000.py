"""Orders: the buyer's escalations to the platform (申请平台介入); withdrawals: the operator's
reason for a rejection, shown to the distributor."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.constraints import Check
from piccolo.table import Table


def _stub(class_name: str, tablename: str) -> type[Table]:
    id_column = Serial(
        null=False,
        primary_key=True,
        unique=False,
        index=False,
        index_method=IndexMethod.btree,
        choices=None,
        db_column_name=None,
        secret=False,
    )
    return type(class_name, (Table,), {"id": id_column}, tablename=tablename, schema=None)


User = _stub("User", "users")
Order = _stub("Order", "orders")
Refund = _stub("Refund", "refunds")

ID = "2026-12-02T17:38:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "orders: order_escalations; withdrawals: decision_reason"

TABLE = {"table_class_name": "Escalation", "tablename": "order_escalations"}


def _column(name: str, db_name: str, column_class: type, table: dict = TABLE, **params: object):
    return {
        **table,
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


def _reference(name: str, db_name: str, references: type, **params: object) -> dict:
    return _column(
        name,
        db_name,
        ForeignKey,
        references=references,
        on_delete=OnDelete.cascade,
        on_update=OnUpdate.cascade,
        target_column=None,
        db_column_name=db_name,
        **params,
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="livecommerce", description=DESCRIPTION)
    manager.add_table(
        class_name="Escalation", tablename="order_escalations", schema=None, columns=None
    )
    manager.add_column(**_column("id", "id", Serial, primary_key=True))
    manager.add_column(**_reference("order", "order_id", Order, index=True))
    manager.add_column(**_reference("buyer", "buyer_id", User))
    manager.add_column(**_reference("refund", "refund_id", Refund, null=True, default=None))
    manager.add_column(**_column("reason", "reason", Text, default=""))
    manager.add_column(**_column("status", "status", Varchar, length=10, default="open"))
    manager.add_column(**_column("decision_reason", "decision_reason", Text, default=""))
    manager.add_column(
        **_reference("granted_refund", "granted_refund_id", Refund, null=True, default=None)
    )
    manager.add_column(**_column("created_at", "created_at", Timestamptz, default=TimestamptzNow()))
    manager.add_column(**_column("decided_at", "decided_at", Timestamptz, null=True, default=None))
    manager.add_column(**_reference("decided_by", "decided_by_id", User, null=True, default=None))
    manager.add_constraint(
        **TABLE,
        constraint_name="status_known",
        constraint_class=Check,
        params={"condition": "status IN ('open', 'granted', 'dismissed')"},
        schema=None,
    )
    manager.add_column(
        **_column(
            "decision_reason",
            "decision_reason",
            Text,
            {"table_class_name": "Withdrawal", "tablename": "withdrawals"},
            default="",
        )
    )
    return manager
