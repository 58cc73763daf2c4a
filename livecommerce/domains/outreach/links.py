"""Signed links a message carries: the tracked link /o/{token} (a delivery id) and the
unsubscribe link /u/{token} (user, channel, host). HMAC-SHA256 with a key derived from
SECRET_KEY (a different key per purpose), in the style of distribution/bindings.py.

An unsubscribe token never expires: a message read a year later must still let its reader stop
the next one. It can only ever remove consent, so a leaked one does no harm beyond that.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

_keys: dict[str, bytes] = {}


def configure(secret_key: str) -> None:
    for purpose in ("track", "unsubscribe"):
        _keys[purpose] = hashlib.sha256(f"outreach-{purpose}:{secret_key}".encode()).digest()


def _mac(purpose: str, body: str) -> str:
    key = _keys.get(purpose) or hashlib.sha256(f"outreach-{purpose}:unset".encode()).digest()
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()[:16]
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def _sign(purpose: str, body: str) -> str:
    return f"{body}.{_mac(purpose, body)}"


def _verify(purpose: str, token: str) -> str | None:
    # compare_digest takes ASCII strings only (anything else raises): a token we signed is.
    if len(token) > 200 or not token.isascii():
        return None
    body, _, mac = token.rpartition(".")
    if not body or not hmac.compare_digest(_mac(purpose, body), mac):
        return None
    return body


def track_token(delivery_id: int) -> str:
    return _sign("track", f"d{delivery_id}")


def read_track_token(token: str) -> int | None:
    body = _verify("track", token)
    if body is None or not body.startswith("d") or not body[1:].isdigit():
        return None
    return int(body[1:])


def unsubscribe_token(user_id: int, channel: str, host_id: int | None) -> str:
    return _sign("unsubscribe", f"{user_id}-{channel}-{host_id or 0}")


def read_unsubscribe_token(token: str) -> tuple[int, str, int | None] | None:
    """(user id, channel, host id or None) of a token we signed, else None."""
    body = _verify("unsubscribe", token)
    if body is None:
        return None
    parts = body.split("-")
    if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit() or not parts[1]:
        return None
    host = int(parts[2])
    return int(parts[0]), parts[1], host or None


def track_url(base_url: str, delivery_id: int) -> str:
    return f"{base_url}/o/{track_token(delivery_id)}"


def unsubscribe_url(base_url: str, user_id: int, channel: str, host_id: int | None) -> str:
    return f"{base_url}/u/{unsubscribe_token(user_id, channel, host_id)}"
