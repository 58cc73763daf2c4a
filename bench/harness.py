"""What every bench does around its measurement: the embedded PostgreSQL and Redis, the child
processes (servers pinned to their core, load generators, pgbench), and the cleanup after a
run, a Ctrl-C or an error. The benches' own code is only the set-up and the scenarios."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import glob
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import psutil

from bench.common import pin, raise_fd_limit
from livecommerce.infra.embedded import free_port, stop_process

HOST = "127.0.0.1"
SERVER_CPU, CLIENT_CPU = 0, 1  # the server under test alone on core 0; clients on core 1
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent

T = TypeVar("T")


def run_async(main: Coroutine[Any, Any, T]) -> T:
    """Run `main` on uvloop when it is installed (the benches' servers and clients use it)."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover
        return asyncio.run(main)
    return uvloop.run(main)


# --- child processes ---------------------------------------------------------------------


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _pinned(cpu: int) -> Callable[[], None]:
    def preexec() -> None:
        _die_with_parent()
        pin(cpu)

    return preexec


def tail(log: Path, chars: int = 3000) -> str:
    return log.read_text(errors="replace")[-chars:] if log.exists() else ""


class Procs:
    """Every child process we start, stopped in reverse order at the end (also on Ctrl-C or
    error)."""

    def __init__(self) -> None:
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(
        self,
        argv: list[str],
        *,
        cpu: int,
        env: dict[str, str] | None = None,
        log: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        out = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
        proc = subprocess.Popen(
            argv,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_pinned(cpu),
        )
        if log:
            out.close()  # type: ignore[union-attr]
        self.procs.append(proc)
        return proc

    def run(self, argv: list[str], *, cpu: int, log: Path, timeout: float) -> int:
        """Start a command, wait for it (killed at the end if it outlives `timeout`); its code."""
        proc = self.start(argv, cpu=cpu, log=log)
        code = proc.wait(timeout)
        self.procs.remove(proc)
        return code

    def run_json(
        self, module: str, cfg: dict[str, Any], tmp: Path, tag: str, timeout: float
    ) -> dict[str, Any]:
        """A load generator (`python -m MODULE CONFIG.json`) on the client core: its JSON line."""
        cfg_path = tmp / f"loadgen-{tag}.json"
        cfg_path.write_text(json.dumps(cfg))
        out = tmp / f"loadgen-{tag}.out"
        argv = [sys.executable, "-m", module, str(cfg_path)]
        code = self.run(argv, cpu=CLIENT_CPU, log=out, timeout=timeout)
        text = out.read_text(errors="replace").strip()
        if code != 0 or not text:
            raise RuntimeError(f"loadgen failed ({code}):\n{text[-3000:]}")
        return dict(json.loads(text.splitlines()[-1]))

    @contextlib.contextmanager
    def serving(
        self, name: str, argv: list[str], env: dict[str, str], health: str, log: Path
    ) -> Iterator[subprocess.Popen[bytes]]:
        """An HTTP server on the server core, answering `health` on env["PORT"], until the end
        of the block; it must still be alive then."""
        server = self.start(argv, cpu=SERVER_CPU, env=env, log=log)
        try:
            wait_http(int(env["PORT"]), health, server, log)
            yield server
            if server.poll() is not None:
                raise RuntimeError(f"{name} server died:\n{tail(log)}")
        finally:
            self.stop(server)

    def stop(
        self, proc: subprocess.Popen[bytes], sig: int = signal.SIGINT, timeout: float = 15.0
    ) -> None:
        stop_process(proc, sig, timeout)
        if proc in self.procs:
            self.procs.remove(proc)

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs)):
            self.stop(proc, signal.SIGTERM, 10)


def wait_http(
    port: int, path: str, proc: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    deadline = time.monotonic() + timeout
    request = f"GET {path} HTTP/1.1\r\nHost: {HOST}\r\nConnection: close\r\n\r\n".encode()
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}:\n{tail(log)}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection((HOST, port), timeout=1) as sock,
        ):
            sock.sendall(request)
            if sock.recv(64).startswith(b"HTTP/1.1 "):
                return
        time.sleep(0.1)
    raise RuntimeError(f"server on port {port} did not answer within {timeout}s")


def _cpu_of(pids: list[int]) -> dict[int, float]:
    out: dict[int, float] = {}
    for pid in pids:
        with contextlib.suppress(psutil.Error):
            t = psutil.Process(pid).cpu_times()
            out[pid] = t.user + t.system
    return out


def pg_pids(pg_pid: int) -> list[int]:
    """PostgreSQL's postmaster and its backends."""
    with contextlib.suppress(psutil.Error):
        main = psutil.Process(pg_pid)
        return [pg_pid, *(c.pid for c in main.children(recursive=True))]
    return []


