"""Registers distribution's hooks on the order lifecycle. Imported by the app and by the worker
(registration is idempotent), so placing, paying, refunding and completing run them everywhere."""

from __future__ import annotations

from livecommerce.domains.distribution import commissions
from livecommerce.domains.orders import lifecycle, refunds
from livecommerce.domains.orders import services as orders


def _add(hooks: list, hook: object) -> None:
    if hook not in hooks:
        hooks.append(hook)


_add(orders.PLACEMENT_HOOKS, commissions.snapshot_chain)
_add(lifecycle.ON_PAID, commissions.create_pending)
_add(refunds.ON_REFUNDED, commissions.reverse_for_refund)
_add(lifecycle.ON_SETTLEMENT, commissions.on_settlement)
