"""Pure order rules: who may move an order from which state to which, and how money is spread."""

from __future__ import annotations

from enum import StrEnum

from livecommerce.infra.errors import DomainError, ErrorCode


class Status(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    SHIPPED = "shipped"
    RECEIVED = "received"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    REFUNDING = "refunding"
    REFUNDED = "refunded"


class Party(StrEnum):
    BUYER = "buyer"
    HOST = "host"
    ADMIN = "admin"
    SYSTEM = "system"  # payment callbacks and jobs


class Action(StrEnum):
    PAY = "pay"
    CANCEL = "cancel"
    SHIP = "ship"
    CONFIRM = "confirm"
    COMPLETE = "complete"
    REQUEST_REFUND = "request_refund"
    APPROVE_REFUND = "approve_refund"
    REJECT_REFUND = "reject_refund"
    DISPUTE_REFUND = "dispute_refund"  # an operator's refund after completion (orders/disputes.py)
    VOID = "void"  # the system refunds a paid, unshipped order in full (a failed group buy)


S, A, P = Status, Action, Party
_ANYONE_STAFF = {P.ADMIN, P.SYSTEM}

# (action) -> (states it may start from, the state it leads to, who may do it).
# APPROVE/REJECT lead back to the state before the refund (or to REFUNDED when all is refunded):
# their target is decided by the service, so it is None here.
TRANSITIONS: dict[Action, tuple[frozenset[Status], Status | None, frozenset[Party]]] = {
    # The buyer starts a payment; the provider's callback (the system) completes it.
    A.PAY: (frozenset({S.PENDING_PAYMENT}), S.PAID, frozenset({P.BUYER, P.SYSTEM})),
    A.CANCEL: (
        frozenset({S.PENDING_PAYMENT}),
        S.CANCELLED,
        frozenset({P.BUYER, P.ADMIN, P.SYSTEM}),
    ),
    A.SHIP: (frozenset({S.PAID}), S.SHIPPED, frozenset({P.HOST, P.ADMIN})),
    A.CONFIRM: (frozenset({S.SHIPPED}), S.RECEIVED, frozenset({P.BUYER, P.ADMIN, P.SYSTEM})),
    A.COMPLETE: (frozenset({S.RECEIVED}), S.COMPLETED, frozenset({P.ADMIN, P.SYSTEM})),
    A.REQUEST_REFUND: (
        frozenset({S.PAID, S.SHIPPED, S.RECEIVED}),
        S.REFUNDING,
        frozenset({P.BUYER, P.ADMIN}),
    ),
    A.APPROVE_REFUND: (frozenset({S.REFUNDING}), None, frozenset({P.HOST, P.ADMIN})),
    A.REJECT_REFUND: (frozenset({S.REFUNDING}), None, frozenset({P.HOST, P.ADMIN})),
    # After completion only an operator refunds (a later dispute decided for the buyer): the order
    # stays completed, or is refunded once nothing is left; the service decides which.
    A.DISPUTE_REFUND: (frozenset({S.COMPLETED}), None, frozenset({P.ADMIN})),
    # A group buy that failed at its deadline gives every member's money back (orders/voiding.py).
    A.VOID: (frozenset({S.PAID}), S.REFUNDED, frozenset({P.SYSTEM})),
}


def parties_of(actor_id: int, *, is_admin: bool, buyer_id: int, host_id: int) -> set[Party]:
    parties: set[Party] = set()
    if actor_id == buyer_id:
        parties.add(P.BUYER)
    if actor_id == host_id:
        parties.add(P.HOST)
    if is_admin:
        parties.add(P.ADMIN)
    return parties


def ensure_transition(status: str, action: Action, parties: set[Party]) -> Status | None:
    """The target state of `action` from `status` by `parties`; raises 403 or 409 with a code
    otherwise."""
    sources, target, allowed = TRANSITIONS[action]
    if not parties & allowed:
        raise DomainError(
            ErrorCode.FORBIDDEN, detail=f"you may not {action.value.replace('_', ' ')} this order"
        )
    if Status(status) not in sources:
        raise DomainError(
            ErrorCode.ILLEGAL_TRANSITION,
            detail=f"an order that is {status} can't be {action.value.replace('_', ' ')}",
            currentStatus=status,
            action=action.value,
        )
    return target


def system_transition(status: str, action: Action) -> Status | None:
    """The target state of the system's `action` from `status`, or None when the table does not
    allow it from there: a job that finds its step no longer due (run twice, or late) does
    nothing."""
    sources, target, allowed = TRANSITIONS[action]
    if Party.SYSTEM not in allowed:
        raise ValueError(f"the system may never {action.value}")
    return target if Status(status) in sources else None


def allocate(amount: int, weights: list[int]) -> list[int]:
    """Split `amount` fen over `weights` in proportion, whole fen, summing exactly to `amount`.

    Largest remainder: each share is floored, then the fen left go to the largest remainders
    (ties to the earlier weight). No share exceeds its weight when amount <= sum(weights).
    """
    if amount < 0 or any(w < 0 for w in weights):
        raise ValueError("amount and weights must not be negative")
    total = sum(weights)
    if amount == 0 or not weights:
        return [0] * len(weights)
    if total == 0:
        raise ValueError("cannot allocate over zero weights")
    shares = [amount * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(amount * weights[i] % total), i))
    for i in remainders[: amount - sum(shares)]:
        shares[i] += 1
    return shares
