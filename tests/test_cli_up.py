"""`livecommerce up` as a user runs it: a subprocess, embedded servers, Ctrl-C, nothing left
behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from livecommerce.infra.embedded import free_port


def _start_up(var_dir: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update({"VAR_DIR": str(var_dir), "LOG_LEVEL": "warning"})
    return subprocess.Popen(
        [sys.executable, "-m", "livecommerce.cli", "up", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_ready(proc: subprocess.Popen[str], url: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(
                f"up exited early with {proc.returncode}: "
                f"{proc.stdout.read() if proc.stdout else ''}"
            )
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise AssertionError("up did not become ready in time")


def _demo_host_id(url: str) -> int:
    response = httpx.post(
        f"{url}/api/auth/login",
        json={"username": "demo-host", "password": "host-pass-123"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    assert "host" in response.json()["user"]["roles"]
    return int(response.json()["user"]["id"])


def _interrupt_and_check_nothing_is_left(proc: subprocess.Popen[str]) -> str:
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "up should run PostgreSQL and Redis as children"
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, output
    _gone, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left behind: {[p.pid for p in alive]}"
    return output


@pytest.mark.slow
def test_up_serves_ready_demo_logins_stops_on_sigint_and_reuses_its_data(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start_up(tmp_path / "var", port)
    try:
        _wait_ready(proc, url)
        first_id = _demo_host_id(url)
        products = httpx.get(f"{url}/api/products", timeout=10).json()["items"]
        assert len(products) == 4 and all(p["hostId"] == first_id for p in products)
        output = _interrupt_and_check_nothing_is_left(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert "demo-host" in output and url in output

    proc = _start_up(tmp_path / "var", port)  # again: same data, demo users not duplicated
    try:
        _wait_ready(proc, url)
        assert _demo_host_id(url) == first_id
        assert len(httpx.get(f"{url}/api/products", timeout=10).json()["items"]) == 4  # seeded once
        rooms = httpx.get(f"{url}/api/rooms", timeout=10).json()["items"]
        assert [r["session"]["status"] for r in rooms] == ["live", "scheduled"]
        _interrupt_and_check_nothing_is_left(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
