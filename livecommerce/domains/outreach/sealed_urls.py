"""A host's IM bot and SMS gateway URLs carry its tokens and passwords: they are kept sealed
(Fernet: AES-128-CBC with an HMAC-SHA256) under a key derived from SECRET_KEY, so a copy of the
database alone gives none of them away, and a row changed in the database is refused rather
than called.

Rows saved before sealing (a bare `scheme://…`) are read as they are and sealed by the host's
next save. A URL sealed under another SECRET_KEY can't be opened: it reads as None (shown as
unreadable, never sent to) until the host saves it again.
"""

from __future__ import annotations

import base64
from functools import cache

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from livecommerce.domains.outreach import config

PREFIX = "sealed:"


@cache
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"livecommerce outreach channel urls"
    ).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(url: str, secret_key: str | None = None) -> str:
    key = secret_key if secret_key is not None else config.current().secret_key
    return PREFIX + _fernet(key).encrypt(url.encode()).decode()


def unseal(stored: str, secret_key: str | None = None) -> str | None:
    """The URL as the host gave it; None when sealed under another key or tampered with."""
    if not stored.startswith(PREFIX):
        return stored
    key = secret_key if secret_key is not None else config.current().secret_key
    try:
        return _fernet(key).decrypt(stored[len(PREFIX) :].encode()).decode()
    except (InvalidToken, ValueError):
        return None
