"""The operator's reports: GET /api/admin/reports/daily|top|pending|reconciliation|overview."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.params import QueryParameter

from livecommerce.domains.admin import reports
from livecommerce.infra.auth import requires

From = Annotated[date | None, QueryParameter(name="from")]
To = Annotated[date | None, QueryParameter(name="to")]


class ReportController(Controller):
    path = "/api/admin/reports"
    tags = ["admin"]
    guards = [requires("admin")]

    @get("/daily")
    async def daily(
        self, request: Request[Any, Any, Any], from_: From = None, to: To = None
    ) -> reports.DailyReport:
        """By day (BUSINESS_TIMEZONE), `from` to `to` inclusive (YYYY-MM-DD; default the last
        30 days, at most 366): GMV and orders paid, refunds approved, commissions created and
        settled, platform fees (the revenue account's net movement); with totals."""
        return await reports.daily(request.app.state.settings, from_, to)

    @get("/top")
    async def top(
        self,
        request: Request[Any, Any, Any],
        by: reports.TopBy = "host",
        from_: From = None,
        to: To = None,
    ) -> reports.TopReport:
        """The top 10 hosts or rooms by GMV, or distributors by commission, in the days."""
        return await reports.top(request.app.state.settings, by, from_, to)

    @get("/pending")
    async def pending(self) -> reports.PendingMoney:
        """Money held right now (ledger balances): escrow, hosts' receivable, commissions
        pending and due, withdrawals and payouts held, wallets, red packets."""
        return await reports.pending()

    @get("/reconciliation")
    async def reconciliation(self, request: Request[Any, Any, Any]) -> reports.Reconciliation:
        """Payments still pending past their deadline (a lost callback the reconciler has not
        applied): how many, the oldest deadline, the 50 oldest; and the reconciler's counters."""
        return await reports.reconciliation(request.app.state.settings)

    @get("/overview")
    async def overview(self, request: Request[Any, Any, Any]) -> reports.Overview:
        """Today's GMV and orders, the money held, and what waits for an operator."""
        return await reports.overview(request.app.state.settings)


CONTROLLERS = [ReportController]
