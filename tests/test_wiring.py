"""Who reacts to what is written once, in livecommerce/wiring.py, and nowhere else.

The first test is the list itself: changing a reaction or its order is a visible diff here.
The others fail if a module goes back to registering reactions at import time.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import pkgutil
from pathlib import Path

import livecommerce
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.settings import load_settings
from livecommerce.wiring import wire

PACKAGE = Path(livecommerce.__file__).parent


def _name(reaction: object) -> str:
    inner = getattr(reaction, "func", reaction)  # functools.partial
    return f"{inner.__module__.removeprefix('livecommerce.domains.')}.{inner.__qualname__}"


def test_the_wired_reactions_and_their_order() -> None:
    wiring = wire(load_settings({"ENV": "test"}))
    orders = {
        field.name: [_name(r) for r in getattr(wiring.orders, field.name)]
        for field in dataclasses.fields(OrderHooks)
    }
    assert orders == {
        "placed": [
            "live.commerce.trace_to_session",
            "members.member_prices.apply_member_prices",
            "promotions.checkout.hold_coupon",
            "members.points_checkout.spend_points",
            "distribution.commissions.snapshot_chain",
        ],
        "paid": [
            "marketing.group_checkout.on_paid",
            "promotions.checkout.consume_coupon",
            "distribution.commissions.create_pending",
            "members.growth.on_paid",
            "members.tiers.on_paid",
            "live.commerce.announce_purchase",
            "analytics.sources.on_paid",
        ],
        "cancelled": [
            "promotions.checkout.release_coupon",
            "members.points_checkout.return_points",
            "marketing.group_checkout.on_cancelled",
            "marketing.flash_orders.on_cancelled",
        ],
        "completed": [
            "distribution.commissions.on_settlement",
            "members.points_earning.earn_on_completion",
        ],
        "refunded": [
            "distribution.commissions.reverse_for_refund",
            "members.growth.on_refunded",
            "members.points_refunds.on_refunded",
            "marketing.flash_orders.on_refunded",
        ],
        # Whose desk a host's staff member reads.
        "desk_scope": ["members.staff.host_scope"],
    }
    assert {k: _name(v) for k, v in wiring.payments.succeeded.items()} == {
        "order": "orders.lifecycle.order_payment_succeeded",
        "topup": "payments.topups.top_up_succeeded",
    }
    assert {k: _name(v) for k, v in wiring.payments.lock_first.items()} == {
        "order": "orders.lifecycle.lock_for_payment"
    }
    assert [_name(p) for p in wiring.room.snapshot_parts] == [
        "promotions.room_parts.room_promotions",
        "marketing.gifts_room.room_gifts",
        "live.follows.snapshot_part",
        "marketing.giveaway_room.snapshot_part",
        "marketing.flash_sales.snapshot_part",
        "marketing.group_room.snapshot_part",
    ]
    assert {k: _name(v) for k, v in wiring.room.actions.items()} == {
        "grab": "promotions.room_parts.grab_action"
    }
    assert [_name(p) for p in wiring.room.presence] == [
        "analytics.sources.room_presence",
        "marketing.giveaway_watch.presence",
    ]
    # giveaways: the comment and follow tasks
    assert [_name(c) for c in wiring.room.chatted] == ["marketing.giveaway_room.chatted"]
    assert [_name(f) for f in wiring.room.followed] == ["marketing.giveaway_room.followed"]
    assert [_name(c) for c in wiring.distribution.clicked] == ["analytics.sources.on_link_clicked"]
    assert [_name(c) for c in wiring.promotions.claimed] == ["analytics.sources.on_coupon_claimed"]
    assert [_name(p) for p in wiring.promotions.unit_prices] == [
        "members.member_prices.unit_prices"
    ]
    assert wiring.analytics.host_scope is not None
    assert _name(wiring.analytics.host_scope) == "members.staff.host_scope"
    # outreach journeys: 预约 on a session's start, members' tier changes and member days, and
    # each journey's re-check before sending.
    assert [_name(s) for s in wiring.room.started] == ["outreach.journey_reminder.session_started"]
    assert [_name(t) for t in wiring.members.tier_changed] == [
        "outreach.journey_members.on_tier_changed"
    ]
    assert [_name(b) for b in wiring.members.benefit_granted] == [
        "outreach.journey_members.on_benefit_granted"
    ]
    assert {k: _name(v) for k, v in wiring.outreach.rechecks.items()} == {
        "reminder": "outreach.journey_reminder.still_live",
        "repurchase": "outreach.journey_repurchase.still_due",
        "viewed_not_bought": "outreach.journey_viewed.still_unbought",
        "tier_change": "outreach.journey_members.still_holds_tier",
        "member_day": "outreach.journey_members.packet_still_sealed",
    }


def test_ports_are_frozen_and_hold_tuples_so_nothing_can_be_appended_later() -> None:
    wiring = wire(load_settings({"ENV": "test"}))
    for port in (wiring.orders, wiring.payments, wiring.room):
        assert dataclasses.is_dataclass(port) and port.__dataclass_params__.frozen  # type: ignore[attr-defined]
    for field in dataclasses.fields(OrderHooks):
        assert isinstance(getattr(wiring.orders, field.name), tuple)
    assert isinstance(wiring.room.snapshot_parts, tuple)
    assert isinstance(wiring.payments, PaymentHooks) and isinstance(wiring.room, RoomHooks)


def test_importing_every_module_changes_no_wiring() -> None:
    before = wire(load_settings({"ENV": "test"}))
    for module in pkgutil.walk_packages([str(PACKAGE)], prefix="livecommerce."):
        importlib.import_module(module.name)
    after = wire(load_settings({"ENV": "test"}))
    assert dataclasses.astuple(before.orders) == dataclasses.astuple(after.orders)
    assert [_name(p) for p in after.room.snapshot_parts] == [
        _name(p) for p in before.room.snapshot_parts
    ]


MUTATORS = {"append", "extend", "insert", "add", "update", "setdefault", "__setitem__"}


def _registrations_at_import(tree: ast.Module) -> list[str]:
    """Statements at module level (or in `if` blocks there) that mutate something: `X.append(f)`,
    `X[key] = f`, a call of a decorator-like registrar. Function and class bodies are not
    module level, so `bind()` appending when it is called is fine."""
    found: list[str] = []

    def visit(statements: list[ast.stmt]) -> None:
        for node in statements:
            if isinstance(node, ast.If | ast.Try | ast.With):
                for block in ("body", "orelse", "finalbody"):
                    visit(getattr(node, block, []) or [])
                for handler in getattr(node, "handlers", []):
                    visit(handler.body)
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                func = node.value.func
                environment = (
                    isinstance(func, ast.Attribute) and ast.unparse(func.value) == "os.environ"
                )
                if isinstance(func, ast.Attribute) and func.attr in MUTATORS and not environment:
                    found.append(f"line {node.lineno}: .{func.attr}(...)")
                elif isinstance(func, ast.Name) and func.id.startswith("_register"):
                    found.append(f"line {node.lineno}: {func.id}()")
            elif isinstance(node, ast.Assign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found.extend(
                    f"line {node.lineno}: {ast.unparse(target)} = ..."
                    for target in targets
                    if isinstance(target, ast.Subscript | ast.Attribute)
                )

    visit(tree.body)
    return found


def test_no_module_registers_a_reaction_when_it_is_imported() -> None:
    offenders = {
        str(path.relative_to(PACKAGE.parent)): hits
        for path in sorted(PACKAGE.rglob("*.py"))
        if (hits := _registrations_at_import(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert offenders == {}


def test_the_import_check_would_catch_the_old_style() -> None:
    old = ast.parse(
        "from livecommerce.domains.orders import lifecycle\n"
        "lifecycle.ON_PAID.append(announce_purchase)\n"
        "ROOM_ACTIONS['grab'] = grab_action\n"
        "_register()\n"
    )
    assert len(_registrations_at_import(old)) == 3
