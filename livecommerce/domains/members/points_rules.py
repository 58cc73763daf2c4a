"""Points arithmetic: pure integer functions, no I/O (tested as laws with hypothesis).

Units: money in fen, points whole. A host's rules (`PointsRules`):
- earn: a completed order earns floor(kept fen x earn_bp / 10 000) points, kept = paid minus
  refunded at completion (earn_bp 100: 1 point per ¥1; 10 000: 1 point per fen);
- redeem: `points_per_yuan` points buy ¥1 (100 fen); p points buy floor(p x 100 / rate) fen and
  only the points those whole fen cost are charged: ceil(fen x rate / 100) <= p;
- cap: points take at most floor(due x cap_bp / 10 000) fen off what is still due, and never
  all of it (one fen is always paid, so every order has a payment);
- refunds: what comes back (or is taken back) is a running total of the refunded amount, never
  a per-refund rounding, so any sequence of partial refunds ends exactly where one refund of the
  same total would: spent points back = floor(spent x refunded / paid); earned points kept =
  floor(earned x kept now / kept at completion), the rest taken back.
"""

from __future__ import annotations

from dataclasses import dataclass

BP = 10_000
FEN_PER_YUAN = 100


@dataclass(frozen=True, slots=True)
class PointsRules:
    earn_bp: int = 100
    frozen_days: int = 7
    points_per_yuan: int = 100
    cap_bp: int = 2_000


DEFAULTS = PointsRules()


def earned(kept: int, earn_bp: int) -> int:
    """The points an order earns on the `kept` fen the host keeps."""
    return max(kept, 0) * earn_bp // BP


def fen_for(points: int, points_per_yuan: int) -> int:
    """The whole fen `points` buy."""
    return points * FEN_PER_YUAN // points_per_yuan


def points_for(fen: int, points_per_yuan: int) -> int:
    """The fewest points that buy `fen` (ceil): what is charged for a discount of `fen`."""
    return -(-fen * points_per_yuan // FEN_PER_YUAN)


def max_discount(due: int, cap_bp: int) -> int:
    """The most fen points may take off `due` fen still to pay (at least one fen stays due)."""
    return max(0, min(due * cap_bp // BP, due - 1))


@dataclass(frozen=True, slots=True)
class Redemption:
    points: int  # charged (<= asked)
    discount: int  # fen


def redeem(asked: int, rules: PointsRules) -> Redemption:
    """What `asked` points buy and cost (before the cap and the balance are checked)."""
    fen = fen_for(asked, rules.points_per_yuan)
    return Redemption(points=points_for(fen, rules.points_per_yuan), discount=fen)


def most_points(due: int, rules: PointsRules) -> int:
    """The most points whose fen stay within the cap on `due` (fen_for(p) <= cap; when a point is
    worth more than a fen, the cap's last fen may not be reachable in whole points)."""
    cap = max_discount(due, rules.cap_bp)
    return ((cap + 1) * rules.points_per_yuan - 1) // FEN_PER_YUAN


def usable(available: int, due: int, rules: PointsRules) -> Redemption:
    """The best the buyer can do on `due` fen with `available` points: the buy sheet's offer
    (placing the order with its `points` charges exactly them for exactly its discount)."""
    return redeem(min(available, most_points(due, rules)), rules)


def spent_back(spent: int, paid: int, refunded: int) -> int:
    """Of `spent` points on an order that paid `paid` fen, how many are back once `refunded` fen
    of it (in total, all refunds so far) went back: all of them on a full refund."""
    if paid <= 0:
        return spent
    return spent * min(max(refunded, 0), paid) // paid


def earned_kept(points: int, kept_at_completion: int, kept_now: int) -> int:
    """Of the `points` an order earned on `kept_at_completion` fen, how many it still earns now
    that `kept_now` fen are kept (refunds after completion): none on a full refund."""
    if kept_at_completion <= 0:
        return 0
    return points * min(max(kept_now, 0), kept_at_completion) // kept_at_completion


def take(need: int, pools: list[int]) -> tuple[list[int], int]:
    """Take `need` points from `pools` in order, none below zero: (taken from each, shortfall)."""
    taken: list[int] = []
    left = max(need, 0)
    for pool in pools:
        part = min(left, max(pool, 0))
        taken.append(part)
        left -= part
    return taken, left
