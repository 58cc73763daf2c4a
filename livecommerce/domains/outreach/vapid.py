"""The site's VAPID key pair (RFC 8292), made on first use and kept in PostgreSQL.

Every browser subscription is bound to the public key it was made with (its
`applicationServerKey`): a second key pair would orphan them all without a word. So there is one
pair for the whole site, made by whichever process asks first; `INSERT … ON CONFLICT DO NOTHING`
lets any number of processes race to make it and every one reads back the same row. The row is
read on each use (one primary-key lookup beside a network round trip to a push service), so no
process can hold a pair the database does not.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from asyncpg import Connection
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from py_vapid import Vapid02

from livecommerce.infra import db

KEY_NAME = "vapid"


def b64url(data: bytes) -> str:
    """Unpadded base64url, as browsers and RFC 8292 write keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(text: str) -> bytes:
    """The bytes of a base64url text, padded or not; binascii.Error / ValueError if it is not."""
    raw = text.strip().rstrip("=")
    return base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))


@dataclass(frozen=True, slots=True)
class VapidKeys:
    private_key: str  # base64url of the 32-byte scalar
    public_key: str  # base64url of the 65-byte uncompressed point: the applicationServerKey

    def signer(self) -> Vapid02:
        """py_vapid's signer, as pywebpush takes it."""
        return Vapid02.from_raw(self.private_key.encode("ascii"))


def generate() -> VapidKeys:
    key = ec.generate_private_key(ec.SECP256R1())
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    point = key.public_key().public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return VapidKeys(private_key=b64url(scalar), public_key=b64url(point))


_SELECT = "SELECT private_key, public_key FROM outreach_keys WHERE name = $1"


async def load(conn: Connection) -> VapidKeys:
    """The site's pair, made now if there is none yet (the first writer wins; all read its)."""
    row = await conn.fetchrow(_SELECT, KEY_NAME)
    if row is None:
        fresh = generate()
        await conn.execute(
            "INSERT INTO outreach_keys (name, private_key, public_key) VALUES ($1, $2, $3)"
            " ON CONFLICT (name) DO NOTHING",
            KEY_NAME,
            fresh.private_key,
            fresh.public_key,
        )
        row = await conn.fetchrow(_SELECT, KEY_NAME)
    assert row is not None  # inserted, or another process's insert won
    return VapidKeys(private_key=row["private_key"], public_key=row["public_key"])


async def site_keys() -> VapidKeys:
    async with db.connection() as conn:
        return await load(conn)
