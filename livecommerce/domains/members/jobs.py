"""Tier and benefit jobs. Each may run twice, late or concurrently: the database decides
(members are claimed once per edge; grants are unique per member, benefit and period; a packet
moves out of `sealed` once).

The crons run hourly: an edge (a local midnight, a month's start) is picked up within the hour,
and a run that finds nothing due does nothing."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.members import benefit_grants, member_packets, tiers
from livecommerce.domains.members.hooks import MemberHooks


def _hooks(ctx: dict[str, Any]) -> MemberHooks:
    """Who hears of tier changes and grants (outreach), from the worker's wiring."""
    return getattr(ctx.get("wiring"), "members", None) or MemberHooks()


async def evaluate_member_tiers(ctx: dict[str, Any], host_id: int) -> int:
    """One host's members at its window's latest edge (enqueued when the host edits its
    ladder)."""
    return await tiers.evaluate_host(host_id, hooks=_hooks(ctx))


async def evaluate_tiers_at_edges(ctx: dict[str, Any]) -> int:
    changed = 0
    for host_id in await tiers.hosts_with_ladders():
        changed += await tiers.evaluate_host(host_id, hooks=_hooks(ctx))
    return changed


async def grant_member_benefits(ctx: dict[str, Any]) -> int:
    return (await benefit_grants.grant_due(hooks=_hooks(ctx))).granted


async def return_member_packets(ctx: dict[str, Any]) -> int:
    returned = 0
    while n := await member_packets.return_expired():
        returned += n
    return returned


FUNCTIONS: list[Any] = [evaluate_member_tiers]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (evaluate_tiers_at_edges, {"minute": 2}),
    # After the edge job, so a member who lost a tier at midnight gets the lower tier's benefits.
    (grant_member_benefits, {"minute": 12}),
    (return_member_packets, {"minute": 22}),
]
