"""Helpers for the browser tests: people as browser contexts, screenshots, API set-up."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

CHROMIUM = os.environ.get("LC_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).parent / "screenshots"


class Pages:
    """New browser contexts (one per person) logged in with the user's token as the page's cookie;
    every uncaught page error and CSP violation is collected, and the `pages` fixture fails the
    test on any."""

    def __init__(self, browser: Any, base_url: str) -> None:
        self.browser = browser
        self.base_url = base_url
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    async def open(
        self, path: str, user: Any = None, *, locale: str = "en-US", mobile: bool = False
    ) -> Any:
        viewport = {"width": 420, "height": 860} if mobile else {"width": 1360, "height": 900}
        context = await self.browser.new_context(
            base_url=self.base_url, locale=locale, viewport=viewport
        )
        self.contexts.append(context)
        if user is not None:
            await context.add_cookies(
                [{"name": "lc_token", "value": user.token, "url": self.base_url}]
            )
        page = await context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{path}: {exc}"))
        # A page our own Content-Security-Policy breaks (an inline script or style) fails too.
        page.on(
            "console",
            lambda message: (
                self.errors.append(f"{path}: {message.text}")
                if "Content Security Policy" in message.text
                else None
            ),
        )
        await page.goto(path)
        return page

    async def close(self) -> None:
        for context in self.contexts:
            await context.close()


async def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
