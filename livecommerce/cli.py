"""`livecommerce up|serve|worker|migrate|seed`."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from pathlib import Path

import msgspec

from livecommerce.settings import Settings, SettingsError, load_settings

warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
os.environ.setdefault("PICCOLO_CONF", "livecommerce.piccolo_conf")


@contextlib.contextmanager
def resolved(settings: Settings) -> Iterator[Settings]:
    """Settings whose DATABASE_URL / REDIS_URL point somewhere.

    Embedded servers under VAR_DIR stand in for whichever is unset.
    """
    from livecommerce.infra.embedded import EmbeddedPostgres, EmbeddedRedis

    started: list[EmbeddedPostgres | EmbeddedRedis] = []
    try:
        var = Path(settings.var_dir)
        changes: dict[str, str] = {}
        if not settings.database_url:
            pg = EmbeddedPostgres(var / "pg")
            started.append(pg)
            changes["database_url"] = pg.start()
        if not settings.redis_url:
            rd = EmbeddedRedis(var / "redis")
            started.append(rd)
            changes["redis_url"] = rd.start()
        resolved_settings = msgspec.structs.replace(settings, **changes)
        os.environ["DATABASE_URL"] = resolved_settings.database_url or ""
        yield resolved_settings
    finally:
        for server in reversed(started):
            server.stop()


async def _migrate(settings: Settings) -> None:
    from livecommerce.infra import db

    await db.migrate(settings)


async def _seed(settings: Settings) -> list[tuple[str, str, str]]:
    from livecommerce.infra import db
    from livecommerce.seed import seed_demo

    await db.start_pool(settings)
    try:
        return await seed_demo(settings=settings)
    finally:
        await db.close_pool()


async def _run_up(settings: Settings) -> None:
    import uvicorn
    from arq.worker import Worker

    from livecommerce.app import create_app
    from livecommerce.infra import gc_tuning
    from livecommerce.worker.settings import worker_options

    await _migrate(settings)
    logins = await _seed(settings)

    class Server(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:  # we install our own handlers below
            yield

    app = create_app(settings)
    app.on_startup.append(gc_tuning.after_startup)  # a serving process of its own, as `serve`'s
    server = Server(
        uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            loop="none",
            http="httptools",
            ws="websockets-sansio",
            ws_per_message_deflate=False,
        )
    )
    options = worker_options(settings)
    worker = Worker(**options, handle_signals=False, ctx={"settings": settings, "owns_pool": False})

    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    server_task = asyncio.create_task(server.serve())
    worker_task = asyncio.create_task(worker.async_run())
    # uvicorn.Server's `started` is a plain flag with no event to await.
    while not server.started and not server_task.done():  # noqa: ASYNC110 - polls uvicorn's flag
        await asyncio.sleep(0.05)
    if server.started:
        base = f"http://{settings.host}:{settings.port}"
        print(f"\nLiveCommerce is up: {base}/", flush=True)
        print(f"  API docs   {base}/schema   readiness {base}/readyz   metrics {base}/metrics")
        print(f"  database   {settings.database_url}\n  redis      {settings.redis_url}")
        print("  demo logins (username / password / role):")
        for username, password, role in logins:
            print(f"    {username:<18} {password:<16} {role}")
        print("Ctrl-C stops everything.", flush=True)
    done, _ = await asyncio.wait(
        [server_task, worker_task, asyncio.create_task(stop.wait())],
        return_when=asyncio.FIRST_COMPLETED,
    )
    server.should_exit = True
    await worker.close()
    worker_task.cancel()
    with contextlib.suppress(asyncio.CancelledError, Exception):
        await worker_task
    with contextlib.suppress(asyncio.CancelledError):
        await server_task
    for task in done:
        if task in (server_task, worker_task):
            failure = task.exception()
            if failure is not None:
                raise failure


def _uvloop() -> None:
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


def cmd_up(settings: Settings) -> int:
    _uvloop()
    with resolved(settings) as ready:
        asyncio.run(_run_up(ready))
    print("LiveCommerce stopped.", flush=True)
    return 0


def cmd_serve(settings: Settings, workers: int) -> int:
    import uvicorn

    if not settings.database_url or not settings.redis_url:
        print(
            "serve needs DATABASE_URL and REDIS_URL (use `livecommerce up` for the all-in-one)",
            file=sys.stderr,
        )
        return 2
    uvicorn.run(
        "livecommerce.app:create_app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=workers,
        loop="uvloop",
        http="httptools",
        ws="websockets-sansio",
        ws_per_message_deflate=False,
        log_level="warning",
        proxy_headers=True,
    )
    return 0


def cmd_worker(settings: Settings) -> int:
    from arq.worker import run_worker

    from livecommerce.worker.settings import worker_options

    if not settings.database_url or not settings.redis_url:
        print("worker needs DATABASE_URL and REDIS_URL", file=sys.stderr)
        return 2
    _uvloop()
    run_worker(type("WorkerSettings", (), worker_options(settings)), ctx={"settings": settings})
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="livecommerce", description="LiveCommerce: live rooms, shop and distribution"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser(
        "up",
        help=(
            "everything in one process: embedded PostgreSQL + Redis, migrations, demo data,"
            " web, worker"
        ),
    )
    up.add_argument("--port", type=int, default=None)
    serve = sub.add_parser("serve", help="the web app only (DATABASE_URL, REDIS_URL)")
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--port", type=int, default=None)
    sub.add_parser("worker", help="the arq worker only (DATABASE_URL, REDIS_URL)")
    sub.add_parser("migrate", help="apply database migrations")
    sub.add_parser("seed", help="create the demo users and products (idempotent)")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except SettingsError as exc:
        print(f"livecommerce: bad setting: {exc}", file=sys.stderr)
        return 2
    if getattr(args, "port", None) is not None:
        settings = msgspec.structs.replace(settings, port=args.port)

    if args.command == "up":
        return cmd_up(settings)
    if args.command == "serve":
        return cmd_serve(settings, args.workers)
    if args.command == "worker":
        return cmd_worker(settings)
    with resolved(settings) as ready:
        if args.command == "migrate":
            asyncio.run(_migrate(ready))
            print("migrations applied")
        elif args.command == "seed":
            asyncio.run(_migrate(ready))
            for username, password, role in asyncio.run(_seed(ready)):
                print(f"{username} / {password} ({role})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
