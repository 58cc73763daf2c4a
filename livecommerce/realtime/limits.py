"""Per-viewer abuse limits: a token bucket, pure so it is tested as arithmetic, and the buckets a
viewer's sockets share."""

from __future__ import annotations


class TokenBucket:
    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate = rate
        self.burst = burst
        self.tokens = burst
        self.stamp = now

    def take(self, now: float, cost: float = 1.0) -> bool:
        """Spend `cost` tokens if there are enough; refill at `rate` per second up to `burst`."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= cost:
            self.tokens -= cost
            return True
        return False


class ViewerLimits:
    """What one viewer's sockets in one room share in this process: the chat and like buckets and
    how many sockets it has open. A second socket (or a thirtieth) adds no allowance."""

    __slots__ = ("chat", "left_at", "like", "sockets")

    def __init__(self, chat: TokenBucket, like: TokenBucket, now: float) -> None:
        self.chat = chat
        self.like = like
        self.sockets = 0
        self.left_at = now  # when the count last fell to 0
