"""Behaviour events: ingest through our store against the bare COPY limit, and a 4-step funnel
with our one-pass query against the naive chained self-join, in one run.

    .venv/bin/python -m bench.funnel [--events 2000000] [--naive-timeout 300]
                                     [--naive-events 5000] [--keep]

PostgreSQL: an embedded durable one (fsync on) in a temp dir, or DATABASE_URL's, where
everything happens in a scratch schema that is dropped at the end.

- ingest ours:  the events go through `PostgresEventStore.record()` in chunks of 1,000 (as
                beacons and sockets would hand them over) and its background writer COPYs them
                in batches into `behaviour_events` as the migration creates it (daily range
                partitions, a default partition, three indexes). Timed from the first record to
                the last row committed. Producers wait while more than 4 batches are pending, so
                this measures the writer, not an ever-growing buffer.
- ingest naive: what a first attempt does, one INSERT per event in its own transaction, into
                an unpartitioned table with the same index; measured on the first --naive-events
                rows (a rate: it would take minutes for all of them).
- ingest limit: one COPY of the same rows into a bare table: not partitioned, no index.
- funnel ours:  room_enter → product_view → checkout_start → paid within 24 h over the whole
                week of the host (analytics/funnel_sql.py: one scan, one sort, window layers),
                as the store runs it: split by viewer into 2 queries at once (PostgreSQL runs
                window functions on one core). `funnel_ours_one_query_s`: the same as one query.
- funnel naive: the same definition as a chained self-join (bench/funnel_data.py), under a
                statement timeout; if it is cut off, its time is reported as a lower bound
                (`funnel_naive_timed_out`: true) and so is the speed-up.

Correct when our funnel's counts equal the reference computed in Python on the same rows
(rules.reference_funnel), the store dropped nothing and the table holds exactly the rows sent.
The last line is the JSON result.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib.util
import os
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

from bench.common import headline, json_line, print_table  # noqa: E402
from bench.funnel_data import (  # noqa: E402
    DAYS,
    HOST_ID,
    START,
    STEPS,
    WINDOW,
    generate,
    naive_funnel_sql,
)

SCHEMA = "bench_funnel"
MIGRATION = (
    Path(__file__).resolve().parent.parent
    / "migrations"
    / "livecommerce_2026_12_03t08_30_00_000000.py"
)


def _migration_sql() -> str:
    spec = importlib.util.spec_from_file_location("behaviour_events_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module.SQL)


async def run(
    database_url: str, n_events: int, naive_timeout: float, naive_events: int
) -> dict[str, Any]:
    import asyncpg

    from livecommerce.domains.analytics.events import COLUMNS
    from livecommerce.domains.analytics.funnel_sql import FunnelQuery
    from livecommerce.domains.analytics.rules import reference_funnel
    from livecommerce.domains.analytics.store import PostgresEventStore

    print(f"generating {n_events:,} events...", flush=True)
    events = generate(n_events)
    until = START + DAYS * WINDOW + WINDOW
    admin = await asyncpg.connect(database_url)
    await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE; CREATE SCHEMA {SCHEMA}")
    pool = await asyncpg.create_pool(
        database_url, min_size=2, max_size=4, server_settings={"search_path": SCHEMA}
    )
    assert pool is not None
    try:
        async with pool.acquire() as conn:
            await conn.execute(_migration_sql())
            await conn.execute(
                "SELECT behaviour_events_ensure_partitions($1::date, $2)", START.date(), DAYS + 1
            )
            await conn.execute(
                "CREATE TABLE bare (LIKE behaviour_events)"
            )  # LIKE copies columns only: no partitions, no index
            await conn.execute(
                "CREATE TABLE naive (LIKE behaviour_events);"
                " CREATE INDEX ON naive (host_id, user_id, occurred_at)"
            )
            await conn.execute("CHECKPOINT")

        # --- ingest: ours ----------------------------------------------------------------
        print("ingest through the store...", flush=True)
        writer = PostgresEventStore(pool)  # the app's defaults: batches of 50,000, 2 at a time
        started = time.perf_counter()
        for i in range(0, len(events), 1_000):
            writer.record(events[i : i + 1_000])
            while writer.pending() > 4 * writer.batch_size:  # noqa: ASYNC110 - polls the writer
                await asyncio.sleep(0.001)
        await writer.close()
        ours_s = time.perf_counter() - started
        async with pool.acquire() as conn:
            stored = await conn.fetchval("SELECT count(*) FROM behaviour_events")
            in_default = await conn.fetchval("SELECT count(*) FROM behaviour_events_default")
            await conn.execute("CHECKPOINT")

        # --- ingest: the limit -----------------------------------------------------------
        print("ingest limit (one COPY into a bare table)...", flush=True)
        async with pool.acquire() as conn:
            started = time.perf_counter()
            await conn.copy_records_to_table("bare", records=events, columns=COLUMNS)
            limit_s = time.perf_counter() - started
            await conn.execute("VACUUM ANALYZE behaviour_events")

        # --- ingest: naive, one committed INSERT per event -------------------------------
        print(f"ingest naive (one INSERT per event, {naive_events:,} of them)...", flush=True)
        insert = (
            f"INSERT INTO naive ({', '.join(COLUMNS)})"
            f" VALUES ({', '.join(f'${i}' for i in range(1, len(COLUMNS) + 1))})"
        )
        sample = events[:naive_events]
        async with pool.acquire() as conn:
            started = time.perf_counter()
            for event in sample:
                await conn.execute(insert, *event)
            naive_ingest_s = time.perf_counter() - started

        # --- funnels ---------------------------------------------------------------------
        query = FunnelQuery(host_id=HOST_ID, steps=STEPS, since=START, until=until, window=WINDOW)
        print("funnel: ours...", flush=True)
        started = time.perf_counter()
        ours_counts = await writer.funnel(query)
        funnel_ours_s = time.perf_counter() - started
        # The store splits a funnel by viewer into 2 queries at once (PostgreSQL runs window
        # functions on one core); the same SQL as one query, for the record:
        writer.funnel_shards = 1
        started = time.perf_counter()
        one_query_counts = await writer.funnel(query)
        funnel_one_query_s = time.perf_counter() - started

        print(f"funnel: naive chained join (timeout {naive_timeout:g} s)...", flush=True)
        naive_counts: list[int] | None = None
        async with pool.acquire() as conn:
            await conn.execute(f"SET statement_timeout = {int(naive_timeout * 1000)}")
            await conn.execute("SET work_mem = '64MB'; SET jit = off")  # what ours runs with
            started = time.perf_counter()
            try:
                row = await conn.fetchrow(naive_funnel_sql(), HOST_ID, START, until, *STEPS, WINDOW)
                assert row is not None
                naive_counts = [int(row[f"s{i}"]) for i in range(1, 5)]
            except asyncpg.QueryCanceledError:
                pass
            funnel_naive_s = time.perf_counter() - started
            await conn.execute("RESET statement_timeout")

        print("reference in Python...", flush=True)
        reference = reference_funnel(
            [(e.user_id, e.kind, e.occurred_at) for e in events if e.occurred_at < until],
            STEPS,
            WINDOW,
        )
    finally:
        await pool.close()
        await admin.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
        await admin.close()

    correct = (
        ours_counts == reference
        and one_query_counts == reference
        and writer.dropped == 0
        and stored == len(events)
    )
    ingest_ours = len(events) / ours_s
    ingest_limit = len(events) / limit_s
    ingest_naive = len(sample) / naive_ingest_s
    print()
    print_table(
        ["what", "ours", "naive", "limit", "unit"],
        [
            ["ingest", round(ingest_ours), round(ingest_naive), round(ingest_limit), "events/s"],
            [
                "funnel (4 steps, 24 h)",
                round(funnel_ours_s, 3),
                (">" if naive_counts is None else "") + f"{funnel_naive_s:.1f}",
                "",
                "s",
            ],
        ],
    )
    print(f"funnel counts: ours {ours_counts}, reference {reference}, naive {naive_counts}")
    print(f"rows stored {stored:,} (default partition: {in_default:,}), dropped {writer.dropped}")
    return {
        # The headline bench/report.py reads: ingest rates.
        **headline(
            round(ingest_ours),
            round(ingest_naive),
            round(ingest_limit),
            "events/s",
            correct,
        ),
        "events": len(events),
        "ingest_ours": round(ingest_ours),
        "ingest_limit": round(ingest_limit),
        "ingest_naive": round(ingest_naive),
        "ingest_ratio": round(ingest_ours / ingest_limit, 3),
        "funnel_ours_s": round(funnel_ours_s, 3),
        "funnel_ours_one_query_s": round(funnel_one_query_s, 3),
        "funnel_naive_s": round(funnel_naive_s, 3),
        "funnel_naive_timed_out": naive_counts is None,
        "funnel_speedup": round(funnel_naive_s / funnel_ours_s, 1),
        "funnel_speedup_is_lower_bound": naive_counts is None,
        "naive_correct": None if naive_counts is None else naive_counts == reference,
        "funnel_counts": ours_counts,
        "correct": correct,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument(
        "--naive-timeout", type=float, default=300.0, help="seconds the naive query may run"
    )
    parser.add_argument(
        "--naive-events", type=int, default=5_000, help="events the naive ingest inserts one by one"
    )
    parser.add_argument("--keep", action="store_true", help="keep the embedded server's dir")
    args = parser.parse_args(argv)
    url = os.environ.get("DATABASE_URL", "")
    server = None
    tmp = None
    if not url:
        from livecommerce.infra.embedded import EmbeddedPostgres

        tmp = Path(tempfile.mkdtemp(prefix="lc-bench-funnel-"))
        server = EmbeddedPostgres(tmp / "pg", durable=True)
        url = server.start()
    try:
        result = asyncio.run(
            run(url, args.events, args.naive_timeout, min(args.naive_events, args.events))
        )
    finally:
        if server is not None:
            server.stop()
        if tmp is not None and not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    json_line(result)
    return 0 if result["correct"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
