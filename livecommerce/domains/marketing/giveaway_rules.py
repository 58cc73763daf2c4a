"""The giveaway draw, as a function anyone can run: standard library only, no I/O.

Commit–reveal (algorithm `hmac-sha256-rank-v1`):

1. At the start the server makes `seed` (32 random bytes) and publishes `seedHash` =
   sha256(seed) in hex. The seed itself stays secret until the draw.
2. Every entry carries a `token`: 16 hex characters of HMAC-SHA256(the giveaway's own secret
   token key, "giveaway:{id}:user:{user id}"), fixed when the viewer enters, published instead of
   the user id. The token key is never published, so a token names nobody.
3. At the draw the seed is published. Each token's score is HMAC-SHA256(key=seed,
   msg=token as ASCII) in hex; the ranking is the tokens sorted by (score, token).
4. The first `winnersCount` tokens of the ranking win (round 1). A prize that is not claimed in
   time and is redrawn goes to the next token of the same ranking (round 2, 3, ...), so a
   redraw skips every earlier winner and is as checkable as the first draw.

`livecommerce/tools/verify_giveaway.py` runs `verify()` on the published entry list
(GET /api/giveaways/{id}/entries).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

ALGORITHM = "hmac-sha256-rank-v1"
SEED_BYTES = 32
TOKEN_CHARS = 16


def seed_hash(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def entry_token(token_key: bytes, giveaway_id: int, user_id: int) -> str:
    """The entry's public stand-in for its user: stable per (giveaway, user), unguessable
    without the token key, so the list says nothing about who entered."""
    message = f"giveaway:{giveaway_id}:user:{user_id}".encode()
    return hmac.new(token_key, message, hashlib.sha256).hexdigest()[:TOKEN_CHARS]


def score(seed: bytes, token: str) -> str:
    # hmac.digest is the one-shot C path: the same value as hmac.new(...).hexdigest(), faster.
    return hmac.digest(seed, token.encode("ascii"), "sha256").hex()


def ranking(seed: bytes, tokens: Iterable[str]) -> list[str]:
    """Every token, best first; the order of `tokens` does not matter."""
    return sorted(set(tokens), key=lambda token: (score(seed, token), token))


def draw(seed: bytes, tokens: Iterable[str], count: int, already_drawn: int = 0) -> list[str]:
    """The next `count` winners after the `already_drawn` ranks an earlier round took."""
    return ranking(seed, tokens)[already_drawn : already_drawn + count]


def mask_name(name: str) -> str:
    """What the room and the published list show of a name: its first and last character."""
    name = name.strip()
    if len(name) <= 1:
        return (name or "*") + "*"
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * min(len(name) - 2, 3) + name[-1]


def verify(published: Mapping[str, Any]) -> tuple[list[str], list[dict[str, Any]]]:
    """Check a published entry list: (problems, recomputed winners). No problems: the seed
    matches the hash committed at the start, and each published winner holds exactly the rank
    the seed gives its token, the ranks taken in order from the first."""
    problems: list[str] = []
    if published.get("algorithm") != ALGORITHM:
        problems.append(f"unknown algorithm {published.get('algorithm')!r}")
    seed_hex = published.get("seed")
    if not seed_hex:
        return [*problems, "no seed yet: the giveaway has not been drawn"], []
    seed = bytes.fromhex(str(seed_hex))
    if seed_hash(seed) != published.get("seedHash"):
        problems.append("sha256(seed) is not the seedHash published at the start")
    tokens = [str(entry["token"]) for entry in published.get("entries", [])]
    order = ranking(seed, tokens)
    winners: Sequence[Mapping[str, Any]] = sorted(
        published.get("winners", []), key=lambda w: int(w["rank"])
    )
    first_round = min(int(published.get("winnersCount", 0)), len(order))
    if sum(1 for w in winners if int(w["round"]) == 1) != first_round:
        problems.append(f"round 1 should have {first_round} winners")
    if [int(w["rank"]) for w in winners] != list(range(len(winners))):
        problems.append("winners' ranks are not the first ranks of the ranking, in order")
    recomputed = []
    for winner in winners:
        rank = int(winner["rank"])
        expected = order[rank] if 0 <= rank < len(order) else None
        if expected != winner["token"]:
            problems.append(f"rank {rank}: the seed gives {expected}, published {winner['token']}")
        recomputed.append({"rank": rank, "round": int(winner["round"]), "token": expected})
    return problems, recomputed
