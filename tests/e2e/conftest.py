"""Browser tests: the system Chromium (apt: chromium) driven by Playwright's async API
against the session's real server. Without /usr/bin/chromium they are skipped, not failed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.support import CHROMIUM, Pages

try:
    from playwright.async_api import async_playwright
except ImportError:  # pragma: no cover - the dev extras install it
    async_playwright = None  # type: ignore[assignment]

MISSING = async_playwright is None or not Path(CHROMIUM).exists()
REASON = f"browser tests need {CHROMIUM} (apt-get install chromium) and the playwright package"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not MISSING:
        return
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.skip(reason=REASON))


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Any]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        await launched.close()


@pytest.fixture
async def pages(browser: Any, live: Any) -> AsyncIterator[Pages]:
    opened = Pages(browser, live.url)
    yield opened
    await opened.close()
    assert not opened.errors, opened.errors
