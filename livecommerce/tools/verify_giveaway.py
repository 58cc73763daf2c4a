"""Recompute a giveaway's winners from its published seed and entry list (standard library only).

    python -m livecommerce.tools.verify_giveaway https://shop.example/api/giveaways/7/entries
    python -m livecommerce.tools.verify_giveaway entries.json

Checks that sha256(seed) is the hash published when the giveaway started, ranks the entries'
tokens with HMAC-SHA256(seed, token) (giveaway_rules.py says exactly how) and compares every
published winner with the place the seed gives it. Exit status 0: the draw checks out.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from pathlib import Path
from typing import Any

from livecommerce.domains.marketing import giveaway_rules


def load(source: str) -> dict[str, Any]:
    if source.startswith(("http://", "https://")):
        with urllib.request.urlopen(source, timeout=30) as answer:
            document: dict[str, Any] = json.load(answer)
            return document
    found: dict[str, Any] = json.loads(Path(source).read_text(encoding="utf-8"))
    return found


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    published = load(args[0])
    problems, winners = giveaway_rules.verify(published)
    print(f"giveaway {published.get('giveawayId')}: {len(published.get('entries', []))} entries,")
    print(f"seed hash {published.get('seedHash')}")
    for winner in winners:
        print(f"  rank {winner['rank']:>4}  round {winner['round']}  token {winner['token']}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print("OK: the winners follow from the seed" if not problems else "FAILED")
    return 0 if not problems else 1


if __name__ == "__main__":
    sys.exit(main())
