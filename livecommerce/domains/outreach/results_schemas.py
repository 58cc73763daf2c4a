"""What the host's outreach results answer (camelCase JSON)."""

from __future__ import annotations

from datetime import date, datetime

from livecommerce.infra.schema import Out


class Funnel(Out):
    """Messages made, and of them how many were sent, delivered, opened and clicked on any
    channel (a message counts once however many channels it went on); the orders that followed
    within the attribution window and their sales (fen, net of refunds)."""

    messages: int = 0
    sent: int = 0
    delivered: int = 0
    opened: int = 0
    clicked: int = 0
    orders: int = 0
    sales: int = 0


class JourneyResult(Funnel):
    journey: str = ""


class CampaignResult(Funnel):
    campaign_id: int = 0
    title: str = ""


class DayResult(Out):
    """One business day: messages sent that day; orders paid that day that followed one."""

    day: date
    sent: int = 0
    orders: int = 0
    sales: int = 0


class ResultsOut(Out):
    days: int
    attribution_days: int
    since: datetime
    until: datetime
    total: Funnel
    journeys: list[JourneyResult]
    campaigns: list[CampaignResult]
    by_day: list[DayResult]
