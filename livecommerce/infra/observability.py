"""Logs, request ids and metrics: structlog JSON lines carrying the request id, Prometheus at
/metrics."""

from __future__ import annotations

import logging
import uuid

import msgspec
import structlog
from litestar.logging.config import StructLoggingConfig
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.plugins.structlog import StructlogConfig, StructlogPlugin
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from livecommerce.settings import Settings

REQUEST_ID_HEADER = b"x-request-id"


def request_id_middleware(app: ASGIApp) -> ASGIApp:
    """Take the caller's X-Request-ID (or make one), bind it to every log line, echo it back."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER, b"")
        request_id = incoming.decode("latin-1")[:64] if incoming else uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (REQUEST_ID_HEADER, request_id.encode())]
            await send(message)

        await app(scope, receive, send_with_id)

    return middleware


def _json_renderer() -> structlog.processors.JSONRenderer:
    encoder = msgspec.json.Encoder(enc_hook=str)
    return structlog.processors.JSONRenderer(serializer=lambda event, **_: encoder.encode(event))


def structlog_plugin(settings: Settings) -> StructlogPlugin:
    level = getattr(logging, settings.log_level.upper())
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        _json_renderer() if settings.log_json else structlog.dev.ConsoleRenderer(),
    ]
    logging_config = StructLoggingConfig(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        log_exceptions="debug",
        logger_factory=structlog.BytesLoggerFactory()
        if settings.log_json
        else structlog.PrintLoggerFactory(),
    )
    return StructlogPlugin(
        config=StructlogConfig(
            structlog_logging_config=logging_config, enable_middleware_logging=False
        )
    )


def prometheus() -> tuple[PrometheusConfig, type[PrometheusController]]:
    config = PrometheusConfig(
        app_name="livecommerce", prefix="livecommerce", group_path=True, exclude=["/metrics"]
    )
    return config, PrometheusController