class CpuSampler:
    """CPU seconds used by a set of processes (PostgreSQL's backends come and go: sampled
    every 0.2 s)."""

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self.pids = pids
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self) -> None:
        for pid, used in _cpu_of(self.pids()).items():
            self.first.setdefault(pid, 0.0)  # a process born after the start
            self.last[pid] = used

    def _loop(self) -> None:
        while not self.stop_event.wait(0.2):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self.first = _cpu_of(self.pids())
        self.last = dict(self.first)
        self.t0 = time.monotonic()
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self.stop_event.set()
        self.thread.join()
        self.wall = time.monotonic() - self.t0

    @property
    def percent(self) -> float:
        used = sum(v - self.first.get(pid, 0.0) for pid, v in self.last.items())
        return used / max(self.wall, 1e-9) * 100


def find_pgbench(pg_bin: Path) -> str | None:
    candidates = [
        pg_bin / "pgbench",
        *sorted(Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin/pgbench"))[::-1],
    ]
    found = next((str(c) for c in candidates if c.is_file() and os.access(c, os.X_OK)), None)
    return found or shutil.which("pgbench")


def pgbench_argv(
    pgbench: str, port: int, clients: int, script: Path, *more: str, **variables: Any
) -> list[str]:
    """pgbench running `script` (prepared statements, one thread, no vacuum) on the bench's
    database; `variables` become its `-D name=value`s."""
    defines = [arg for name, value in variables.items() for arg in ("-D", f"{name}={value}")]
    return [
        pgbench,
        *("-h", HOST, "-p", str(port), "-U", "postgres", "-n", "-M", "prepared"),
        *("-c", str(clients), "-j", "1", "-f", str(script)),
        *more,
        *defines,
        "livecommerce",
    ]


# --- the database, from the driver's synchronous code ---------------------------------------


def on_db(url: str, work: Callable[[Any], Awaitable[T]]) -> T:
    """`work(conn)` on a fresh asyncpg connection to `url`."""

    async def run() -> T:
        import asyncpg

        conn = await asyncpg.connect(url)
        try:
            return await work(conn)
        finally:
            await conn.close()

    return asyncio.run(run())


def sql(url: str, *queries: str) -> list[list[Any]]:
    """The rows (tuples) of each query."""

    async def fetch(conn: Any) -> list[list[Any]]:
        return [[tuple(r) for r in await conn.fetch(q)] for q in queries]

    return on_db(url, fetch)


def checkpoint(url: str) -> None:
    sql(url, "CHECKPOINT")


# --- the whole stack: PostgreSQL, Redis, settings, children, cleanup -----------------------


class Stack:
    """A bench's run in a temp dir: `start()` brings up a durable embedded PostgreSQL (fsync on:
    commits are real) and an embedded Redis; leaving the block stops every child process and
    both servers and removes the dir (unless `keep`). A Ctrl-C or SIGTERM ends the block
    quietly with `interrupted` set (the bench then exits 130).

        with Stack("checkout", keep=args.keep) as stack:
            settings = stack.start()
            ...
        if stack.interrupted:
            return 130
    """

    def __init__(self, name: str, *, keep: bool = False) -> None:
        self.name, self.keep = name, keep
        self.procs = Procs()
        self.servers: list[Any] = []
        self.interrupted = False

    def __enter__(self) -> Stack:
        # SIGINT raises also when started with SIGINT ignored (`cmd &`); SIGTERM does the same.
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        self.tmp = Path(tempfile.mkdtemp(prefix=f"lc-bench-{self.name}-"))
        return self

    def start(self) -> Any:
        """Both servers up; the settings that name them (and a fresh secret key)."""
        import msgspec

        from livecommerce.infra.embedded import EmbeddedPostgres, EmbeddedRedis
        from livecommerce.settings import load_settings

        self.pg = EmbeddedPostgres(self.tmp / "pg", durable=True)
        self.servers.append(self.pg)
        self.db_url = self.pg.start()
        self.redis = EmbeddedRedis(self.tmp / "redis")
        self.servers.append(self.redis)
        self.redis_url = self.redis.start()
        self.secret = secrets.token_hex(32)
        self.settings = msgspec.structs.replace(
            load_settings(
                {"LOG_LEVEL": "warning", "VAR_DIR": str(self.tmp / "var")},
                dotenv=Path("/nonexistent"),
            ),
            database_url=self.db_url,
            redis_url=self.redis_url,
            secret_key=self.secret,
        )
        return self.settings

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a `livecommerce` child process (or a naive server) on this stack."""
        names = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PORT")
        env = {k: v for k, v in os.environ.items() if k not in names}
        env.update(
            DATABASE_URL=self.db_url,
            REDIS_URL=self.redis_url,
            SECRET_KEY=self.secret,
            LOG_LEVEL="warning",
            VAR_DIR=str(self.tmp / "var"),
            PICCOLO_CONF="livecommerce.piccolo_conf",
            PYTHONWARNINGS="ignore",
            **extra,
        )
        return env

    def __exit__(self, kind: type[BaseException] | None, *exc: object) -> bool:
        if kind is KeyboardInterrupt:
            print("interrupted: cleaning up", file=sys.stderr)
            self.interrupted = True
        self.procs.stop_all()
        for server in reversed(self.servers):
            with contextlib.suppress(Exception):
                server.stop()
        if self.keep:
            print(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        return self.interrupted


@contextlib.contextmanager
def embedded_redis(cpu: int = CLIENT_CPU) -> Iterator[str]:
    """A throwaway Redis (no persistence) pinned to `cpu`, with this process: its URL."""
    from livecommerce.infra.embedded import EmbeddedRedis

    pin(cpu)
    tmp = Path(tempfile.mkdtemp(prefix="lc-bench-redis-"))
    redis = EmbeddedRedis(tmp, durable=False)
    try:
        url = redis.start()
        assert redis.proc is not None
        pin(cpu, redis.proc.pid)
        yield url
    finally:
        redis.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# --- benches that run their own server in a child (`python -m bench.X --serve KIND`) ---------


def self_serving_parser(doc: str) -> argparse.ArgumentParser:
    """A bench's parser with the hidden options its server child is started with."""
    parser = argparse.ArgumentParser(
        description=doc, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--redis", help=argparse.SUPPRESS)
    return parser


class ChildServer:
    """`python -m MODULE --serve KIND --port P --redis URL ...` pinned to the server core, ready
    once it prints "ready"; it reads commands on stdin and answers a line each."""

    def __init__(self, module: str, kind: str, redis_url: str, *extra: str) -> None:
        self.module, self.kind, self.redis_url, self.extra = module, kind, redis_url, extra
        self.port = free_port()

    async def __aenter__(self) -> ChildServer:
        self.proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            "--serve",
            self.kind,
            "--port",
            str(self.port),
            "--redis",
            self.redis_url,
            *self.extra,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        pin(SERVER_CPU, self.proc.pid)
        await self.expect("ready")
        return self

    async def expect(self, word: str, within: float = 120) -> str:
        assert self.proc.stdout is not None
        async with asyncio.timeout(within):
            while True:
                line = (await self.proc.stdout.readline()).decode()
                if not line:
                    raise RuntimeError(f"{self.kind} server exited")
                if line.startswith(word):
                    return line

    async def command(self, line: str, reply: str = "ok") -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line.encode() + b"\n")
        return await self.expect(reply)

    async def __aexit__(self, *exc: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        await self.proc.wait()


async def start_uvicorn(app: Any, port: int, **config: Any) -> asyncio.Task[None]:
    """Serve `app` on HOST:port in this event loop; returns (the serving task) once it listens."""
    import uvicorn

    options: dict[str, Any] = {
        "log_level": "warning",
        "loop": "uvloop",
        "http": "httptools",
        "backlog": 4096,
        **config,
    }
    server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, **options))
    task = asyncio.create_task(server.serve())
    while not server.started:  # uvicorn exposes a flag, not an event
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    return task


