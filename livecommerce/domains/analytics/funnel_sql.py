"""The funnel as one SQL pass: one scan of the events, one sort per viewer, no self-joins.

What it counts (rules.reference_funnel says the same in Python): a viewer reaches step k when,
in the period, they did step 1 at some time `a`, then step 2 at or after it, ..., step k at or
after step k-1, with step k no later than `a + window`. Each start is followed greedily (the
first next step at or after the previous one), which is the earliest any chain from `a` can
reach each step, so "some chain fits the window" is "the greedy one from some start does".

How, without joining events to events: the viewer's events sorted newest first, running
minimums over "everything at or after this row" (a window frame whose head never moves, so each
is one streaming pass). `n_k` is the first step-k time at or after a row; the greedy time of step
k from a row is then folded back one step per layer: G_k from step j = the smallest G_k from
step j+1 over the step-j rows at or after it (the first of them, since G only grows with time).
N steps take N-1 window layers over the same sort, then one GROUP BY viewer.

Filters: session, room (the event's own), product (events about another product are left out;
events about no product, such as entering the room, stay), and distributor and channel, which
are about the viewer: their funnel is that of viewers with any event of that distributor
(their link click, their attributed payment) or channel among the events the other filters keep.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any


@dataclass(frozen=True, slots=True)
class FunnelQuery:
    host_id: int
    steps: tuple[str, ...]
    since: datetime
    until: datetime
    window: timedelta = timedelta(hours=24)
    session_id: int | None = None
    room_id: int | None = None
    product_id: int | None = None
    distributor_id: int | None = None
    channel: str | None = None


def funnel(
    query: FunnelQuery, table: str = "behaviour_events", shard: tuple[int, int] = (0, 1)
) -> tuple[str, list[Any]]:
    """(SQL, arguments) of one row with columns s1..sN: viewers reaching each step. With
    `shard` (i, n), only the viewers of shard i of n (each viewer's events all in one shard, so
    the n answers add up to the whole)."""
    steps = query.steps
    if not 2 <= len(steps) <= 8 or len(set(steps)) != len(steps):
        raise ValueError("a funnel has 2 to 8 distinct steps")
    args: list[Any] = [query.host_id, query.since, query.until, list(steps), query.window]
    args += steps  # $6.. : each step's kind
    step = {i + 1: f"${6 + i}::text" for i in range(len(steps))}  # step number -> its parameter

    def param(value: Any) -> str:
        args.append(value)
        return f"${len(args)}"

    where = [
        "host_id = $1",
        "occurred_at >= $2",
        "occurred_at < $3",
        "(user_id IS NOT NULL OR guest_id IS NOT NULL)",
    ]
    if query.session_id is not None:
        where.append(f"session_id = {param(query.session_id)}")
    if query.room_id is not None:
        where.append(f"room_id = {param(query.room_id)}")
    if query.product_id is not None:
        where.append(f"(product_id IS NULL OR product_id = {param(query.product_id)})")
    # Viewer attributes: rows carrying them come along even when their kind is no step.
    marks: list[str] = []
    extra_rows: list[str] = []
    if query.distributor_id is not None:
        p = param(query.distributor_id)
        marks.append(f"distributor_id = {p}")
        extra_rows.append(f"distributor_id = {p}")
    if query.channel is not None:
        p = param(query.channel)
        marks.append(f"channel = {p}")
        extra_rows.append(f"channel = {p}")
    index, shards = shard
    if shards > 1:
        viewer = "(coalesce(user_id, hashtext(guest_id)) & 2147483647)"
        where.append(f"{viewer} % {param(shards)} = {param(index)}")
    kinds = "kind = ANY($4::text[])"
    where.append(f"({' OR '.join([kinds, *extra_rows])})" if extra_rows else kinds)
    mark = " AND ".join(f"coalesce({m}, false)" for m in marks) or "true"

    n = len(steps)
    window = " WINDOW w AS (PARTITION BY user_id, guest_id ORDER BY ts DESC)"
    # Layer 1: the first step-k time at or after each row (k = 2..N), and the viewer's mark.
    first = [f"min(ts) FILTER (WHERE kind = {step[k]}) OVER w AS g{k}_{k}" for k in range(2, n + 1)]
    if marks:
        first.append(f"bool_or({mark}) OVER (PARTITION BY user_id, guest_id) AS marked")
    # The mark reads the attribute columns, so only then does the scan carry them.
    attributes = ", distributor_id, channel" if marks else ""
    sql = (
        f"SELECT user_id, guest_id, ts, kind, {', '.join(first)} FROM"
        f" (SELECT user_id, guest_id, occurred_at AS ts, kind{attributes} FROM {table}"
        f" WHERE {' AND '.join(where)}) e{window}"
    )
    # Then fold each G_k back one step per layer until it starts from step 2.
    base = ["user_id", "guest_id", "ts", "kind", *(["marked"] if marks else [])]
    current = {k: k for k in range(2, n + 1)}
    for depth in range(1, n - 1):
        columns = list(base)
        for k in range(2, n + 1):
            j = current[k]
            if j > 2:
                columns.append(
                    f"min(g{k}_{j}) FILTER (WHERE kind = {step[j - 1]}) OVER w AS g{k}_{j - 1}"
                )
                current[k] = j - 1
            else:
                columns.append(f"g{k}_{j}")
        sql = f"SELECT {', '.join(columns)} FROM ({sql}) l{depth}{window}"
    reached = [f"bool_or(kind = {step[1]}) AS r1"]
    reached += [
        f"bool_or(kind = {step[1]} AND g{k}_2 <= ts + $5::interval) AS r{k}"
        for k in range(2, n + 1)
    ]
    per_viewer = (
        f"SELECT {', '.join(reached)} FROM ({sql}) l"
        + (" WHERE marked" if marks else "")
        + " GROUP BY user_id, guest_id"
    )
    counts = ", ".join(f"count(*) FILTER (WHERE r{k}) AS s{k}" for k in range(1, n + 1))
    return f"SELECT {counts} FROM ({per_viewer}) v", args
