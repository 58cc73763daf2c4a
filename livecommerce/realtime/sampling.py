"""Which events of a tick go out: every priority event, and at most N ordinary chat lines."""

from __future__ import annotations

import random
from typing import Any

from livecommerce.realtime.wire import is_priority


def sample_events(
    events: list[dict[str, Any]], chat_limit: int, rng: random.Random
) -> list[dict[str, Any]]:
    """Keep all priority events and a uniform sample of `chat_limit` others, in arrival order.

    Uniform rather than first-N: in a huge room the first lines of a tick would always
    be the same fast clients.
    """
    ordinary = [i for i, event in enumerate(events) if not is_priority(event)]
    if len(ordinary) <= chat_limit:
        return events
    keep = set(rng.sample(ordinary, chat_limit))
    return [event for i, event in enumerate(events) if i in keep or is_priority(event)]