# --- load generators (children of checkout and grab) -------------------------------------------


def loadgen_main(
    argv: Sequence[str], run: Callable[[dict[str, Any]], Coroutine[Any, Any, dict[str, Any]]]
) -> int:
    """A load generator's main: its JSON config in, pinned to cfg["cpu"], the stats out as JSON."""
    with open(argv[0]) as f:
        cfg = json.load(f)
    if cfg.get("cpu") is not None:
        pin(cfg["cpu"])
    raise_fd_limit()
    print(json.dumps(run_async(run(cfg))), flush=True)
    return 0


# --- the naive baselines' servers ---------------------------------------------------------


def naive_app(route_handlers: list[Any], *, redis: bool = False, public: Sequence[str] = ()) -> Any:
    """A bare Litestar app for a naive baseline: Litestar's JWT (ours' secret and tokens, the
    user id as the user), an asyncpg pool in `app.state.pool` (and a Redis client in
    `app.state.redis`), from DATABASE_URL, REDIS_URL, SECRET_KEY."""
    import asyncpg
    from litestar import Litestar
    from litestar.security.jwt import JWTAuth

    async def user_id(token: Any, connection: Any) -> int:
        return int(token.sub)

    jwt = JWTAuth[int](
        retrieve_user_handler=user_id,
        token_secret=os.environ["SECRET_KEY"],
        exclude=list(public) or None,
    )

    async def startup(app: Litestar) -> None:
        app.state.pool = await asyncpg.create_pool(
            os.environ["DATABASE_URL"],
            min_size=2,
            max_size=int(os.environ.get("DB_POOL_MAX", "20")),
        )
        if redis:
            from redis.asyncio import Redis

            app.state.redis = Redis.from_url(os.environ["REDIS_URL"])

    async def shutdown(app: Litestar) -> None:
        await app.state.pool.close()
        if redis:
            await app.state.redis.aclose()

    return Litestar(
        route_handlers=route_handlers,
        on_startup=[startup],
        on_shutdown=[shutdown],
        on_app_init=[jwt.on_app_init],
        debug=False,
    )


def serve_naive(factory: str) -> None:
    """Serve `module:create_app` like ours is served: one uvicorn process on uvloop, httptools."""
    import uvicorn

    uvicorn.run(
        factory,
        factory=True,
        host=HOST,
        port=int(os.environ.get("PORT", "8001")),
        workers=1,
        loop="uvloop",
        http="httptools",
        log_level="warning",
    )
