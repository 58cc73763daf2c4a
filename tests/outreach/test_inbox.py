"""The inbox over HTTP (mine only: another user's item is 404) and live over /ws/me."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets
from websockets.typing import Origin

from livecommerce.domains.outreach import delivery
from tests.outreach.support import broadcast, deliveries, inbox_item, recorders, say

__all__ = ["recorders"]


async def test_my_inbox_newest_first_read_unread_and_others_items_are_404(
    app, client, user_factory, recorders
):
    host = await user_factory("tea", ["host"])
    me = await user_factory("reader")
    other = await user_factory("neighbour")
    r = broadcast(me.id, host.id, "x", title="春茶到了", body="<b>明前</b> {name}")
    first = await say(r)
    await delivery.deliver((await deliveries(first))["inbox"], {})
    second = await inbox_item(me.id, host.id, "y")
    theirs = await inbox_item(other.id, host.id, "z")

    page = (await client.get("/api/me/inbox", params={"limit": 1}, headers=me.headers)).json()
    assert page["unread"] == 2 and [i["id"] for i in page["items"]] == [second]
    assert page["nextCursor"] == second
    rest = (await client.get("/api/me/inbox", params={"before": second}, headers=me.headers)).json()
    [item] = rest["items"]
    assert rest["nextCursor"] is None
    # The host's words as written (plain text: the page shows them as text, never as markup).
    assert (item["title"], item["body"], item["read"]) == ("春茶到了", "<b>明前</b> {name}", False)
    assert item["link"] == "/"

    for path in (f"/api/me/inbox/{theirs}/read", "/api/me/inbox/999999/read"):
        refused = await client.post(path, headers=me.headers)
        assert refused.status_code == 404, refused.text
    assert (await client.get("/api/me/inbox/unread-count", headers=other.headers)).json() == {
        "unread": 1
    }

    read = await client.post(f"/api/me/inbox/{second}/read", headers=me.headers)
    assert read.status_code == 200 and read.json() == {"unread": 1}
    assert (await client.post(f"/api/me/inbox/{second}/read", headers=me.headers)).json() == {
        "unread": 1
    }
    everything = await client.post("/api/me/inbox/read-all", headers=me.headers)
    assert everything.json() == {"marked": 1, "unread": 0}
    assert (await client.get("/api/me/inbox/unread-count", headers=other.headers)).json() == {
        "unread": 1
    }
    assert (await client.get("/api/me/inbox", headers=other.headers)).json()["items"][0][
        "id"
    ] == theirs


async def test_english_readers_get_the_english_template(app, client, user_factory, recorders):
    me = await user_factory("anne")
    await client.put("/api/me/notification-settings", json={"lang": "en"}, headers=me.headers)
    r = broadcast(me.id, None, "en")
    message = await say(
        r.__class__(
            **{
                **r.__dict__,
                "journey": "repurchase",
                "template": "repurchase",
                "context": {"product_title": "Oolong"},
            }
        )
    )
    await delivery.deliver((await deliveries(message))["inbox"], {})
    [item] = (await client.get("/api/me/inbox", headers=me.headers)).json()["items"]
    assert item["title"] == "Running low on Oolong?" and item["body"].startswith("Anne, ")


async def _frame(ws, within: float = 10.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), within))


async def test_a_new_inbox_item_is_pushed_live_to_the_users_socket(
    app, live, client, user_factory, recorders
):
    me = await user_factory("watcher")
    other = await user_factory("bystander")
    url = f"{live.ws_url}/ws/me"
    origin = Origin(live.url)
    async with (
        websockets.connect(url, origin=origin, additional_headers=me.headers) as mine,
        websockets.connect(url, origin=origin, additional_headers=other.headers) as theirs,
    ):
        assert await _frame(mine) == {"type": "inbox", "unread": 0}
        assert await _frame(theirs) == {"type": "inbox", "unread": 0}
        item = await inbox_item(me.id, None, "live")
        pushed = await _frame(mine)
        assert pushed["type"] == "inbox" and pushed["unread"] == 1
        assert pushed["item"]["id"] == item and pushed["item"]["title"] == "上新"
        # Read on another page: the count follows.
        await client.post(f"/api/me/inbox/{item}/read", headers=me.headers)
        assert await _frame(mine) == {"type": "inbox", "unread": 0}
        # Nobody else hears of it.
        with pytest.raises(TimeoutError):
            await _frame(theirs, within=0.5)


async def test_the_user_socket_refuses_strangers_and_other_sites(live, user_factory):
    me = await user_factory("guarded")
    url = f"{live.ws_url}/ws/me"
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with websockets.connect(url, origin=Origin(live.url)):
            pass  # not logged in
    with pytest.raises(websockets.exceptions.InvalidStatus):
        async with websockets.connect(
            url, origin=Origin("https://evil.example"), additional_headers=me.headers
        ):
            pass
    async with websockets.connect(
        url, additional_headers={"Cookie": f"lc_token={me.token}"}, origin=Origin(live.url)
    ) as ok:
        assert json.loads(await asyncio.wait_for(ok.recv(), 10))["unread"] == 0
