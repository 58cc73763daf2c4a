"""Problem details in plain words: the request's language (Accept-Language, zh first), the field
named as a person would, the stable `code` and the machine field name kept."""

from __future__ import annotations

import httpx

from livecommerce.infra.field_labels import label
from livecommerce.infra.plain_words import language
from tests.support import TestUser, create_room

ZH = {"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
EN = {"Accept-Language": "en-US,en;q=0.9"}


async def _red_packet(
    client: httpx.AsyncClient, host: TestUser, room_id: int, body: object, headers: dict
) -> httpx.Response:
    return await client.post(
        f"/api/rooms/{room_id}/red-packets", json=body, headers={**host.headers, **headers}
    )


async def test_bad_values_are_said_in_the_asked_language_with_the_code_and_field_kept(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    cases = [
        # (body, zh, en, field)
        (
            {"totalAmount": 5, "count": 10},
            "总金额须不少于份数",
            "Total amount must be at least the number of parts",
            "totalAmount",
        ),
        (
            {"totalAmount": 0, "count": 1},
            "总金额须不少于 1",
            "Total amount must be at least 1",
            "totalAmount",
        ),
        (
            {"totalAmount": "lots", "count": 1},
            "总金额须为整数",
            "Total amount must be a whole number",
            "totalAmount",
        ),
        ({"count": 1}, "请填写总金额", "Total amount is required", "totalAmount"),
        (
            {"totalAmount": 100, "count": 1, "greeting": "恭" * 61},
            "祝福语最多 60 个字",
            "Greeting must be at most 60 characters long",
            "greeting",
        ),
        (
            {"totalAmount": 100, "count": 1, "split": "random"},
            "分配方式不能是“random”",
            "Split can't be “random”",
            "split",
        ),
    ]
    for body, zh, en, field in cases:
        said_zh = await _red_packet(client, host, room["id"], body, ZH)
        said_en = await _red_packet(client, host, room["id"], body, EN)
        machine = await _red_packet(client, host, room["id"], body, {})
        for response in (said_zh, said_en, machine):
            assert response.status_code == 400, response.text
            assert response.json()["code"] == "validation_error"
            assert response.json()["field"] == field
        assert (said_zh.json()["detail"], said_en.json()["detail"]) == (zh, en)
        # a script that asks for no language keeps the technical detail
        assert machine.json()["detail"] not in (zh, en)
        assert field in machine.json()["detail"]


async def test_a_missing_field_is_named_in_errors_not_its_object(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    missing = await _red_packet(client, host, room["id"], {"count": 3}, EN)
    [error] = missing.json()["errors"]
    assert (error["field"], error["source"]) == ("totalAmount", "body")
    assert "`totalAmount`" in error["message"]  # msgspec's own words stay for machines


async def test_a_field_without_a_label_is_spelled_out_and_odd_headers_are_never_a_500(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    body = {"totalAmount": 100, "count": 1, "shinyNewThing": 1}
    zh = await _red_packet(client, host, room["id"], body, ZH)
    en = await _red_packet(client, host, room["id"], body, EN)
    assert (zh.json()["detail"], en.json()["detail"]) == (
        "不认识的字段：shiny new thing",
        "Unknown field: shiny new thing",
    )
    assert zh.json()["field"] == "shinyNewThing"
    for odd in ("*", "fr-FR", "zh;q=abc", "en;q=", ";;;,,,", "x" * 4000, "zh-Hant-TW;q=0.1"):
        response = await _red_packet(
            client, host, room["id"], {"totalAmount": 0, "count": 1}, {"Accept-Language": odd}
        )
        assert response.status_code == 400, (odd, response.text)
        assert response.json()["code"] == "validation_error"
    # query parameters too
    listed = await client.get(
        "/api/host/coupons", params={"limit": 0}, headers={**host.headers, **ZH}
    )
    assert (listed.status_code, listed.json()["detail"]) == (400, "条数须不少于 1")


async def test_a_domain_refusal_with_words_is_translated_and_one_without_is_unchanged(
    client: httpx.AsyncClient, user_factory
) -> None:
    host = await user_factory("host", ["host"])
    room = await create_room(client, host)
    url = f"/api/rooms/{room['id']}/moderation"
    slow = await client.post(url, json={"action": "slow_mode"}, headers={**host.headers, **ZH})
    assert (slow.status_code, slow.json()["code"], slow.json()["field"]) == (
        400,
        "validation_error",
        "seconds",
    )
    assert slow.json()["detail"] == "请填写间隔（秒）"
    # no words: the detail it always had, whatever the language
    odd = await client.post(
        url, json={"action": "mute", "userId": 999}, headers={**host.headers, **ZH}
    )
    assert (odd.status_code, odd.json()["detail"]) == (404, "user 999 not found")


def test_the_language_follows_the_header_with_chinese_first() -> None:
    assert language(None) is None and language("  ") is None
    assert language("zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert language("en-US,en;q=0.9") == "en"
    assert language("en;q=0.9, zh;q=0.8") == "en"
    assert language("en, zh") == "zh"  # equal preference: Chinese first
    assert language("fr-FR, de") == "zh"  # neither of ours: the product's first language
    assert language("zh;q=0, en") == "en"  # q=0 means "not this one"


def test_labels_name_list_items_and_spell_out_unknown_names() -> None:
    assert label("skus[0].price", "zh") == "规格（SKU）第 1 项的价格"
    assert label("skus[0].price", "en") == "price of item 1 of SKUs"
    assert label("expiresAtLocalTime", "zh") == "expires at local time"
    assert label("hls_url_2", "en") == "hls url 2"
