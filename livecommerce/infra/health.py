"""Liveness and readiness: /healthz says the process answers, /readyz that its dependencies do."""

from __future__ import annotations

import time
from typing import Any

from litestar import Request, Response, get

from livecommerce.infra import db
from livecommerce.infra import redis as redis_infra


@get("/healthz", tags=["ops"], include_in_schema=True)
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


async def _check(name: str, probe: Any) -> tuple[str, dict[str, Any]]:
    started = time.perf_counter()
    try:
        await probe
    except Exception as exc:
        return name, {"ok": False, "error": f"{type(exc).__name__}: {exc}"[:300]}
    return name, {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 2)}


@get("/readyz", tags=["ops"])
async def readyz(request: Request[Any, Any, Any]) -> Response[dict[str, Any]]:
    """200 when PostgreSQL and Redis both answer; 503 with each check's detail otherwise."""
    checks = dict(
        [
            await _check("postgres", db.ping()),
            await _check("redis", redis_infra.ping(request.app.state.redis)),
        ]
    )
    ready = all(check["ok"] for check in checks.values())
    return Response(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status_code=200 if ready else 503,
    )
