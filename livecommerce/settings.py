"""Settings: one frozen Struct read from the environment (and an optional `.env`).

Every field is read from the upper-cased environment variable of the same name
(`PORT`, `DATABASE_URL`, ...). A wrong value stops start-up with a message that
names the variable, never with a traceback deep inside the app.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Literal

import msgspec

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEV_SECRET = "dev-secret-change-me-0123456789abcdef"
DEV_SANDBOX_SECRET = "sandbox-gateway-secret"

Positive = Annotated[int, msgspec.Meta(ge=1)]
BasisPoints = Annotated[int, msgspec.Meta(ge=0, le=10_000)]
Port = Annotated[int, msgspec.Meta(ge=0, le=65_535)]


class SettingsError(Exception):
    """A setting is missing or malformed; the message names the variable."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Literal["dev", "test", "prod"] = "dev"
    host: str = "127.0.0.1"
    port: Port = 8000
    # Unset: `livecommerce up` and the tests start embedded servers under VAR_DIR.
    database_url: str | None = None
    redis_url: str | None = None
    # A Redis Cluster at REDIS_URL (also said by a `redis+cluster://` URL): rooms shard by id.
    # arq cannot use a cluster, so the job queue then needs a plain Redis of its own.
    redis_cluster: bool = False
    # The job queue's Redis (arq); unset: REDIS_URL's, which must then be a single node.
    queue_redis_url: str | None = None
    var_dir: str = str(PROJECT_ROOT / "var")
    # Signs JWTs. The dev default is refused when ENV=prod.
    secret_key: Annotated[str, msgspec.Meta(min_length=32)] = DEV_SECRET
    token_ttl_minutes: Positive = 60 * 24 * 7
    cookie_secure: bool = False
    # Websocket handshakes must come from one of these origins (empty: same host only).
    allowed_origins: tuple[str, ...] = ()
    max_body_bytes: Positive = 1_048_576
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_json: bool = True
    db_pool_min: Positive = 2
    db_pool_max: Positive = 20
    # Roles: "open" grants at once, "approval" waits for an admin.
    host_signup: Literal["open", "approval"] = "open"
    distributor_signup: Literal["open", "approval"] = "open"
    # Commerce periods and fees.
    # Fractions are for tests that walk an order's whole life: ENV=test accepts any positive
    # value, elsewhere at least a minute to pay and a day for the others.
    payment_timeout_minutes: Annotated[float, msgspec.Meta(gt=0)] = 15
    auto_confirm_days: Annotated[float, msgspec.Meta(gt=0)] = 10
    after_sales_days: Annotated[float, msgspec.Meta(gt=0)] = 7
    platform_fee_bp: BasisPoints = 500
    # Host payouts (domains/payouts): the least a host may withdraw (fen, at most ¥1M) and the
    # fee taken from each withdrawal (basis points, platform revenue).
    host_payout_min: Annotated[int, msgspec.Meta(ge=1, le=100_000_000)] = 100
    host_payout_fee_bp: Annotated[int, msgspec.Meta(ge=0, lt=10_000)] = 0
    idempotency_ttl_hours: Annotated[int, msgspec.Meta(ge=24)] = 24
    # The sandbox payment gateway (its pay pages and the `sandbox` provider for new payments)
    # lets anyone who can reach it mint money: unset, it is on when ENV is dev or test only.
    sandbox_gateway: bool | None = None
    # Shared secret of the sandbox payment gateway (HMAC-SHA256 of callbacks). The default is
    # refused when ENV=prod and the sandbox is on.
    sandbox_gateway_secret: Annotated[str, msgspec.Meta(min_length=16)] = DEV_SANDBOX_SECRET
    public_url: str = ""
    # The zone whose calendar days per-day limits count in (coupons claimed per user per day).
    business_timezone: str = "Asia/Shanghai"
    # Uploaded images (livecommerce/infra/media.py): an obstore URL (`s3://bucket/prefix` with
    # the usual AWS_* variables, `gs://…`, `file:///…`); empty: a folder under VAR_DIR/media.
    media_store_url: str = ""
    # Set: GET /media/{key} redirects there (a public bucket or a CDN of ours); else we proxy.
    media_public_url: str = ""
    media_max_upload_bytes: Annotated[int, msgspec.Meta(ge=1024, le=64 * 1_048_576)] = 5_242_880
    # Width × height an upload may declare; larger is refused before it is decoded (bombs).
    media_max_pixels: Annotated[int, msgspec.Meta(ge=10_000, le=200_000_000)] = 50_000_000
    media_uploads_per_hour: Positive = 120  # per user, attempts included
    media_quota_bytes: Positive = 524_288_000  # stored per user (500 MiB)
    # Behaviour events (domains/analytics): daily partitions older than this are dropped.
    events_retention_days: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 400
    # Outreach results (domains/outreach/attribution.py): an order paid within this many days
    # after a message was delivered is credited to the latest such message.
    attribution_days: Annotated[int, msgspec.Meta(ge=1, le=90)] = 7
    # Outreach (domains/outreach): one message per user and channel per this many hours (0: no
    # cap), quiet hours in the user's zone ('HH:MM-HH:MM', '' none), messages per host per
    # business day (0: no cap), and the sandbox channel (unset: on in dev and test).
    outreach_cap_hours: Annotated[float, msgspec.Meta(ge=0, le=24 * 30)] = 16
    quiet_hours: Annotated[str, msgspec.Meta(pattern=r"^$|^\d\d:\d\d-\d\d:\d\d$")] = "21:00-09:00"
    outreach_host_daily_cap: Annotated[int, msgspec.Meta(ge=0)] = 10_000
    outreach_sandbox: bool | None = None
    # Repurchase journey (domains/outreach/journey_repurchase.py): remind this many days before a
    # product's cycle ends; learn a cycle once this many buyers bought the product twice.
    repurchase_lead_days: Annotated[int, msgspec.Meta(ge=0, le=60)] = 3
    repurchase_min_buyers: Annotated[int, msgspec.Meta(ge=1, le=10_000)] = 5
    # Outreach e-mail (domains/outreach/email_channel.py): unset SMTP_HOST, no e-mail channel.
    # SMTP_STARTTLS upgrades a plain connection (port 587); off only for a local relay.
    smtp_host: str = ""
    smtp_port: Port = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "LiveCommerce <noreply@localhost>"
    smtp_starttls: bool = True

    @property
    def payment_timeout(self) -> timedelta:
        return timedelta(minutes=self.payment_timeout_minutes)

    @property
    def auto_confirm_after(self) -> timedelta:
        """From shipping to receipt confirmed by itself."""
        return timedelta(days=self.auto_confirm_days)

    @property
    def after_sales_window(self) -> timedelta:
        """From receipt to completion, while the buyer may still ask for a refund."""
        return timedelta(days=self.after_sales_days)

    @property
    def uses_redis_cluster(self) -> bool:
        return self.redis_cluster or (self.redis_url or "").split("://")[0].endswith("+cluster")

    @property
    def queue_url(self) -> str:
        """Where arq's queue lives: QUEUE_REDIS_URL, else REDIS_URL."""
        return self.queue_redis_url or self.redis_url or ""

    @property
    def base_url(self) -> str:
        return self.public_url or f"http://{self.host}:{self.port}"

    @property
    def sandbox_enabled(self) -> bool:
        """SANDBOX_GATEWAY when set, else whether this is a dev or test environment."""
        if self.sandbox_gateway is None:
            return self.env in ("dev", "test")
        return self.sandbox_gateway


