"""The operator's reports: figures by day, the top hosts, rooms and distributors, the money the
platform holds right now, and payments stuck past their deadline.

Days are calendar days in BUSINESS_TIMEZONE. Where the ledger has a figure it comes from the
ledger (platform fees, commissions settled, escrow, held and owed balances), so it equals the
sums of `ledger_entries`; sales and refunds come from orders and refunds (the ledger knows no
"order" of a movement's kind), commissions created from `commissions` (a pending commission is
not yet a movement: it sits inside the host's escrow until the order completes).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

from asyncpg import Connection

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from livecommerce.infra.errors import DomainError, ErrorCode
from livecommerce.infra.observability import RECONCILE_SKIPPED, RECONCILED
from livecommerce.infra.schema import Out
from livecommerce.settings import Settings

MAX_DAYS = 366
DEFAULT_DAYS = 30
TOP = 10
TopBy = Literal["host", "room", "distributor"]


class Window(Out):
    from_date: date
    to_date: date
    timezone: str


def today(settings: Settings) -> date:
    return datetime.now(ZoneInfo(settings.business_timezone)).date()


def window(
    settings: Settings, start: date | None, end: date | None
) -> tuple[Window, datetime, datetime]:
    """The days asked for (default: the last 30, today included) and their UTC bounds
    [from 00:00, the day after `to` 00:00) in the business zone."""
    zone = ZoneInfo(settings.business_timezone)
    end = end or today(settings)
    start = start or end - timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise DomainError(ErrorCode.VALIDATION_ERROR, detail="`from` is after `to`", field="from")
    if (end - start).days + 1 > MAX_DAYS:
        raise DomainError(
            ErrorCode.VALIDATION_ERROR,
            detail=f"at most {MAX_DAYS} days at a time",
            field="to",
            max=MAX_DAYS,
        )
    lower = datetime.combine(start, time(), zone).astimezone(UTC)
    upper = datetime.combine(end + timedelta(days=1), time(), zone).astimezone(UTC)
    return Window(from_date=start, to_date=end, timezone=settings.business_timezone), lower, upper


class Figures(Out):
    gmv: int = 0  # paid orders' pay amount, by the day they were paid
    orders: int = 0  # orders paid
    refunds: int = 0  # refunds approved (fen), by the day they were decided
    refund_count: int = 0
    commissions_created: int = 0  # commissions on orders paid that day (at their full amount)
    commissions_settled: int = 0  # ledger: paid from the commission clearing account
    platform_fees: int = 0  # ledger: the net movement of the platform's revenue account


class DayFigures(Figures):
    day: date | None = None


class DailyReport(Out):
    window: Window
    days: list[DayFigures]
    totals: Figures


async def _by_day(conn: Connection, sql: str, *args: object) -> dict[date, tuple[int, int]]:
    return {row["day"]: (int(row["total"]), int(row["n"])) for row in await conn.fetch(sql, *args)}


async def daily(settings: Settings, start: date | None, end: date | None) -> DailyReport:
    span, lower, upper = window(settings, start, end)
    zone = settings.business_timezone
    async with db.connection() as conn:
        sales = await _by_day(
            conn,
            "SELECT (paid_at AT TIME ZONE $3)::date AS day, SUM(pay_amount)::bigint AS total,"
            " count(*) AS n FROM orders WHERE paid_at >= $1 AND paid_at < $2 GROUP BY day",
            lower,
            upper,
            zone,
        )
        refunded = await _by_day(
            conn,
            "SELECT (decided_at AT TIME ZONE $3)::date AS day, SUM(amount)::bigint AS total,"
            " count(*) AS n FROM refunds WHERE status = 'approved'"
            " AND decided_at >= $1 AND decided_at < $2 GROUP BY day",
            lower,
            upper,
            zone,
        )
        created = await _by_day(
            conn,
            "SELECT (created_at AT TIME ZONE $3)::date AS day, SUM(amount)::bigint AS total,"
            " count(*) AS n FROM commissions WHERE created_at >= $1 AND created_at < $2"
            " GROUP BY day",
            lower,
            upper,
            zone,
        )
        settled = await ledger.daily_movements(
            conn, Kind.COMMISSION, lower, upper, zone, txn_kinds=["commission"]
        )
        fees = await ledger.daily_movements(conn, Kind.REVENUE, lower, upper, zone)
    days = []
    for offset in range((span.to_date - span.from_date).days + 1):
        day = span.from_date + timedelta(days=offset)
        gmv, orders = sales.get(day, (0, 0))
        refunds, refund_count = refunded.get(day, (0, 0))
        days.append(
            DayFigures(
                day=day,
                gmv=gmv,
                orders=orders,
                refunds=refunds,
                refund_count=refund_count,
                commissions_created=created.get(day, (0, 0))[0],
                # Settling debits the clearing account: what left it went to distributors.
                commissions_settled=-settled.get(day, 0),
                platform_fees=fees.get(day, 0),
            )
        )
    totals = Figures(
        **{name: sum(getattr(day, name) for day in days) for name in Figures.__struct_fields__}
    )
    return DailyReport(window=span, days=days, totals=totals)


class TopRow(Out):
    id: int
    name: str  # the host's or distributor's display name, the room's title
    host_name: str | None  # rooms only
    gmv: int  # hosts and rooms: orders paid; distributors: the paid items they earn on
    orders: int
    refunded: int  # hosts and rooms: what those orders refunded since
    commission: int  # what distributors earn on those orders (net of reversals)


class TopReport(Out):
    window: Window
    by: str
    rows: list[TopRow]


# Each order paid in the window with what distributors earn on it (net of reversals).
_PAID_ORDERS = (
    "FROM orders o LEFT JOIN LATERAL (SELECT COALESCE(SUM(c.amount - c.reversed_amount), 0)"
    " AS earned FROM commissions c WHERE c.order_id = o.id) c ON true"
)
_TOP_SQL: dict[str, str] = {
    "host": (
        "SELECT o.host_id AS id, u.display_name AS name, NULL::text AS host_name,"
        " SUM(o.pay_amount)::bigint AS gmv, count(*) AS orders,"
        " SUM(o.refunded_amount)::bigint AS refunded, SUM(c.earned)::bigint AS commission "
        + _PAID_ORDERS
        + " JOIN users u ON u.id = o.host_id"
        " WHERE o.paid_at >= $1 AND o.paid_at < $2 GROUP BY o.host_id, u.display_name"
        " ORDER BY gmv DESC, id LIMIT $3"
    ),
    "room": (
        "SELECT o.room_id AS id, r.title AS name, u.display_name AS host_name,"
        " SUM(o.pay_amount)::bigint AS gmv, count(*) AS orders,"
        " SUM(o.refunded_amount)::bigint AS refunded, SUM(c.earned)::bigint AS commission "
        + _PAID_ORDERS
        + " JOIN rooms r ON r.id = o.room_id JOIN users u ON u.id = r.host_id"
        " WHERE o.paid_at >= $1 AND o.paid_at < $2 AND o.room_id IS NOT NULL"
        " GROUP BY o.room_id, r.title, u.display_name ORDER BY gmv DESC, id LIMIT $3"
    ),
    "distributor": (
        "SELECT c.distributor_id AS id, u.display_name AS name, NULL::text AS host_name,"
        " SUM(c.base_amount)::bigint AS gmv, count(DISTINCT c.order_id) AS orders,"
        " 0::bigint AS refunded, SUM(c.amount - c.reversed_amount)::bigint AS commission"
        " FROM commissions c JOIN users u ON u.id = c.distributor_id"
        " WHERE c.created_at >= $1 AND c.created_at < $2"
        " GROUP BY c.distributor_id, u.display_name ORDER BY commission DESC, id LIMIT $3"
    ),
}


async def top(settings: Settings, by: TopBy, start: date | None, end: date | None) -> TopReport:
    span, lower, upper = window(settings, start, end)
    async with db.connection() as conn:
        rows = await conn.fetch(_TOP_SQL[by], lower, upper, TOP)
    return TopReport(
        window=span,
        by=by,
        rows=[
            TopRow(
                id=row["id"],
                name=row["name"],
                host_name=row["host_name"],
                gmv=int(row["gmv"]),
                orders=int(row["orders"]),
                refunded=int(row["refunded"]),
                commission=int(row["commission"]),
            )
            for row in rows
        ],
    )


class PendingMoney(Out):
    """Money the platform holds for others now, in fen (ledger balances unless said)."""

    escrow: int  # buyers' payments of orders still in their after-sales window
    receivable: int  # hosts' settled takings not yet paid out (negative: fronted refunds)
    commissions_pending: int  # commissions of orders not completed (inside escrow; table)
    commissions_due: int  # commissions of completed orders not yet in wallets
    withdrawals_held: int  # held by distributors' pending withdrawals
    payouts_held: int  # held by hosts' pending payouts
    wallets: int  # users' spendable balances
    red_packets: int  # sent and not yet grabbed or returned
    withdrawals_pending: int  # how many
    payouts_pending: int  # how many


async def pending_money(conn: Connection) -> PendingMoney:
    totals = await ledger.totals_by_kind(conn)
    row = await conn.fetchrow(
        "SELECT (SELECT COALESCE(SUM(amount - reversed_amount), 0) FROM commissions"
        " WHERE status = 'pending')::bigint AS commissions,"
        " (SELECT count(*) FROM withdrawals WHERE status = 'pending') AS withdrawals,"
        " (SELECT count(*) FROM payouts WHERE status = 'pending') AS payouts"
    )
    if row is None:
        raise RuntimeError("a SELECT of scalars returned no row")
    return PendingMoney(
        escrow=totals.get(Kind.ESCROW, 0),
        receivable=totals.get(Kind.RECEIVABLE, 0),
        commissions_pending=int(row["commissions"]),
        commissions_due=totals.get(Kind.COMMISSION, 0),
        withdrawals_held=totals.get(Kind.HELD, 0),
        payouts_held=totals.get(Kind.PAYOUT_HELD, 0),
        wallets=totals.get(Kind.WALLET, 0),
        red_packets=totals.get(Kind.RED_PACKET, 0),
        withdrawals_pending=int(row["withdrawals"]),
        payouts_pending=int(row["payouts"]),
    )


async def pending() -> PendingMoney:
    async with db.connection() as conn:
        return await pending_money(conn)


class OverduePayment(Out):
    payment_id: int
    purpose: str  # order | topup
    provider: str
    amount: int
    user_id: int
    order_id: int | None
    order_status: str | None
    created_at: datetime
    deadline: datetime


class Reconciliation(Out):
    checked_at: datetime
    pending: int  # payments pending at all
    overdue_count: int  # pending past their deadline: a callback lost and not reconciled
    oldest_deadline: datetime | None
    overdue: list[OverduePayment]  # the 50 oldest
    # This process's reconciler counters (livecommerce_reconciled_total, _skipped_total).
    reconciled: int
    skipped: dict[str, int]


# An order's payment is due by the order's deadline; a top-up within the payment timeout.
_DEADLINE = (
    "CASE WHEN p.purpose = 'order' THEN o.payment_deadline"
    " ELSE p.created_at + make_interval(secs => $1) END"
)


def _counters() -> tuple[int, dict[str, int]]:
    reconciled = sum(
        int(sample.value)
        for metric in RECONCILED.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    )
    skipped = {
        sample.labels["reason"]: int(sample.value)
        for metric in RECONCILE_SKIPPED.collect()
        for sample in metric.samples
        if sample.name.endswith("_total")
    }
    return reconciled, skipped


async def overdue_payments(
    conn: Connection, settings: Settings, limit: int
) -> list[OverduePayment]:
    rows = await conn.fetch(
        f"SELECT p.*, o.status AS order_status, {_DEADLINE} AS deadline FROM payments p"
        " LEFT JOIN orders o ON o.id = p.order_id"
        f" WHERE p.status = 'pending' AND {_DEADLINE} < now() ORDER BY deadline, p.id LIMIT $2",
        settings.payment_timeout.total_seconds(),
        limit,
    )
    return [
        OverduePayment(
            payment_id=row["id"],
            purpose=row["purpose"],
            provider=row["provider"],
            amount=row["amount"],
            user_id=row["user_id"],
            order_id=row["order_id"],
            order_status=row["order_status"],
            created_at=row["created_at"],
            deadline=row["deadline"],
        )
        for row in rows
    ]


async def reconciliation(settings: Settings) -> Reconciliation:
    async with db.connection() as conn:
        overdue = await overdue_payments(conn, settings, 50)
        row = await conn.fetchrow(
            "SELECT now() AS now, count(*) AS pending,"
            f" count(*) FILTER (WHERE {_DEADLINE} < now()) AS overdue,"
            f" min({_DEADLINE}) FILTER (WHERE {_DEADLINE} < now()) AS oldest"
            " FROM payments p LEFT JOIN orders o ON o.id = p.order_id WHERE p.status = 'pending'",
            settings.payment_timeout.total_seconds(),
        )
    if row is None:
        raise RuntimeError("an aggregate returned no row")
    reconciled, skipped = _counters()
    return Reconciliation(
        checked_at=row["now"],
        pending=int(row["pending"]),
        overdue_count=int(row["overdue"]),
        oldest_deadline=row["oldest"],
        overdue=overdue,
        reconciled=reconciled,
        skipped=skipped,
    )


class Overview(Out):
    """The console's front page: today so far, the money held, what waits for an operator."""

    today: date
    timezone: str
    gmv_today: int
    orders_today: int
    pending_money: PendingMoney
    money_queue: int  # withdrawals and payouts waiting for review
    open_escalations: int
    overdue_payments: int


async def overview(settings: Settings) -> Overview:
    day = today(settings)
    span, lower, upper = window(settings, day, day)
    async with db.connection() as conn:
        sales = await conn.fetchrow(
            "SELECT COALESCE(SUM(pay_amount), 0)::bigint AS gmv, count(*) AS n FROM orders"
            " WHERE paid_at >= $1 AND paid_at < $2",
            lower,
            upper,
        )
        money = await pending_money(conn)
        waiting = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM order_escalations WHERE status = 'open') AS escalations,"
            f" (SELECT count(*) FROM payments p LEFT JOIN orders o ON o.id = p.order_id"
            f" WHERE p.status = 'pending' AND {_DEADLINE} < now()) AS overdue",
            settings.payment_timeout.total_seconds(),
        )
    if sales is None or waiting is None:
        raise RuntimeError("an aggregate returned no row")
    return Overview(
        today=day,
        timezone=span.timezone,
        gmv_today=int(sales["gmv"]),
        orders_today=int(sales["n"]),
        pending_money=money,
        money_queue=money.withdrawals_pending + money.payouts_pending,
        open_escalations=int(waiting["escalations"]),
        overdue_payments=int(waiting["overdue"]),
    )
