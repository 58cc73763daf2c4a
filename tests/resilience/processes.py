"""Real processes to kill and restart: `livecommerce serve` and `livecommerce worker` as
subprocesses, pointed at whichever PostgreSQL and Redis a test gives them."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

from livecommerce.infra.embedded import free_port


def app_env(database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "PORT")}
    env.update(
        {
            "ENV": "test",
            "LOG_LEVEL": "warning",
            "LOG_JSON": "true",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "VAR_DIR": tempfile.mkdtemp(prefix="lc-res-var-"),
            "PICCOLO_CONF": "livecommerce.piccolo_conf",
        }
    )
    env.update(extra)
    return env


class Child:
    """One `livecommerce <command>` child process, its output in a log file (shown when a test
    fails)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path) -> None:
        self.command = command
        self.env = env
        self.log = log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        # cwd: a folder without a `.env`, so only the environment we pass counts.
        with open(self.log, "ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "livecommerce.cli", *self.command],
                env=self.env,
                cwd=self.log.parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.running:
            assert self.proc is not None
            with contextlib.suppress(ProcessLookupError):
                self.proc.send_signal(sig)

    def wait(self, timeout: float = 30) -> int | None:
        if self.proc is None:
            return None
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait(10)

    def stop(self) -> None:
        self.signal(signal.SIGTERM)
        self.wait()

    def tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""


class ApiProcess(Child):
    """`livecommerce serve` on a free port: an api process the test never restarts."""

    def __init__(self, env: dict[str, str], log: Path, workers: int = 1) -> None:
        self.port = free_port()
        command = ["serve", "--port", str(self.port), "--workers", str(workers)]
        super().__init__(command, {**env, "PORT": str(self.port)}, log)
        self.url = f"http://127.0.0.1:{self.port}"

    async def started(self, timeout: float = 60) -> None:
        self.start()
        deadline = time.monotonic() + timeout
        async with httpx.AsyncClient(base_url=self.url, timeout=2) as http:
            while time.monotonic() < deadline:
                if not self.running:
                    raise RuntimeError(f"api exited:\n{self.tail()}")
                with contextlib.suppress(httpx.HTTPError):
                    if (await http.get("/healthz")).status_code == 200:
                        return
                await asyncio.sleep(0.1)
        raise RuntimeError(f"api did not answer within {timeout}s:\n{self.tail()}")


def worker(env: dict[str, str], log: Path) -> Child:
    return Child(["worker"], env, log)


def migrate(env: dict[str, str], log: Path) -> None:
    with open(log, "ab") as out:
        subprocess.run(
            [sys.executable, "-m", "livecommerce.cli", "migrate"],
            env=env,
            cwd=log.parent,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=180,
        )


async def wait_until(
    probe: Callable[[], Awaitable[bool]], timeout: float, every: float = 0.2
) -> float:
    """Poll `probe` until it is true; returns the seconds it took (raises TimeoutError past
    `timeout`)."""
    started = time.monotonic()
    while True:
        with contextlib.suppress(Exception):
            if await probe():
                return time.monotonic() - started
        if time.monotonic() - started > timeout:
            raise TimeoutError(f"not true within {timeout}s")
        await asyncio.sleep(every)
