"""Errors are values with stable codes, turned into RFC 9457 problem details at the edge.

A client never sees a stack trace: anything unexpected is logged with the
request id and answered as `internal_error`.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import structlog
from asyncpg.exceptions import (
    AdminShutdownError,
    CannotConnectNowError,
    CharacterNotInRepertoireError,
    CrashShutdownError,
    DataError,
    InterfaceError,
    InternalClientError,
    PostgresConnectionError,
    TransactionRollbackError,
    UntranslatableCharacterError,
)
from litestar import MediaType, Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR
from redis.exceptions import ClusterDownError, RedisClusterException, TryAgainError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from livecommerce.infra import plain_words

log = structlog.get_logger("errors")

PROBLEM_JSON = "application/problem+json"


class ErrorCode(StrEnum):
    VALIDATION_ERROR = "validation_error"
    NOT_AUTHENTICATED = "not_authenticated"
    INVALID_CREDENTIALS = "invalid_credentials"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    METHOD_NOT_ALLOWED = "method_not_allowed"
    BODY_TOO_LARGE = "body_too_large"
    RATE_LIMITED = "rate_limited"
    CONFLICT = "conflict"
    USERNAME_TAKEN = "username_taken"
    ALREADY_HAS_ROLE = "already_has_role"
    APPLICATION_PENDING = "application_pending"
    INTERNAL_ERROR = "internal_error"
    ORIGIN_NOT_ALLOWED = "origin_not_allowed"
    UNSUPPORTED_MEDIA_TYPE = "unsupported_media_type"
    LOGIN_THROTTLED = "login_throttled"
    # commerce
    OUT_OF_STOCK = "out_of_stock"
    PRODUCT_UNAVAILABLE = "product_unavailable"
    MIXED_HOSTS = "mixed_hosts"
    ILLEGAL_TRANSITION = "illegal_transition"
    IDEMPOTENCY_KEY_REUSED = "idempotency_key_reused"
    IDEMPOTENCY_KEY_REQUIRED = "idempotency_key_required"
    IDEMPOTENCY_IN_PROGRESS = "idempotency_in_progress"
    INSUFFICIENT_BALANCE = "insufficient_balance"
    BAD_SIGNATURE = "bad_signature"
    AMOUNT_MISMATCH = "amount_mismatch"
    PAYMENT_NOT_FOUND = "payment_not_found"
    REFUND_TOO_LARGE = "refund_too_large"
    PROVIDER_UNAVAILABLE = "provider_unavailable"
    PROVIDER_REF_REUSED = "provider_ref_reused"
    # live rooms
    SESSION_ALREADY_LIVE = "session_already_live"
    ROOM_NOT_LIVE = "room_not_live"
    PRODUCT_NOT_YOURS = "product_not_yours"
    PRODUCT_NOT_IN_SHOWCASE = "product_not_in_showcase"
    CANNOT_MODERATE = "cannot_moderate"
    ROOM_MISMATCH = "room_mismatch"
    SESSION_NOT_SCHEDULED = "session_not_scheduled"  # only a scheduled session can change
    # distribution
    INVALID_SETTINGS = "invalid_settings"
    COMMISSION_RATES_TOO_HIGH = "commission_rates_too_high"
    ALREADY_DISTRIBUTOR = "already_distributor"
    NOT_A_DISTRIBUTOR = "not_a_distributor"
    UNKNOWN_REFERRAL_CODE = "unknown_referral_code"
    DISTRIBUTOR_LOOP = "distributor_loop"
    WITHDRAWAL_TOO_SMALL = "withdrawal_too_small"
    SERVICE_UNAVAILABLE = "service_unavailable"
    # promotions
    COUPON_SOLD_OUT = "coupon_sold_out"
    COUPON_LIMIT_REACHED = "coupon_limit_reached"
    COUPON_DAILY_LIMIT_REACHED = "coupon_daily_limit_reached"
    COUPON_EXPIRED = "coupon_expired"
    COUPON_NOT_YET_VALID = "coupon_not_yet_valid"
    COUPON_UNAVAILABLE = "coupon_unavailable"
    COUPON_NOT_APPLICABLE = "coupon_not_applicable"
    COUPON_THRESHOLD_NOT_MET = "coupon_threshold_not_met"
    RED_PACKET_EXPIRED = "red_packet_expired"
    RED_PACKET_NOT_ELIGIBLE = "red_packet_not_eligible"
    BUSY = "busy"
    # banned from the room whose coupon or red packet it is; at login, from the platform
    BANNED = "banned"
    # catalog: products, SKUs and uploaded images
    SKU_HAS_ORDERS = "sku_has_orders"
    IMAGE_TOO_LARGE = "image_too_large"
    IMAGE_TOO_MANY_PIXELS = "image_too_many_pixels"
    NOT_AN_IMAGE = "not_an_image"
    UPLOAD_QUOTA_EXCEEDED = "upload_quota_exceeded"
    # the buyer: address book, the order's address
    ADDRESS_REQUIRED = "address_required"
    ADDRESS_BOOK_FULL = "address_book_full"
    # a name to show in chat: blank, too long, control characters, someone else's
    INVALID_DISPLAY_NAME = "invalid_display_name"
    # the operator console's people: platform bans, partner suspensions
    SUSPENDED = "suspended"  # a suspended host or distributor tried what the suspension stops
    CANNOT_BAN_SELF = "cannot_ban_self"
    CANNOT_BAN_ADMIN = "cannot_ban_admin"
    ALREADY_BANNED = "already_banned"
    NOT_BANNED = "not_banned"
    ALREADY_SUSPENDED = "already_suspended"
    NOT_SUSPENDED = "not_suspended"
    # members: points at checkout (more than available, more than the host's cap allows)
    POINTS_INSUFFICIENT = "points_insufficient"
    POINTS_OVER_CAP = "points_over_cap"
    # members' CRM (domains/members): staff, tags, segments
    ALREADY_STAFF = "already_staff"  # works for a host already (this one or another)
    CANNOT_BE_STAFF = "cannot_be_staff"  # a host or an admin is never someone's staff
    TAG_NAME_TAKEN = "tag_name_taken"
    SEGMENT_NAME_TAKEN = "segment_name_taken"
    # members: tiers and benefits (a ladder or benefit a host can't save)
    TIER_LADDER_INVALID = "tier_ladder_invalid"
    TIER_HAS_BENEFITS = "tier_has_benefits"  # a tier removed from the ladder still has benefits
    BENEFIT_INVALID = "benefit_invalid"
    # analytics: a beacon event whose room and product belong to different hosts
    EVENT_TARGET_MISMATCH = "event_target_mismatch"
    # outreach channels: a push subscription or a host's bot / SMS gateway URL we can't use
    PUSH_SUBSCRIPTION_INVALID = "push_subscription_invalid"
    CHANNEL_URL_INVALID = "channel_url_invalid"
    # outreach journeys: a switch or coupon a host can't save
    JOURNEY_INVALID = "journey_invalid"
    # outreach consent: a zone, quiet hours or e-mail we can't use; a link whose signature is wrong;
    # more one-time consents held than a channel keeps
    NOTIFICATION_SETTINGS_INVALID = "notification_settings_invalid"
    OUTREACH_LINK_INVALID = "outreach_link_invalid"
    CONSENT_LIMIT_REACHED = "consent_limit_reached"
    # giveaways (marketing): one running per room; the operator's prize value cap; claims
    GIVEAWAY_RUNNING = "giveaway_running"
    PRIZE_OVER_CAP = "prize_over_cap"
    PRIZE_ALREADY_CLAIMED = "prize_already_claimed"
    CLAIM_EXPIRED = "claim_expired"
    # a giveaway's product prize ships as a zero-price order: nothing was paid, nothing refunds
    PRIZE_ORDER_NOT_REFUNDABLE = "prize_order_not_refundable"
    # tips (打赏): a gift the catalogue no longer offers; a cap (per tip, session, day) a tip would
    # pass; a host tipping its own room
    GIFT_UNAVAILABLE = "gift_unavailable"
    TIP_LIMIT_REACHED = "tip_limit_reached"
    CANNOT_TIP_SELF = "cannot_tip_self"
    # group buys (拼团): terms a host can't save; a group one can't join (no offer, one's own,
    # already in an open group of the product, full, over); an order a forming group holds
    GROUP_BUY_INVALID = "group_buy_invalid"
    GROUP_BUY_UNAVAILABLE = "group_buy_unavailable"
    GROUP_BUY_OWN = "group_buy_own"
    GROUP_BUY_ALREADY_IN = "group_buy_already_in"
    GROUP_BUY_FULL = "group_buy_full"
    GROUP_BUY_EXPIRED = "group_buy_expired"
    ORDER_HELD_BY_GROUP = "order_held_by_group"
    # flash sales (秒杀): a second sale of a SKU while one is on, a price no lower than the
    # SKU's 30-day low (unless the host acknowledges it); a buy before it opens, after it
    # closes, past the buyer's limit, or when nothing (or not enough) is left
    FLASH_SALE_EXISTS = "flash_sale_exists"
    FLASH_PRICE_NOT_LOWEST = "flash_price_not_lowest"
    FLASH_NOT_STARTED = "flash_not_started"
    FLASH_ENDED = "flash_ended"
    FLASH_LIMIT_REACHED = "flash_limit_reached"
    FLASH_SOLD_OUT = "flash_sold_out"


# Each code answers with one HTTP status, wherever it is raised: a client reads the code, and
# the status never contradicts it. A code missing here fails tests/infra/test_errors.py.
E = ErrorCode
STATUS: dict[ErrorCode, int] = {
    **dict.fromkeys(
        [E.VALIDATION_ERROR, E.MIXED_HOSTS, E.IDEMPOTENCY_KEY_REQUIRED, E.BAD_SIGNATURE],
        400,
    ),
    **dict.fromkeys([E.AMOUNT_MISMATCH, E.PRODUCT_NOT_YOURS, E.ROOM_MISMATCH], 400),
    E.PROVIDER_UNAVAILABLE: 400,
    E.PROVIDER_REF_REUSED: 409,
    E.NOT_AUTHENTICATED: 401,
    E.INVALID_CREDENTIALS: 401,
    E.FORBIDDEN: 403,
    E.ORIGIN_NOT_ALLOWED: 403,
    E.RED_PACKET_NOT_ELIGIBLE: 403,
    E.BANNED: 403,
    E.NOT_FOUND: 404,
    E.PAYMENT_NOT_FOUND: 404,
    E.METHOD_NOT_ALLOWED: 405,
    **dict.fromkeys(
        [
            E.CONFLICT,
            E.USERNAME_TAKEN,
            E.ALREADY_HAS_ROLE,
            E.APPLICATION_PENDING,
            E.OUT_OF_STOCK,
            E.PRODUCT_UNAVAILABLE,
            E.ILLEGAL_TRANSITION,
            E.IDEMPOTENCY_IN_PROGRESS,
            E.INSUFFICIENT_BALANCE,
            E.REFUND_TOO_LARGE,
            E.SESSION_ALREADY_LIVE,
            E.ROOM_NOT_LIVE,
            E.SESSION_NOT_SCHEDULED,
            E.PRODUCT_NOT_IN_SHOWCASE,
            E.CANNOT_MODERATE,
            E.ALREADY_DISTRIBUTOR,
            E.NOT_A_DISTRIBUTOR,
            E.DISTRIBUTOR_LOOP,
            E.COUPON_SOLD_OUT,
            E.COUPON_LIMIT_REACHED,
            E.COUPON_DAILY_LIMIT_REACHED,
            E.COUPON_EXPIRED,
            E.COUPON_NOT_YET_VALID,
            E.COUPON_UNAVAILABLE,
            E.COUPON_NOT_APPLICABLE,
            E.COUPON_THRESHOLD_NOT_MET,
            E.RED_PACKET_EXPIRED,
        ],
        409,
    ),
    E.BODY_TOO_LARGE: 413,
    E.IMAGE_TOO_LARGE: 413,
    E.IMAGE_TOO_MANY_PIXELS: 422,
    E.NOT_AN_IMAGE: 422,
    E.UPLOAD_QUOTA_EXCEEDED: 403,
    E.SKU_HAS_ORDERS: 409,
    E.ADDRESS_REQUIRED: 422,
    E.ADDRESS_BOOK_FULL: 409,
    E.INVALID_DISPLAY_NAME: 422,
    **dict.fromkeys(
        [
            E.SUSPENDED,
            E.CANNOT_BAN_SELF,
            E.ALREADY_BANNED,
            E.NOT_BANNED,
            E.ALREADY_SUSPENDED,
            E.NOT_SUSPENDED,
        ],
        409,
    ),
    E.CANNOT_BAN_ADMIN: 403,
    E.POINTS_INSUFFICIENT: 409,
    E.POINTS_OVER_CAP: 409,
    **dict.fromkeys(
        [E.ALREADY_STAFF, E.CANNOT_BE_STAFF, E.TAG_NAME_TAKEN, E.SEGMENT_NAME_TAKEN], 409
    ),
    **dict.fromkeys([E.TIER_LADDER_INVALID, E.BENEFIT_INVALID], 422),
    E.TIER_HAS_BENEFITS: 409,
    E.EVENT_TARGET_MISMATCH: 422,
    **dict.fromkeys([E.PUSH_SUBSCRIPTION_INVALID, E.CHANNEL_URL_INVALID], 422),
    E.JOURNEY_INVALID: 422,
    E.NOTIFICATION_SETTINGS_INVALID: 422,
    E.OUTREACH_LINK_INVALID: 404,
    E.CONSENT_LIMIT_REACHED: 409,
    **dict.fromkeys([E.GIVEAWAY_RUNNING, E.PRIZE_ALREADY_CLAIMED, E.CLAIM_EXPIRED], 409),
    E.PRIZE_OVER_CAP: 422,
    E.PRIZE_ORDER_NOT_REFUNDABLE: 409,
    **dict.fromkeys([E.GIFT_UNAVAILABLE, E.TIP_LIMIT_REACHED, E.CANNOT_TIP_SELF], 409),
    E.GROUP_BUY_INVALID: 422,
    **dict.fromkeys(
        [
            E.GROUP_BUY_UNAVAILABLE,
            E.GROUP_BUY_OWN,
            E.GROUP_BUY_ALREADY_IN,
            E.GROUP_BUY_FULL,
            E.GROUP_BUY_EXPIRED,
            E.ORDER_HELD_BY_GROUP,
        ],
        409,
    ),
    **dict.fromkeys(
        [
            E.FLASH_SALE_EXISTS,
            E.FLASH_PRICE_NOT_LOWEST,
            E.FLASH_NOT_STARTED,
            E.FLASH_ENDED,
            E.FLASH_LIMIT_REACHED,
            E.FLASH_SOLD_OUT,
        ],
        409,
    ),
    E.UNSUPPORTED_MEDIA_TYPE: 415,
    **dict.fromkeys(
        [
            E.IDEMPOTENCY_KEY_REUSED,
            E.INVALID_SETTINGS,
            E.COMMISSION_RATES_TOO_HIGH,
            E.UNKNOWN_REFERRAL_CODE,
            E.WITHDRAWAL_TOO_SMALL,
        ],
        422,
    ),
    E.RATE_LIMITED: 429,
    E.LOGIN_THROTTLED: 429,
    E.INTERNAL_ERROR: 500,
    E.SERVICE_UNAVAILABLE: 503,
    E.BUSY: 503,
}
del E


_TITLES = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    422: "Unprocessable Content",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class DomainError(Exception):
    """A failure the client can act on: a stable `code` (its HTTP status comes from `STATUS`)
    and a human detail; `extra` fields go into the problem details as they are. `words` says the
    detail in plain words for a request that asks for a language (infra/plain_words.py)."""

    def __init__(
        self,
        code: ErrorCode,
        *,
        detail: str = "",
        words: plain_words.Words | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail or code.value)
        self.code = code
        self.status = STATUS[code]
        self.detail = detail or code.value.replace("_", " ")
        self.words = words
        self.extra = extra


def problem_body(status: int, code: str, detail: str, **extra: Any) -> dict[str, Any]:
    """RFC 9457 problem details; `code` is the stable part a client reads."""
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": _TITLES.get(status, "Error"),
        "status": status,
        "code": code,
        "detail": detail,
    }
    body.update(extra)
    return body


def problem(status: int, code: str, detail: str, **extra: Any) -> Response[dict[str, Any]]:
    return Response(
        problem_body(status, code, detail, **extra), status_code=status, media_type=PROBLEM_JSON
    )


def _validation_errors(exc: ValidationException) -> list[dict[str, str]]:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            key = item.get("key") or ""
            message = str(item.get("message", ""))
            errors.append(
                {
                    # a missing field is reported on its object (`data`): name the field itself
                    "field": plain_words.from_message(str(key), message).field or str(key),
                    "source": str(item.get("source", "body")),
                    "message": message,
                }
            )
    return errors


def _detail_of(exc: ValidationException) -> str:
    text = str(exc.detail or "")
    # Litestar prefixes "Validation failed for POST /path"; keep the msgspec reason if any.
    return text or "the request is not valid"


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    lang = plain_words.language(request.headers.get("accept-language")) if exc.words else None
    detail = plain_words.say(exc.words, lang) if exc.words and lang else exc.detail
    response = problem(exc.status, exc.code.value, detail, **exc.extra)
    if "retryAfter" in exc.extra:
        response.headers["Retry-After"] = str(exc.extra["retryAfter"])
    return response


def validation_error_handler(request: Request, exc: ValidationException) -> Response:
    errors = _validation_errors(exc)
    lang = plain_words.language(request.headers.get("accept-language"))
    detail = (plain_words.validation_detail(errors, lang) if errors and lang else "") or (
        "; ".join(f"{e['field'] or e['source']}: {e['message']}" for e in errors) or _detail_of(exc)
    )
    extra: dict[str, Any] = {"errors": errors}
    if len(errors) == 1 and errors[0]["field"]:
        extra["field"] = errors[0]["field"]
    return problem(400, ErrorCode.VALIDATION_ERROR.value, detail, **extra)


_HTTP_CODES = {
    401: ErrorCode.NOT_AUTHENTICATED,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.BODY_TOO_LARGE,
    429: ErrorCode.RATE_LIMITED,
}


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    code = _HTTP_CODES.get(
        status, ErrorCode.VALIDATION_ERROR if status == 400 else ErrorCode.CONFLICT
    )
    detail = (
        exc.detail if isinstance(exc.detail, str) and exc.detail else code.value.replace("_", " ")
    )
    response = problem(status, code.value, detail)
    if exc.headers:
        response.headers.update(exc.headers)
    return response


def internal_error_handler(request: Request, exc: Exception) -> Response:
    log.error("unhandled_error", path=request.url.path, method=request.method, exc_info=exc)
    # The request id finds the log line; nothing of the error itself reaches the client.
    request_id = structlog.contextvars.get_contextvars().get("request_id", "")
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        ErrorCode.INTERNAL_ERROR.value,
        "an unexpected error occurred; it has been logged",
        requestId=request_id,
    )


def undecodable_body_handler(request: Request, exc: Exception) -> Response:
    # msgspec decodes a request body in C and raises these for the bytes themselves: JSON nested
    # past its depth limit (a 3 KB body of brackets) or strings that are not UTF-8. The client's
    # input, so a 400; anywhere else they are our bug and stay a 500.
    if not _raised_decoding_the_body(exc):
        return internal_error_handler(request, exc)
    reason = (
        "the JSON is nested too deeply"
        if isinstance(exc, RecursionError)
        else "the body is not valid UTF-8"
    )
    return problem(400, ErrorCode.VALIDATION_ERROR.value, reason)


def _raised_decoding_the_body(exc: BaseException) -> bool:
    traceback = exc.__traceback__
    while traceback is not None and traceback.tb_next is not None:
        traceback = traceback.tb_next
    return traceback is not None and traceback.tb_frame.f_code.co_name in _BODY_DECODERS


# The functions at the bottom of the stack when Litestar decodes a body (or our code decodes a
# callback's or a frame's bytes): litestar/serialization/msgspec_hooks.py.
_BODY_DECODERS = frozenset({"decode_json", "decode_msgpack", "decode_media_type"})


def data_error_handler(request: Request, exc: DataError) -> Response:
    # asyncpg refuses to encode a parameter its column can't hold (an id past int4 from the URL,
    # a huge cursor): the client's input, so a 400, not a 500. Other DataErrors are ours.
    if str(exc).startswith("invalid input for query argument"):
        return problem(
            400, ErrorCode.VALIDATION_ERROR.value, "a number in the request is out of range"
        )
    # PostgreSQL text and jsonb can't hold U+0000: valid JSON, but not storable.
    if isinstance(exc, CharacterNotInRepertoireError | UntranslatableCharacterError):
        return problem(
            400,
            ErrorCode.VALIDATION_ERROR.value,
            "text must not contain the NUL character (\\u0000)",
        )
    return internal_error_handler(request, exc)


def unavailable_handler(request: Request, exc: Exception) -> Response:
    # PostgreSQL restarting or unreachable (found by killing it mid-checkout): a 503 the client
    # may retry, not a 500. An open transaction died with its connection; keyed requests replay
    # and a step that did commit before a later read failed answers 409 on retry.
    if isinstance(exc, InterfaceError) and "connection is closed" not in str(exc):
        return internal_error_handler(request, exc)
    if isinstance(exc, InternalClientError):
        # asyncpg's protocol state after the server vanished mid-query (seen at COMMIT); would
        # also be a misuse of one connection by two tasks, so it keeps its traceback in the log.
        log.error("dependency_unavailable", path=request.url.path, exc_info=exc)
    else:
        log.warning(
            "dependency_unavailable",
            path=request.url.path,
            error=f"{type(exc).__name__}: {exc}"[:300],
        )
    response = problem(
        503,
        ErrorCode.SERVICE_UNAVAILABLE.value,
        "a backing service is unavailable; retry in a moment",
    )
    response.headers["Retry-After"] = "1"
    return response


def rolled_back_handler(request: Request, exc: Exception) -> Response:
    # A deadlock or serialization failure PostgreSQL broke by rolling this transaction back:
    # nothing was written, and a retry normally succeeds. The lock order (catalog/locks.py)
    # leaves no known cycle, so this is logged as the bug it would be, but answered as `busy`.
    log.error("transaction_rolled_back", path=request.url.path, exc_info=exc)
    response = problem(
        STATUS[ErrorCode.BUSY], ErrorCode.BUSY.value, "busy; nothing was changed, retry"
    )
    response.headers["Retry-After"] = "1"
    return response


EXCEPTION_HANDLERS = {
    TransactionRollbackError: rolled_back_handler,
    DataError: data_error_handler,
    PostgresConnectionError: unavailable_handler,
    CannotConnectNowError: unavailable_handler,
    AdminShutdownError: unavailable_handler,
    CrashShutdownError: unavailable_handler,
    InterfaceError: unavailable_handler,
    InternalClientError: unavailable_handler,
    ConnectionError: unavailable_handler,
    # Redis restarting or unreachable: a grab needs its Lua gate (found by killing Redis mid-storm).
    RedisConnectionError: unavailable_handler,
    RedisTimeoutError: unavailable_handler,
    # A Redis Cluster failing over (infra/redis_cluster.py): the slot's new master answers soon.
    ClusterDownError: unavailable_handler,
    TryAgainError: unavailable_handler,
    RedisClusterException: unavailable_handler,
    RecursionError: undecodable_body_handler,
    UnicodeDecodeError: undecodable_body_handler,
    DomainError: domain_error_handler,
    ValidationException: validation_error_handler,
    NotAuthorizedException: http_error_handler,
    PermissionDeniedException: http_error_handler,
    NotFoundException: http_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}

__all__ = [
    "EXCEPTION_HANDLERS",
    "DomainError",
    "ErrorCode",
    "MediaType",
    "problem",
    "problem_body",
]
