"""A local stand-in for a push service (and for an IM bot or SMS gateway): a real HTTP server on
127.0.0.1 that records what it is sent and answers each path as told. Plus what a browser and a
push service do with a Web Push request: decrypt it (RFC 8291, aes128gcm) with the
subscription's private key, and check its VAPID signature (RFC 8292).

The server runs in its own thread, so it answers while the test's event loop waits on the
channel (pywebpush and apprise send from threads of their own).
"""

from __future__ import annotations

import base64
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # lower-cased names
    body: bytes


@dataclass
class HttpReceiver:
    """`statuses[path]` is the answer for that path (default 201)."""

    statuses: dict[str, int] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                body = self.rfile.read(length) if length else b""
                receiver.received.append(
                    Received(
                        method=self.command,
                        path=self.path,
                        headers={k.lower(): v for k, v in self.headers.items()},
                        body=body,
                    )
                )
                path = self.path.split("?", 1)[0]
                self.send_response(receiver.statuses.get(path, 201))
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = _answer
            do_GET = _answer

            def log_message(self, *args: Any) -> None:  # quiet
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpReceiver:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class BrowserKeys:
    """What a browser makes for one subscription: a P-256 key pair and a 16-byte auth secret."""

    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    @classmethod
    def make(cls) -> BrowserKeys:
        import os

        return cls(private_key=ec.generate_private_key(ec.SECP256R1()), auth=os.urandom(16))

    @property
    def p256dh(self) -> str:
        point = self.private_key.public_key().public_bytes(
            Encoding.X962, PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def subscription(self, endpoint: str) -> dict[str, Any]:
        """As `PushSubscription.toJSON()` gives it."""
        return {
            "endpoint": endpoint,
            "expirationTime": None,
            "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)},
        }

    def decrypt(self, body: bytes) -> bytes:
        """RFC 8291: the sender's public key and the salt are in the aes128gcm header of the
        body; the shared secret comes from our private key and the auth secret."""
        return http_ece.decrypt(
            body, private_key=self.private_key, auth_secret=self.auth, version="aes128gcm"
        )


def vapid_claims(authorization: str, served_public_key: str) -> dict[str, Any]:
    """The JWT claims of `Authorization: vapid t=<jwt>, k=<key>` once it is checked that `k` is
    the key the site serves and that the JWT is signed by it (ES256); raises otherwise."""
    scheme, _, params = authorization.partition(" ")
    assert scheme.lower() == "vapid", authorization
    parts = dict(p.strip().split("=", 1) for p in params.split(","))
    assert parts["k"] == served_public_key, "signed with another key than the one served"
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(
        ec.SECP256R1(), b64url_decode(served_public_key)
    )
    # jwt.decode checks the signature and `exp`; `aud` is checked by the caller.
    return jwt.decode(
        parts["t"], key=public_key, algorithms=["ES256"], options={"verify_aud": False}
    )
