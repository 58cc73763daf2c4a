"""The desk's CSV export: the filtered orders, one row each, streamed in batches.

UTF-8 with a byte-order mark, CRLF lines: Excel opens the Chinese right. Money in yuan with two
decimals (a spreadsheet's unit; the API itself speaks fen), times in the business time zone.
A cell a spreadsheet would read as a formula (a buyer named "=HYPERLINK(…)") is quoted with a
leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from asyncpg import Record

from livecommerce.domains.orders.desk import LIST_SQL, DeskFilter, address_of, filter_args
from livecommerce.infra import db

Lang = Literal["zh-CN", "en"]
BOM = "\ufeff"
BATCH = 500

HEADERS: dict[str, list[str]] = {
    "zh-CN": [
        "订单号", "状态", "下单时间", "付款时间", "买家", "收货人", "电话", "收货地址", "商品",
        "件数", "商品金额(元)", "优惠(元)", "实付(元)", "已退款(元)", "直播间", "场次",
        "快递公司", "快递单号", "发货时间", "买家留言",
    ],
    "en": [
        "Order", "Status", "Placed", "Paid", "Buyer", "Recipient", "Phone", "Address", "Items",
        "Units", "Goods (CNY)", "Discount (CNY)", "Paid (CNY)", "Refunded (CNY)", "Room",
        "Session", "Carrier", "Tracking no.", "Shipped", "Buyer's note",
    ],
}  # fmt: skip
STATUS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "pending_payment": "待付款", "paid": "待发货", "shipped": "待收货", "received": "已收货",
        "completed": "已完成", "cancelled": "已取消", "refunding": "售后中", "refunded": "已退款",
    },
    "en": {
        "pending_payment": "To pay", "paid": "To ship", "shipped": "Shipped",
        "received": "Received", "completed": "Completed", "cancelled": "Cancelled",
        "refunding": "After-sales", "refunded": "Refunded",
    },
}  # fmt: skip
CARRIERS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "SF": "顺丰速运", "ZTO": "中通快递", "YTO": "圆通速递", "YD": "韵达快递", "JD": "京东物流",
        "EMS": "EMS", "other": "其他",
    },
    "en": {
        "SF": "SF Express", "ZTO": "ZTO Express", "YTO": "YTO Express", "YD": "Yunda Express",
        "JD": "JD Logistics", "EMS": "EMS", "other": "Other",
    },
}  # fmt: skip
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def safe(cell: str) -> str:
    """A text cell no spreadsheet evaluates."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


def _when(value: datetime | None, zone: ZoneInfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _row(order: Record, items: list[Record], lang: Lang, zone: ZoneInfo) -> list[str]:
    address = address_of(order["address"])
    carrier = order["carrier"]
    text = [
        str(order["buyer_name"]),
        address.name if address else "",
        address.phone if address else "",
        address.line if address else "",
        "; ".join(f"{i['title']} {i['sku_name']} ×{i['quantity']}" for i in items),
    ]
    return [
        str(order["id"]),
        STATUS[lang].get(order["status"], order["status"]),
        _when(order["created_at"], zone),
        _when(order["paid_at"], zone),
        *(safe(cell) for cell in text),
        str(sum(i["quantity"] for i in items)),
        yuan(order["total_amount"]),
        yuan(order["discount_amount"]),
        yuan(order["pay_amount"]),
        yuan(order["refunded_amount"]),
        str(order["room_id"] or ""),
        str(order["session_id"] or ""),
        CARRIERS[lang].get(carrier, carrier) if carrier else "",
        safe(order["tracking_no"] or ""),
        _when(order["shipped_at"], zone),
        safe(order["note"] or ""),
    ]


def _lines(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


async def export_csv(
    host_id: int, f: DeskFilter, lang: Lang, timezone: str
) -> AsyncIterator[bytes]:
    """The CSV of the host's orders under `f`, newest first, a batch of rows at a time (a
    connection is held per batch, not while the client reads)."""
    zone = ZoneInfo(timezone)
    yield BOM.encode("utf-8") + _lines([HEADERS[lang]])
    cursor: int | None = None
    while True:
        async with db.connection() as conn:
            rows = await conn.fetch(LIST_SQL, *filter_args(host_id, f), cursor, BATCH)
            items: dict[int, list[Record]] = {row["id"]: [] for row in rows}
            for item in await conn.fetch(
                "SELECT order_id, title, sku_name, quantity FROM order_items"
                " WHERE order_id = ANY($1::int[]) ORDER BY id",
                list(items),
            ):
                items[item["order_id"]].append(item)
        if rows:
            yield _lines([_row(row, items[row["id"]], lang, zone) for row in rows])
        if len(rows) < BATCH:
            return
        cursor = rows[-1]["id"]


__all__ = ["BOM", "Lang", "export_csv"]