def _read_dotenv(path: Path) -> dict[str, str]:
    if not path.is_file():
        return {}
    from dotenv import dotenv_values

    return {k: v for k, v in dotenv_values(path).items() if v is not None}


def _parse(raw: str, field_type: msgspec.inspect.Type) -> object:
    """Environment strings -> the field's type; tuples are comma separated."""
    text = raw.strip()
    if isinstance(field_type, msgspec.inspect.VarTupleType | msgspec.inspect.ListType):
        return [part.strip() for part in text.split(",") if part.strip()]
    if (
        text == ""
        and isinstance(field_type, msgspec.inspect.UnionType)
        and field_type.includes_none
    ):
        return None
    return text


def load_settings(
    environ: Mapping[str, str] | None = None, *, dotenv: Path | None = None
) -> Settings:
    """Build Settings from `environ` (default os.environ) over `.env`; raise SettingsError naming
    the variable."""
    source: dict[str, str] = {}
    source.update(_read_dotenv(dotenv if dotenv is not None else Path.cwd() / ".env"))
    source.update(os.environ if environ is None else environ)
    info = msgspec.inspect.type_info(Settings)
    if not isinstance(info, msgspec.inspect.StructType):
        raise TypeError(f"Settings must be a msgspec Struct, not {info!r}")
    values: dict[str, object] = {}
    for field in info.fields:
        env_name = field.name.upper()
        if env_name in source:
            values[field.name] = _parse(source[env_name], field.type)
    if values.get("env") == "prod":
        # In production a new host or distributor waits for an operator unless the operator
        # says otherwise (`make up`'s demo keeps the open default).
        values.setdefault("host_signup", "approval")
        values.setdefault("distributor_signup", "approval")
    try:
        settings = msgspec.convert(values, Settings, strict=False)
    except msgspec.ValidationError as exc:
        message = str(exc)
        # msgspec says "... - at `$.port`": name the environment variable instead.
        if "at `$." in message:
            field_name = message.rsplit("at `$.", 1)[1].rstrip("`").split("[")[0]
            reason = message.split(" - at ")[0]
            raise SettingsError(
                f"{field_name.upper()}: {reason} (got {values.get(field_name)!r})"
            ) from None
        raise SettingsError(message) from None
    if settings.uses_redis_cluster and settings.redis_url and not settings.queue_redis_url:
        raise SettingsError(
            "QUEUE_REDIS_URL: must name a plain Redis for the job queue when REDIS_URL is a"
            " cluster (arq cannot use one)"
        )
    if settings.env == "prod":
        _refuse_default_secrets(settings)
    if settings.env != "test":
        _refuse_test_windows(settings)
    return settings


def _refuse_test_windows(settings: Settings) -> None:
    for name in ("payment_timeout_minutes", "auto_confirm_days", "after_sales_days"):
        if getattr(settings, name) < 1:
            raise SettingsError(
                f"{name.upper()}: at least 1 outside ENV=test (got {getattr(settings, name)})"
            )


def _refuse_default_secrets(settings: Settings) -> None:
    """In production no secret in use may be one printed in this file: whoever reads the source
    could sign tokens or payment callbacks with it."""
    if settings.secret_key == DEV_SECRET:
        raise SettingsError(
            "SECRET_KEY: must be set to a private value of 32+ characters when ENV=prod"
        )
    # Switched off, the sandbox verifies nothing (its provider takes no callbacks and gets a
    # random key), so only an enabled one needs a secret of its own.
    if settings.sandbox_enabled and settings.sandbox_gateway_secret == DEV_SANDBOX_SECRET:
        raise SettingsError(
            "SANDBOX_GATEWAY_SECRET: must be set to a private value of 16+ characters when"
            " ENV=prod and SANDBOX_GATEWAY is on"
        )
