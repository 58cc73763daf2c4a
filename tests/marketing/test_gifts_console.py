"""The operator's catalogue and tip settings (audited), the settlement after the hold, and the
tip figures of a session's report and of a host."""

from __future__ import annotations

import httpx

from livecommerce.domains.ledger import Kind
from livecommerce.domains.marketing import gifts_settlement
from livecommerce.infra import db
from tests.marketing.gifts_support import escrow, send, set_tips, tip_room
from tests.promotions.support import balance, fund
from tests.support import ledger_state, problem_code


async def test_prices_and_settings_change_only_by_admins_and_every_change_is_audited(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 10_000)
    first = (await send(client, fan, room.room_id, room.gift_id)).json()
    for who in (fan, room.host):
        assert (
            await client.patch(
                f"/api/admin/gifts/{room.gift_id}", json={"price": 1}, headers=who.headers
            )
        ).status_code == 403
        assert (
            await client.put(
                "/api/admin/tip-settings", json={"platformFeeBp": 0}, headers=who.headers
            )
        ).status_code == 403
    changed = await client.patch(
        f"/api/admin/gifts/{room.gift_id}",
        json={"price": 520, "reason": "情人节"},
        headers=room.admin.headers,
    )
    assert changed.status_code == 200 and changed.json()["price"] == 520
    bad_icon = await client.patch(
        f"/api/admin/gifts/{room.gift_id}",
        json={"icon": "/static/gifts/nope.svg"},
        headers=room.admin.headers,
    )
    assert bad_icon.status_code == 400 and problem_code(bad_icon) == "validation_error"
    bad_fee = await client.put(
        "/api/admin/tip-settings", json={"platformFeeBp": 10_001}, headers=room.admin.headers
    )
    assert bad_fee.status_code == 400
    second = (await send(client, fan, room.room_id, room.gift_id)).json()
    assert (first["amount"], second["amount"]) == (100, 520)  # each at the price it was sent at
    changes = (await client.get("/api/admin/gifts/changes", headers=room.admin.headers)).json()
    price = next(c for c in changes if c["action"] == "gift.update")
    assert (price["before"], price["after"], price["reason"]) == (
        {"price": 100},
        {"price": 520},
        "情人节",
    )
    assert price["actorId"] == room.admin.id
    # tip_room set the fee to the default (3000): no change, so no audit row until this one.
    assert not [c for c in changes if c["action"] == "gift.settings"]
    await set_tips(client, room.admin, platformFeeBp=1500, leaderboardsEnabled=False)
    changes = (await client.get("/api/admin/gifts/changes", headers=room.admin.headers)).json()
    fee = next(c for c in changes if c["action"] == "gift.settings")
    assert (fee["before"], fee["after"]) == ({"platformFeeBp": 3000}, {"platformFeeBp": 1500})
    icons = (await client.get("/api/admin/gifts/icons", headers=room.admin.headers)).json()
    assert "/static/gifts/heart.svg" in icons
    public = (await client.get("/api/gifts")).json()
    assert [g["price"] for g in public] == [520]


async def test_host_shares_settle_to_the_receivable_once_after_the_hold(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory, fee_bp=1000)
    fan = await user_factory("fan")
    await fund(fan, 10_000)
    for quantity in (1, 2, 3):
        assert (await send(client, fan, room.room_id, room.gift_id, quantity)).status_code == 201
    assert await gifts_settlement.settle_all() == 0  # inside the 24 h hold
    await set_tips(client, room.admin, holdHours=0)
    assert await gifts_settlement.settle_all() == 3
    assert await gifts_settlement.settle_all() == 0
    assert await escrow(room.host) == 0
    assert await balance(room.host, Kind.RECEIVABLE) == 540
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM gift_tips WHERE settled_at IS NULL") == 0
    assert (await ledger_state()).problems == []


async def test_the_session_report_and_the_host_count_the_tips(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory, fee_bp=2000)
    a, b = await user_factory("alice"), await user_factory("bob")
    for fan in (a, b):
        await fund(fan, 10_000)
    heart = (
        await client.post(
            "/api/admin/gifts",
            json={"name": "小心心", "icon": "/static/gifts/heart.svg", "price": 10},
            headers=room.admin.headers,
        )
    ).json()
    await send(client, a, room.room_id, room.gift_id, 2)
    await send(client, b, room.room_id, heart["id"], 5)
    await send(client, b, room.room_id, heart["id"])
    report = await client.get(f"/api/sessions/{room.session_id}/tips", headers=room.host.headers)
    assert report.status_code == 200, report.text
    tips = report.json()
    assert (tips["tips"], tips["tippers"], tips["amount"], tips["hostShare"], tips["fee"]) == (
        3,
        2,
        260,
        208,
        52,
    )
    assert [(g["name"], g["tips"], g["quantity"], g["amount"]) for g in tips["topGifts"]] == [
        ("玫瑰", 1, 2, 200),
        ("小心心", 2, 6, 60),
    ]
    assert [t["name"] for t in tips["topTippers"]] == ["A**", "B**"]
    nosy = await user_factory("nosy", ["host"])
    hidden = await client.get(f"/api/sessions/{room.session_id}/tips", headers=nosy.headers)
    assert hidden.status_code == 404
    mine = (await client.get("/api/host/tips", headers=room.host.headers)).json()
    assert (mine["todayTips"], mine["totalAmount"], mine["totalHostShare"]) == (3, 260, 208)


async def test_piccolo_admin_renames_a_gift_but_never_reprices_it(
    client: httpx.AsyncClient, user_factory
) -> None:
    from tests.admin.test_tables_mount import API, as_operator

    room = await tip_room(client, user_factory)
    headers = await as_operator(client, room.admin)
    repriced = await client.patch(
        f"{API}/gifts/{room.gift_id}/", json={"name": "玫瑰", "price": 1}, headers=headers
    )
    assert repriced.status_code == 403, repriced.text
    renamed = await client.patch(
        f"{API}/gifts/{room.gift_id}/", json={"name": "红玫瑰"}, headers=headers
    )
    assert renamed.status_code == 200, renamed.text
    client.cookies.clear()
    [gift] = (await client.get("/api/gifts")).json()
    assert (gift["name"], gift["price"]) == ("红玫瑰", 100)


async def test_old_running_totals_are_forgotten_but_a_live_sessions_are_kept(
    client: httpx.AsyncClient, user_factory
) -> None:
    room = await tip_room(client, user_factory)
    fan = await user_factory("fan")
    await fund(fan, 1_000)
    assert (await send(client, fan, room.room_id, room.gift_id)).status_code == 201
    async with db.connection() as conn:
        await conn.execute("UPDATE gift_tip_totals SET updated_at = now() - interval '5 days'")
    assert await gifts_settlement.purge_old_totals() == 1  # the day's row; the session is live
    await client.post(f"/api/rooms/{room.room_id}/end", headers=room.host.headers)
    assert await gifts_settlement.purge_old_totals() == 1
    async with db.connection() as conn:
        assert await conn.fetchval("SELECT count(*) FROM gift_tip_totals") == 0
