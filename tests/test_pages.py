"""The pages are served, what they load exists, and both languages say everything.

These run without a browser, so a machine without Chromium still checks the wiring."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from livecommerce.pages import PAGES, PAGES_DIR

STATIC = PAGES_DIR.parent
JS = STATIC / "js"
IMPORT = re.compile(
    r"""(?:^|\n)\s*import\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)"""
)
ASSET = re.compile(r"""(?:src|href)="(/static/[^"]+)\"""")


def _dictionaries() -> dict[str, set[str]]:
    source = (JS / "i18n.js").read_text()
    zh, en = source.split('"zh-CN": {', 1)[1].split("\n  en: {", 1)
    keys = re.compile(r'^\s*"([\w.]+)":', re.M)
    return {"zh-CN": set(keys.findall(zh)), "en": set(keys.findall(en))}


@pytest.mark.parametrize("route", list(PAGES))
async def test_each_page_is_served_as_html_with_the_assets_it_names(client, route):
    path = re.sub(r"\{\w+:int\}", "1", route)
    response = await client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    for asset in ASSET.findall(response.text):
        fetched = await client.get(asset)
        assert fetched.status_code == 200, asset


def test_every_module_import_points_at_a_file():
    for module in JS.rglob("*.js"):
        for static_target, dynamic_target in IMPORT.findall(module.read_text()):
            target = static_target or dynamic_target
            resolved = (
                STATIC.parent / target.lstrip("/")
                if target.startswith("/")
                else (module.parent / target).resolve()
            )
            assert resolved.is_file(), f"{module.relative_to(STATIC)} imports {target}"


def test_both_languages_have_the_same_keys():
    found = _dictionaries()
    assert found["zh-CN"] == found["en"], found["zh-CN"] ^ found["en"]


def test_every_key_the_pages_use_is_translated():
    known = _dictionaries()["en"]
    used: set[str] = set()
    for page in PAGES_DIR.glob("*.html"):
        used |= set(re.findall(r'data-i18n(?:-[a-z-]+)?="([\w.]+)"', page.read_text()))
    for module in JS.rglob("*.js"):
        used |= set(re.findall(r"""\bt\(\s*["']([\w.]+)["']""", module.read_text()))
    assert len(used) > 100  # the patterns still find what the pages use
    missing = sorted(k for k in used if k not in known)
    assert not missing, missing


def test_vendored_libraries_carry_their_licence():
    for lib in ("hls.js", "uplot"):
        assert (STATIC / "vendor" / lib / "LICENSE").is_file()
        assert (STATIC / "vendor" / lib / "VERSION").is_file()


def test_pages_load_nothing_from_another_host():
    for page in [*PAGES_DIR.glob("*.html"), *JS.rglob("*.js"), *(STATIC / "css").glob("*.css")]:
        text = page.read_text()
        assert not re.search(
            r"""(src|href|from|import\(|url\()\s*=?\s*["']?(https?:)?//""", text
        ), page.name


def test_a_page_path_is_in_no_api_namespace():
    assert all(not p.startswith(("/api", "/ws", "/static", "/s/")) for p in PAGES)
    assert Path(PAGES_DIR / "room.html").is_file()


async def test_a_guest_gets_a_signed_guest_id_with_its_first_page_and_keeps_it(
    client, user_factory, settings
) -> None:
    from livecommerce.realtime.guests import COOKIE, GuestIds

    first = await client.get("/")
    issued = first.cookies.get(COOKIE)
    assert issued and GuestIds(settings.secret_key).valid(issued)
    again = await client.get("/login", cookies={COOKIE: issued})
    assert COOKIE not in again.cookies  # a valid id is kept, not replaced
    forged = await client.get("/", cookies={COOKIE: "made-up"})
    assert GuestIds(settings.secret_key).valid(forged.cookies.get(COOKIE, ""))
    member = await user_factory("member")
    logged_in = await client.get("/", cookies={"lc_token": member.token})
    assert COOKIE not in logged_in.cookies
