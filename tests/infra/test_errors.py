"""Input the database can't hold is the client's mistake: a 400 problem, never a 500."""

from __future__ import annotations

import httpx

from tests.support import problem_code


async def test_ids_and_cursors_past_the_column_range_are_a_400_not_a_500(
    client: httpx.AsyncClient, user_factory
) -> None:
    buyer = await user_factory("buyer")
    responses = [
        await client.get("/api/products/2213530464"),
        await client.get("/api/products/-11850823739"),
        await client.get("/api/products", params={"cursor": "-2820766514942184367972465770496"}),
        await client.get("/api/orders/53951926351789373023284363264", headers=buyer.headers),
        await client.get("/sandbox/pay/4652307149", headers=buyer.headers),
    ]
    assert [(r.status_code, problem_code(r)) for r in responses] == [
        (400, "validation_error")
    ] * len(responses)
    # in range but absent is still a plain 404
    assert (await client.get("/api/products/2147483647")).status_code == 404


async def test_text_with_a_nul_character_is_a_400_and_writes_nothing(
    client: httpx.AsyncClient, user_factory
) -> None:
    from tests.support import create_product, place_order

    host = await user_factory("host", ["host"])
    buyer = await user_factory("buyer")
    sku_id = (await create_product(client, host, stock=3))["skus"][0]["id"]
    responses = [
        await client.post(
            "/api/auth/login", json={"username": "a\u0000b", "password": "whatever1"}
        ),
        await client.post(
            "/api/products",
            json={"title": "Tea\u0000", "skus": [{"name": "d", "price": 1, "stock": 1}]},
            headers=host.headers,
        ),
        await place_order(client, buyer, sku_id, note="hi\u0000"),
        await place_order(
            client, buyer, sku_id, address={"name": "A\u0000", "phone": "123", "line": "x"}
        ),
    ]
    assert [(r.status_code, problem_code(r)) for r in responses] == [
        (400, "validation_error")
    ] * len(responses)
    product = (await client.get(f"/api/products/{responses[1].json().get('id', 0)}")).status_code
    stock = (await client.get("/api/products", params={"hostId": host.id})).json()["items"][0][
        "skus"
    ][0]["stock"]
    assert (product, stock) == (404, 3)  # nothing half-written: no product, no stock taken


def test_a_lost_database_connection_is_a_503_to_retry_not_a_500() -> None:
    from asyncpg.exceptions import (
        AdminShutdownError,
        CannotConnectNowError,
        ConnectionDoesNotExistError,
        InterfaceError,
        InternalClientError,
    )
    from litestar import Litestar, get
    from litestar.testing import TestClient

    from livecommerce.infra.errors import EXCEPTION_HANDLERS

    raised = {
        "starting": CannotConnectNowError("the database system is starting up"),
        "terminated": AdminShutdownError("terminating connection due to administrator command"),
        "closed": ConnectionDoesNotExistError("connection was closed in the middle of operation"),
        "refused": ConnectionRefusedError(111, "Connection refused"),
        "rollback": InterfaceError(
            "cannot call Transaction.rollback(): the underlying connection is closed"
        ),
        "commit": InternalClientError(
            "cannot switch to state 15; another operation (2) is in progress"
        ),
        "misuse": InterfaceError("cannot perform operation: another operation is in progress"),
    }

    @get("/{name:str}")
    async def fail(name: str) -> None:
        raise raised[name]

    with TestClient(Litestar([fail], exception_handlers=EXCEPTION_HANDLERS)) as http:  # type: ignore[arg-type]
        answers = {name: http.get(f"/{name}") for name in raised}
    assert {name: (r.status_code, r.json()["code"]) for name, r in answers.items()} == {
        **dict.fromkeys(raised, (503, "service_unavailable")),
        "misuse": (500, "internal_error"),
    }
    assert answers["starting"].headers["retry-after"] == "1"


def test_every_error_code_answers_with_exactly_one_status() -> None:
    from livecommerce.infra.errors import STATUS, DomainError, ErrorCode

    assert set(STATUS) == set(ErrorCode)
    assert all(400 <= status <= 599 for status in STATUS.values())
    assert DomainError(ErrorCode.NOT_A_DISTRIBUTOR).status == STATUS[ErrorCode.NOT_A_DISTRIBUTOR]


def test_a_transaction_postgresql_rolled_back_is_busy_to_retry_and_a_500_hides_its_detail() -> None:
    from asyncpg.exceptions import DeadlockDetectedError, SerializationError
    from litestar import Litestar, get
    from litestar.testing import TestClient

    from livecommerce.infra.errors import EXCEPTION_HANDLERS

    raised = {
        "deadlock": DeadlockDetectedError("deadlock detected"),
        "serialization": SerializationError("could not serialize access"),
        "bug": KeyError("secret_column"),
    }

    @get("/{name:str}")
    async def fail(name: str) -> None:
        raise raised[name]

    with TestClient(Litestar([fail], exception_handlers=EXCEPTION_HANDLERS)) as http:  # type: ignore[arg-type]
        answers = {name: http.get(f"/{name}") for name in raised}
    assert {name: (r.status_code, r.json()["code"]) for name, r in answers.items()} == {
        "deadlock": (503, "busy"),
        "serialization": (503, "busy"),
        "bug": (500, "internal_error"),
    }
    assert answers["deadlock"].headers["retry-after"] == "1"
    assert "secret_column" not in answers["bug"].text
    assert "requestId" in answers["bug"].json()
