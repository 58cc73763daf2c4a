from __future__ import annotations

import re
from pathlib import Path

import httpx
import msgspec

from livecommerce.app import create_app
from livecommerce.infra.embedded import EmbeddedRedis
from livecommerce.settings import Settings
from tests.support import problem_code, serving


async def test_healthz_and_readyz_answer_200_when_everything_is_up(
    client: httpx.AsyncClient,
) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["postgres"]["ok"] and ready.json()["checks"]["redis"]["ok"]


async def test_readyz_is_503_while_redis_is_down_and_recovers_without_a_restart(
    migrated: Settings, tmp_path: Path
) -> None:
    redis = EmbeddedRedis(tmp_path / "redis", durable=False)
    url = redis.start()
    app = create_app(msgspec.structs.replace(migrated, redis_url=url))
    async with serving(app) as server, httpx.AsyncClient(base_url=server.url, timeout=20) as client:
        assert (await client.get("/readyz")).status_code == 200
        redis.stop()
        down = await client.get("/readyz")
        assert down.status_code == 503
        checks = down.json()["checks"]
        assert checks["postgres"]["ok"] is True
        assert checks["redis"]["ok"] is False and checks["redis"]["error"]
        assert (await client.get("/healthz")).status_code == 200  # alive, just not ready
        restarted = EmbeddedRedis(tmp_path / "redis", port=redis.port, durable=False)
        restarted.start()
        try:
            assert (await client.get("/readyz")).status_code == 200
        finally:
            restarted.stop()


async def test_metrics_are_prometheus_text(client: httpx.AsyncClient) -> None:
    await client.get("/healthz")
    metrics = await client.get("/metrics")
    assert metrics.status_code == 200
    assert "livecommerce_requests_total" in metrics.text


async def test_every_response_carries_a_request_id_and_echoes_the_callers(
    client: httpx.AsyncClient,
) -> None:
    assert re.fullmatch(r"[0-9a-f]{32}", (await client.get("/healthz")).headers["x-request-id"])
    assert (await client.get("/healthz", headers={"X-Request-ID": "abc-123"})).headers[
        "x-request-id"
    ] == "abc-123"


async def test_the_api_docs_load_nothing_from_the_internet(client: httpx.AsyncClient) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    assets = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", page.text)
    assert assets and all(url.startswith("/static/vendor/") for url in assets), assets
    for url in assets:
        assert (await client.get(url)).status_code == 200, url
    spec = (await client.get("/schema/openapi.json")).json()
    assert "/api/auth/login" in spec["paths"]


async def test_unknown_routes_and_methods_are_problem_details(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/nothing-here")
    wrong_method = await client.delete("/api/auth/login")
    assert (missing.status_code, problem_code(missing)) == (404, "not_found")
    assert (wrong_method.status_code, problem_code(wrong_method)) == (405, "method_not_allowed")


async def test_an_unexpected_error_is_500_internal_error_without_a_trace(
    migrated: Settings,
) -> None:
    from litestar import get

    @get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internals: password=hunter2")

    app = create_app(migrated)
    app.register(boom)
    async with serving(app) as server, httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/boom")
    assert response.status_code == 500 and problem_code(response) == "internal_error"
    assert "hunter2" not in response.text and "Traceback" not in response.text
