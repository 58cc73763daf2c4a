"""Faults and abuse: each test prints one figure line, collected here and shown at the end of the
run (also under -q), e.g. `16 kills: 1,000/1,000 settled, 0 duplicate`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import httpx
import pytest

from livecommerce.settings import Settings
from tests.resilience.processes import ApiProcess, app_env

# One INFO line per client request, through the app's log config: noise that costs CPU in a storm.
logging.getLogger("httpx").setLevel(logging.WARNING)

_FIGURES: list[tuple[str, str]] = []


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record this test's figure line (printed in the terminal summary, passed or failed)."""

    def record(line: str) -> None:
        _FIGURES.append((request.node.name, line))

    return record


@pytest.fixture
async def api_process(migrated: Settings, tmp_path: Path) -> AsyncIterator[ApiProcess]:
    """`livecommerce serve` in its own process on the session's PostgreSQL and Redis: the load
    generator and the server don't share one event loop (and one core)."""
    api = ApiProcess(
        app_env(migrated.database_url or "", migrated.redis_url or ""),
        tmp_path / "api.log",
        workers=2,
    )
    await api.started()
    try:
        yield api
    finally:
        api.stop()


def storm_client(base_url: str, connections: int = 200) -> httpx.AsyncClient:
    """Keep-alive shorter than uvicorn's 5 s, so a pooled connection is never reused just as the
    server closes it."""
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2
    )
    return httpx.AsyncClient(base_url=base_url, timeout=60, limits=limits)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/resilience" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.resilience)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    if not _FIGURES:
        return
    terminalreporter.section("resilience figures")
    width = max(len(name) for name, _ in _FIGURES)
    for name, line in _FIGURES:
        terminalreporter.write_line(f"{name:<{width}}  {line}")
