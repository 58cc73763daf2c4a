"""Real PostgreSQL and Redis for every test: embedded ones started once per session,
or the servers named by DATABASE_URL / REDIS_URL. Tables and keys are emptied between tests.

TEST_REDIS_CLUSTER=1 (`make test-cluster`): Redis is a real Redis Cluster started here (3
masters, 3 replicas on loopback, tests/cluster_mode.py), the job queue a plain embedded Redis."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import tempfile
import warnings
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")

from livecommerce.app import create_app  # noqa: E402
from livecommerce.domains.tables import ALL_TABLES  # noqa: E402
from livecommerce.infra import db  # noqa: E402
from livecommerce.infra.embedded import EmbeddedPostgres, EmbeddedRedis  # noqa: E402
from livecommerce.settings import Settings, load_settings  # noqa: E402
from tests import cluster_mode  # noqa: E402
from tests.support import LiveServer, TestUser, make_user, public_at  # noqa: E402


@pytest.fixture(scope="session")
def servers() -> Iterator[dict[str, str]]:
    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    root = Path(tempfile.mkdtemp(prefix="lc-test-"))
    urls = {
        "database_url": os.environ.get("DATABASE_URL", ""),
        "redis_url": os.environ.get("REDIS_URL", ""),
    }
    try:
        if not urls["database_url"]:
            pg = EmbeddedPostgres(root / "pg", durable=False)
            started.append(pg)
            urls["database_url"] = pg.start()
        if cluster_mode.ENABLED:
            # The rooms on a cluster, the queue on a plain Redis (arq needs one node).
            urls["redis_url"] = cluster_mode.start(root / "cluster")
            rd = EmbeddedRedis(root / "queue", durable=False)
            started.append(rd)
            urls["queue_redis_url"] = rd.start()
        elif not urls["redis_url"]:
            rd = EmbeddedRedis(root / "redis", durable=False)
            started.append(rd)
            urls["redis_url"] = rd.start()
        os.environ["DATABASE_URL"] = urls["database_url"]
        yield urls
    finally:
        for server in reversed(started):
            server.stop()
        cluster_mode.stop()


@pytest.fixture(scope="session")
def settings(servers: dict[str, str]) -> Settings:
    base = load_settings(
        {"ENV": "test", "LOG_LEVEL": "warning", "VAR_DIR": tempfile.mkdtemp(prefix="lc-var-")},
        dotenv=Path("/nonexistent"),
    )
    return msgspec.structs.replace(base, db_pool_max=40, **servers)


@pytest.fixture(scope="session")
async def migrated(settings: Settings) -> Settings:
    await db.migrate(settings)
    return settings


@pytest.fixture(scope="session")
async def live(migrated: Settings) -> AsyncIterator[LiveServer]:
    # Built once its port is known: payUrl and share links are absolute (PUBLIC_URL).
    server = LiveServer(lambda url: create_app(public_at(migrated, url)))
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def app(live: LiveServer):
    return live.app


@functools.cache
def _touched_sql() -> str:
    """One round trip: the tables of ALL_TABLES holding a row, and the sequences they own that
    were drawn from since their last restart (pg_sequences.last_value is NULL until then; a
    rolled-back insert draws too), with the value each restarts at."""
    names = [table._meta.tablename for table in ALL_TABLES]
    probes = ", ".join(f"CASE WHEN EXISTS (SELECT FROM \"{n}\") THEN '{n}' END" for n in names)
    listed = ", ".join(f"'{name}'" for name in names)
    return (
        f"SELECT array_remove(ARRAY[{probes}], NULL) AS tables,"
        " array(SELECT format('SELECT setval(%L, %s, false)', format('%I.%I', s.schemaname,"
        " s.sequencename), s.start_value) FROM pg_sequences s"
        " JOIN pg_namespace n ON n.nspname = s.schemaname"
        " JOIN pg_class sc ON sc.relname = s.sequencename AND sc.relnamespace = n.oid"
        " JOIN pg_depend d ON d.objid = sc.oid AND d.deptype IN ('a', 'i')"
        " JOIN pg_class t ON t.oid = d.refobjid"
        f" WHERE s.last_value IS NOT NULL AND t.relname IN ({listed})) AS restarts,"
        " current_setting('is_superuser') = 'on' AS superuser"
    )


async def _empty_tables(conn: Any) -> None:
    """TRUNCATE ... RESTART IDENTITY CASCADE of every table, at a fraction of its cost.

    A TRUNCATE makes new files for each table and its indexes, and a test's users cascade it to
    nearly all 84 tables (~0.07 s a test). Instead: DELETE the rows of the tables that have any,
    with triggers off for the transaction (session_replication_role: neither the foreign keys'
    nor the append-only ledger and audit triggers fire, as none do under TRUNCATE), and restart
    the sequences that moved. A server where the test role is no superuser gets the TRUNCATE."""
    row = await conn.fetchrow(_touched_sql())
    tables, restarts = row["tables"], row["restarts"]
    if not row["superuser"]:
        names = ", ".join(f'"{table._meta.tablename}"' for table in ALL_TABLES)
        await conn.execute(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
        return
    if not tables and not restarts:
        return
    script = [
        "BEGIN",
        "SET LOCAL session_replication_role = replica",
        *(f'DELETE FROM "{name}"' for name in tables),
        *restarts,
        "COMMIT",
    ]
    await conn.execute(";\n".join(script))


@pytest.fixture(autouse=True)
async def clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Empty every table and the Redis database before each test that touches them."""
    if "live" in request.fixturenames or "migrated" in request.fixturenames:
        live_settings: Settings = request.getfixturevalue("migrated")
        await db.start_pool(live_settings)
        # An earlier test's events are buffered in the process's store and would land after the
        # TRUNCATE, under ids this test's users now have: drop them, and wait for a write under
        # way (it holds the store's lock) before emptying the tables.
        from livecommerce.domains.analytics import store as event_store

        event_store.store().discard()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(event_store.flush(), 10)
        async with db.engine().pool.acquire() as conn:
            await _empty_tables(conn)
        await cluster_mode.flush(live_settings.redis_url or "", live_settings.queue_redis_url)
        from livecommerce.domains.accounts import profile
        from livecommerce.domains.live import moderation

        moderation.forget_all()
        profile.forget_all()
    yield


@pytest.fixture
async def client(live: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live.url, timeout=30) as http:
        yield http


@pytest.fixture
def user_factory(app):
    async def factory(username: str, roles: list[str] | None = None) -> TestUser:
        return await make_user(app, username, roles)

    return factory
