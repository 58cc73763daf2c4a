"""The buyer's address book over real HTTP: add, read, change, make default, delete; phones
and blanks validated; someone else's entry does not exist; a book holds at most 20."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from livecommerce.domains.accounts.addresses import ADDRESS_BOOK_LIMIT
from tests.support import ADDRESS, add_address, problem_code


async def _book(client: httpx.AsyncClient, user) -> dict:
    response = await client.get("/api/me/addresses", headers=user.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_first_address_is_the_default_and_the_book_lists_the_default_first(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    assert await _book(client, buyer) == {"items": [], "limit": ADDRESS_BOOK_LIMIT}

    home = await add_address(client, buyer, isDefault=False)
    assert home["isDefault"] is True  # a book's first entry is its default whatever is asked
    assert {k: home[k] for k in ADDRESS} == ADDRESS
    office = await add_address(client, buyer, name="Han Meimei", detail="海岸城 2 楼")
    assert office["isDefault"] is False
    assert [a["id"] for a in (await _book(client, buyer))["items"]] == [home["id"], office["id"]]

    made = await client.post(f"/api/me/addresses/{office['id']}/default", headers=buyer.headers)
    assert made.status_code == 200 and made.json()["isDefault"] is True
    book = (await _book(client, buyer))["items"]
    assert [(a["id"], a["isDefault"]) for a in book] == [(office["id"], True), (home["id"], False)]


async def test_an_address_is_changed_field_by_field_and_the_default_only_moves(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    home = await add_address(client, buyer)
    other = await add_address(client, buyer, city="广州市", district="")

    changed = await client.patch(
        f"/api/me/addresses/{home['id']}",
        json={"phone": "+85291234567", "detail": "  科技园路 9 号  "},
        headers=buyer.headers,
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["phone"], body["detail"], body["name"]) == (
        "+85291234567",
        "科技园路 9 号",
        ADDRESS["name"],
    )
    assert body["updatedAt"] >= home["updatedAt"]

    unset = await client.patch(
        f"/api/me/addresses/{home['id']}", json={"isDefault": False}, headers=buyer.headers
    )
    assert (unset.status_code, problem_code(unset)) == (400, "validation_error")
    moved = await client.patch(
        f"/api/me/addresses/{other['id']}", json={"isDefault": True}, headers=buyer.headers
    )
    assert moved.json()["isDefault"] is True
    assert (await client.get(f"/api/me/addresses/{home['id']}", headers=buyer.headers)).json()[
        "isDefault"
    ] is False


async def test_deleting_the_default_makes_the_most_recently_changed_other_one_the_default(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    home = await add_address(client, buyer)
    older = await add_address(client, buyer, detail="旧地址")
    newer = await add_address(client, buyer, detail="新地址")
    deleted = await client.delete(f"/api/me/addresses/{home['id']}", headers=buyer.headers)
    assert deleted.status_code == 204
    book = (await _book(client, buyer))["items"]
    assert [(a["id"], a["isDefault"]) for a in book] == [(newer["id"], True), (older["id"], False)]
    gone = await client.get(f"/api/me/addresses/{home['id']}", headers=buyer.headers)
    assert (gone.status_code, problem_code(gone)) == (404, "not_found")
    for entry in (newer, older):
        assert (
            await client.delete(f"/api/me/addresses/{entry['id']}", headers=buyer.headers)
        ).status_code == 204
    assert (await _book(client, buyer))["items"] == []


@pytest.mark.parametrize(
    "field, value",
    [
        ("phone", "12345"),  # too short for any pattern
        ("phone", "12800138000"),  # no mainland mobile starts 12
        ("phone", "1380013800"),  # 10 digits
        ("phone", "138 0013 8000"),  # pages strip spaces; the API takes digits
        ("phone", "１３８００１３８０００"),  # fullwidth digits are not ASCII digits
        ("phone", "+0123456789"),  # E.164 has no leading 0
        ("name", ""),
        ("name", "   "),
        ("province", ""),
        ("city", "x" * 33),
        ("detail", "\t"),
        ("detail", "x" * 201),
        ("isDefault", "yes"),
    ],
)
async def test_an_invalid_field_is_a_400_naming_it_and_adds_nothing(
    client: httpx.AsyncClient, user_factory, field: str, value: object
) -> None:
    buyer = await user_factory("buyer")
    response = await client.post(
        "/api/me/addresses", json={**ADDRESS, field: value}, headers=buyer.headers
    )
    assert (response.status_code, problem_code(response)) == (400, "validation_error")
    assert field in response.text
    assert (await _book(client, buyer))["items"] == []


async def test_unknown_fields_and_missing_ones_are_refused(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    smuggled = await client.post(
        "/api/me/addresses", json={**ADDRESS, "userId": 1}, headers=buyer.headers
    )
    missing = await client.post(
        "/api/me/addresses", json={"name": "Li", "phone": "13800138000"}, headers=buyer.headers
    )
    assert [smuggled.status_code, missing.status_code] == [400, 400]


async def test_someone_elses_address_is_404_to_read_change_default_or_delete(
    client: httpx.AsyncClient, user_factory
) -> None:
    owner = await user_factory("owner")
    other = await user_factory("other")
    entry = await add_address(client, owner)
    path = f"/api/me/addresses/{entry['id']}"
    answers = [
        await client.get(path, headers=other.headers),
        await client.patch(path, json={"name": "Mallory"}, headers=other.headers),
        await client.post(f"{path}/default", headers=other.headers),
        await client.delete(path, headers=other.headers),
    ]
    assert [(a.status_code, problem_code(a)) for a in answers] == [(404, "not_found")] * 4
    assert (await client.get(path, headers=owner.headers)).json() == entry
    assert (await client.get("/api/me/addresses")).status_code == 401


async def test_a_book_holds_twenty_addresses_even_when_added_at_once(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    for i in range(ADDRESS_BOOK_LIMIT - 3):
        await add_address(client, buyer, detail=f"{i} 号")

    async def add(i: int) -> httpx.Response:
        return await client.post(
            "/api/me/addresses", json={**ADDRESS, "detail": f"racing {i}"}, headers=buyer.headers
        )

    answers = await asyncio.gather(*(add(i) for i in range(8)))
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 3 + [409] * 5
    refused = next(a for a in answers if a.status_code == 409)
    assert problem_code(refused) == "address_book_full" and refused.json()["limit"] == 20
    book = (await _book(client, buyer))["items"]
    assert len(book) == ADDRESS_BOOK_LIMIT
    assert sum(a["isDefault"] for a in book) == 1


async def test_concurrent_default_changes_leave_exactly_one_default(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    entries = [await add_address(client, buyer, detail=f"{i} 号") for i in range(6)]
    answers = await asyncio.gather(
        *(
            client.post(f"/api/me/addresses/{e['id']}/default", headers=buyer.headers)
            for e in entries
        )
    )
    assert {a.status_code for a in answers} == {200}
    assert sum(a["isDefault"] for a in (await _book(client, buyer))["items"]) == 1
