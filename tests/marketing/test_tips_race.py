"""500 tips at once from real HTTP clients: nobody passes a cap or spends what they don't have,
and the ledger adds up to the tips."""

from __future__ import annotations

from collections import Counter
from functools import partial

import httpx

from livecommerce.infra import db
from tests.marketing.gifts_support import escrow, revenue, send, tip_room
from tests.promotions.support import balance, fund_many, make_users, storm
from tests.support import go_live, ledger_state, problem_code

FANS = 50
TIPS_EACH = 10
PRICE = 100
SESSION_CAP = 600  # six roses a session
DAY_CAP = 800  # eight a day
POOR = 10  # the last fans can pay for three roses only
POOR_FUNDS = 350


def _outcome(response: httpx.Response) -> str:
    if response.status_code == 201:
        return "sent"
    assert response.status_code == 409, response.text
    return problem_code(response)


async def test_five_hundred_concurrent_tips_keep_every_cap_and_the_ledger(
    client: httpx.AsyncClient, user_factory, live
) -> None:
    room = await tip_room(
        client,
        user_factory,
        fee_bp=2500,
        maxPerTip=PRICE,
        maxPerSession=SESSION_CAP,
        maxPerDay=DAY_CAP,
    )
    fans = await make_users(live.app, "fan", FANS)
    rich, poor = fans[:-POOR], fans[-POOR:]
    await fund_many(rich, 10_000)
    await fund_many(poor, POOR_FUNDS)

    async def tip(fan, i: int, http: httpx.AsyncClient) -> tuple[int, str]:
        response = await send(http, fan, room.room_id, room.gift_id, key=f"{fan.id}-{i}")
        return fan.id, _outcome(response)

    calls = [partial(tip, fan, i) for i in range(TIPS_EACH) for fan in fans]
    assert len(calls) == 500
    outcomes = await storm(live.url, calls)
    sent = Counter(user for user, outcome in outcomes if outcome == "sent")
    assert {sent[f.id] for f in rich} == {SESSION_CAP // PRICE}
    assert {sent[f.id] for f in poor} == {POOR_FUNDS // PRICE}
    assert {o for _, o in outcomes} == {"sent", "tip_limit_reached", "insufficient_balance"}

    # A second session the same day, again all at once: the day's cap is what is left.
    await client.post(f"/api/rooms/{room.room_id}/end", headers=room.host.headers)
    await go_live(client, room.host, room.room_id)
    calls = [partial(tip, fan, TIPS_EACH + i) for i in range(4) for fan in fans]
    later = Counter(u for u, o in await storm(live.url, calls) if o == "sent")
    assert {later[f.id] for f in rich} == {(DAY_CAP - SESSION_CAP) // PRICE}
    assert sum(later[f.id] for f in poor) == 0

    tips = sum(sent.values()) + sum(later.values())
    async with db.connection() as conn:
        row = await conn.fetchrow(
            "SELECT count(*) AS n, sum(amount) AS amount, sum(fee) AS fee,"
            " sum(host_share) AS share FROM gift_tips"
        )
        over = await conn.fetchval(
            "SELECT count(*) FROM gift_tip_totals"
            " WHERE (scope LIKE 's:%' AND amount > $1) OR (scope LIKE 'd:%' AND amount > $2)",
            SESSION_CAP,
            DAY_CAP,
        )
        per_day = await conn.fetch(
            "SELECT t.user_id, t.amount, s.sent FROM gift_tip_totals t"
            " JOIN (SELECT sender_id, sum(amount) AS sent FROM gift_tips GROUP BY sender_id) s"
            " ON s.sender_id = t.user_id WHERE t.scope LIKE 'd:%'"
        )
    assert row["n"] == tips and row["amount"] == tips * PRICE
    assert over == 0
    assert all(r["amount"] == r["sent"] for r in per_day)  # the caps' totals are the tips'
    assert row["fee"] == tips * 25 and row["share"] == tips * 75
    assert await escrow(room.host) == row["share"]
    assert await revenue() == row["fee"]
    wallets = sum([await balance(f) for f in fans])
    assert wallets == len(rich) * 10_000 + len(poor) * POOR_FUNDS - row["amount"]
    assert (await ledger_state()).problems == []
