"""The points API: the host's rules validated (400 on bad input, never 5xx), only for hosts; a
buyer's own points, offer and history, nobody else's; points are not money in the reports."""

from __future__ import annotations

import httpx

from livecommerce.domains import ledger
from livecommerce.domains.ledger import Kind
from livecommerce.infra import db
from tests.members.points_support import earn_available, paid, set_rules, sku_of
from tests.support import problem_code


async def test_the_host_sets_its_rules_validated_and_merged(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    got = await client.get("/api/host/points-settings", headers=host.headers)
    assert got.status_code == 200
    assert got.json() == {"earnBp": 100, "frozenDays": 7, "pointsPerYuan": 100, "capBp": 2_000}
    changed = await set_rules(client, host, frozenDays=14, capBp=5_000)
    assert changed == {"earnBp": 100, "frozenDays": 14, "pointsPerYuan": 100, "capBp": 5_000}
    for bad in (
        {"earnBp": -1},
        {"earnBp": 10_001},
        {"frozenDays": 366},
        {"pointsPerYuan": 0},
        {"capBp": 10_001},
        {"capBp": "half"},
        {"capBp": 10**30},
        {"balance": 1},
    ):
        refused = await client.put("/api/host/points-settings", json=bad, headers=host.headers)
        assert refused.status_code == 400, (bad, refused.text)
        assert problem_code(refused) == "validation_error"
    assert (await client.get("/api/host/points-settings", headers=host.headers)).json() == changed
    # Only hosts have rules.
    assert (await client.get("/api/host/points-settings", headers=buyer.headers)).status_code == 403
    nobody = await client.put("/api/host/points-settings", json={"capBp": 1})
    assert nobody.status_code == 401


async def test_a_buyer_sees_their_own_points_offer_and_history(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    other = await user_factory("other")
    admin = await user_factory("admin", ["admin"])
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    first = await earn_available(client, admin, host, buyer, await sku_of(client, host, 700))
    spent = await paid(client, buyer, await sku_of(client, host, 1_000), points=300)

    mine = await client.get("/api/me/points", params={"hostId": host.id}, headers=buyer.headers)
    assert mine.status_code == 200, mine.text
    body = mine.json()
    assert (body["available"], body["frozen"], body["offer"]) == (400, 0, None)
    assert body["settings"]["capBp"] == 5_000
    # The offer on 1 000 fen due: the cap (500) is more than the 400 points buy.
    offer = await client.get(
        "/api/me/points", params={"hostId": host.id, "amount": 1_000}, headers=buyer.headers
    )
    assert offer.json()["offer"] == {"amount": 1_000, "points": 400, "discount": 400}

    history = await client.get(
        "/api/me/points/entries", params={"hostId": host.id}, headers=buyer.headers
    )
    items = history.json()["items"]
    moves = [(e["reason"], e["account"], e["amount"], e["orderId"]) for e in items]
    assert moves == [
        ("spend", "available", -300, spent["id"]),
        ("thaw", "frozen", -700, first),
        ("thaw", "available", 700, first),
        ("earn", "frozen", 700, first),
    ]
    hosts = await client.get("/api/me/points/hosts", headers=buyer.headers)
    assert hosts.json() == [{"hostId": host.id, "hostName": "Host", "available": 400, "frozen": 0}]
    # Someone else sees only their own (none), and points are not in the wallet statement.
    theirs = await client.get("/api/me/points", params={"hostId": host.id}, headers=other.headers)
    assert (theirs.json()["available"], theirs.json()["frozen"]) == (0, 0)
    assert (
        await client.get(
            "/api/me/points/entries", params={"hostId": host.id}, headers=other.headers
        )
    ).json()["items"] == []
    wallet = await client.get("/api/me/wallet/entries", headers=buyer.headers)
    assert all(not e["accountKind"].startswith(("pts", "ptf")) for e in wallet.json()["items"])
    host_wallet = await client.get("/api/me/wallet/entries", headers=host.headers)
    assert all(e["accountKind"] != "points_issuer" for e in host_wallet.json()["items"])


async def test_a_host_id_that_is_not_a_host_is_404_and_bad_input_is_400(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    other = await user_factory("other")
    for params in ({"hostId": other.id}, {"hostId": 999_999}):
        for path in ("/api/me/points", "/api/me/points/entries"):
            missing = await client.get(path, params=params, headers=buyer.headers)
            assert missing.status_code == 404 and problem_code(missing) == "not_found"
    bad_params: list[dict[str, str | int]] = [
        {},
        {"hostId": "x"},
        {"hostId": 0},
        {"hostId": 10**20},
        {"hostId": 1, "amount": -1},
    ]
    for params in bad_params:
        bad = await client.get("/api/me/points", params=params, headers=buyer.headers)
        assert bad.status_code == 400, (params, bad.text)
    assert (await client.get("/api/me/points", params={"hostId": 1})).status_code == 401


async def test_points_are_not_money_in_the_ledger_totals(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    admin = await user_factory("admin", ["admin"])
    await set_rules(client, host, earnBp=10_000, frozenDays=0, pointsPerYuan=100, capBp=5_000)
    await earn_available(client, admin, host, buyer, await sku_of(client, host, 900))
    async with db.connection() as conn:
        totals = await ledger.totals_by_kind(conn)
        held = await ledger.balances_of(conn, buyer.id)
        issued = await ledger.balances_of(conn, host.id)
    assert set(totals) <= set(Kind)  # no points kind among the money totals
    assert set(held) <= set(Kind) and set(issued) <= set(Kind)
    # The operator's pending-money report reads the totals: it still answers, points left out.
    pending = await client.get("/api/admin/reports/pending", headers=admin.headers)
    assert pending.status_code == 200, pending.text
    assert pending.json()["wallets"] == totals.get(Kind.WALLET, 0)
