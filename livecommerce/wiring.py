"""The one place that says who reacts to what, and in which order.

Each source domain declares a port (`accounts/hooks.py`, `orders/hooks.py`, `payments/hooks.py`,
`live/hooks.py`);
this module fills them, and both the web app (`create_app`) and the worker (`on_startup`)
call `wire()` and pass the result in explicitly. Nothing registers itself at import time, so
a reader sees here, and only here, everything that happens when an order is paid.

Dependencies point down: domains import the ports of the domains below them and never this
module; only the composition roots (app.py, worker/settings.py) import it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from livecommerce.domains.accounts.hooks import AccountHooks, RoleHooks
from livecommerce.domains.analytics import sources as behaviour
from livecommerce.domains.analytics.hooks import AnalyticsHooks
from livecommerce.domains.distribution import bindings, commissions, distributors
from livecommerce.domains.distribution.hooks import DistributionHooks
from livecommerce.domains.live import commerce as room_commerce
from livecommerce.domains.live import follows as room_follows
from livecommerce.domains.live.hooks import RoomHooks
from livecommerce.domains.marketing import (
    flash_orders,
    flash_sales,
    gifts_room,
    giveaway_room,
    giveaway_watch,
    group_checkout,
    group_room,
)
from livecommerce.domains.members import growth as member_growth
from livecommerce.domains.members import (
    member_prices,
    points_checkout,
    points_earning,
    points_refunds,
)
from livecommerce.domains.members import staff as member_staff
from livecommerce.domains.members import tiers as member_tiers
from livecommerce.domains.members.hooks import MemberHooks
from livecommerce.domains.orders import lifecycle
from livecommerce.domains.orders.hooks import OrderHooks
from livecommerce.domains.outreach import journey_members, journey_reminder, rechecks
from livecommerce.domains.outreach.hooks import OutreachHooks
from livecommerce.domains.payments import topups
from livecommerce.domains.payments.hooks import PaymentHooks
from livecommerce.domains.promotions import checkout as coupon_checkout
from livecommerce.domains.promotions import room_parts as promotions_in_room
from livecommerce.domains.promotions.hooks import PromotionHooks
from livecommerce.settings import Settings


@dataclass(frozen=True, slots=True)
class Wiring:
    accounts: AccountHooks
    orders: OrderHooks
    payments: PaymentHooks
    room: RoomHooks
    distribution: DistributionHooks = field(default_factory=DistributionHooks)
    promotions: PromotionHooks = field(default_factory=PromotionHooks)
    analytics: AnalyticsHooks = field(default_factory=AnalyticsHooks)
    outreach: OutreachHooks = field(default_factory=OutreachHooks)
    members: MemberHooks = field(default_factory=MemberHooks)


def member_hooks() -> MemberHooks:
    return MemberHooks(
        # The member hears of a new tier and of a member-day red packet (outreach journeys).
        tier_changed=(journey_members.on_tier_changed,),
        benefit_granted=(journey_members.on_benefit_granted,),
    )


def account_hooks() -> AccountHooks:
    return AccountHooks(
        # A visitor who came by a share link is bound as they register or log in.
        signed_in=(bindings.on_signed_in,),
        # The distributor role and its profile come together, however it is asked or granted.
        roles={
            "distributor": RoleHooks(
                signup=distributors.signup_mode,
                applied=(distributors.on_role_applied,),
                granted=(distributors.on_role_granted,),
            )
        },
    )


def order_hooks() -> OrderHooks:
    return OrderHooks(
        # Where it was bought, what it costs with the buyer's coupon, who earns on it.
        placed=(
            room_commerce.trace_to_session,
            # A member price first: the coupon and points come off what is left (additive).
            member_prices.apply_member_prices,
            coupon_checkout.hold_coupon,
            # Member points after the coupon: the cap is a share of what is still due.
            points_checkout.spend_points,
            commissions.snapshot_chain,
        ),
        # The coupon is spent, commissions are pending, the room hears of it (after COMMIT).
        paid=(
            # A group order takes its seat first (拼团: or leads a new group if it came too late).
            group_checkout.on_paid,
            coupon_checkout.consume_coupon,
            commissions.create_pending,
            # The buyer is the host's member; what they paid is growth (tiers, DESIGN §11).
            member_growth.on_paid,
            # With that growth, the tier rises at once (never lowered here: at the window's edge).
            member_tiers.OnPaid(member_hooks()),
            room_commerce.announce_purchase,
            # A `paid` behaviour event per product, kept after COMMIT (funnels, analytics).
            behaviour.on_paid,
        ),
        cancelled=(
            coupon_checkout.release_coupon,
            points_checkout.return_points,
            # An unpaid group order held no seat: it leaves, and a never-paid leader's group closes.
            group_checkout.on_cancelled,
            # A flash order's units go back to its sale (or to the SKU once the sale ended).
            flash_orders.on_cancelled,
        ),
        # Points are earned on what the host kept (frozen N days; they pay no money: no legs).
        completed=(commissions.on_settlement, points_earning.earn_on_completion),
        refunded=(
            commissions.reverse_for_refund,
            member_growth.on_refunded,
            points_refunds.on_refunded,
            flash_orders.on_refunded,
        ),
        # A host's staff read its order desk (DESIGN §11: staff see the host's customers).
        desk_scope=(member_staff.host_scope,),
    )


def payment_hooks(orders: OrderHooks) -> PaymentHooks:
    return PaymentHooks(
        succeeded={
            "order": functools.partial(lifecycle.order_payment_succeeded, orders),
            "topup": topups.top_up_succeeded,
        },
        lock_first={"order": lifecycle.lock_for_payment},
    )


def room_hooks() -> RoomHooks:
    return RoomHooks(
        snapshot_parts=(
            promotions_in_room.room_promotions,
            gifts_room.room_gifts,
            room_follows.snapshot_part,
            giveaway_room.snapshot_part,
            flash_sales.snapshot_part,
            group_room.snapshot_part,  # 拼团: the showcase's group terms and open groups
        ),
        actions={"grab": promotions_in_room.grab_action},
        # Entering and leaving (with the time watched) are behaviour events.
        # A giveaway's watch task counts the time between them.
        presence=(behaviour.room_presence, giveaway_watch.presence),
        # Those who asked (预约) are told when the session goes live.
        started=(journey_reminder.session_started,),
        # A giveaway's comment and follow tasks.
        chatted=(giveaway_room.chatted,),
        followed=(giveaway_room.followed,),
    )


def wire(settings: Settings) -> Wiring:
    orders = order_hooks()
    return Wiring(
        accounts=account_hooks(),
        orders=orders,
        payments=payment_hooks(orders),
        room=room_hooks(),
        distribution=DistributionHooks(clicked=(behaviour.on_link_clicked,)),
        promotions=PromotionHooks(
            claimed=(behaviour.on_coupon_claimed,),
            # The quote prices with the buyer's member prices, as the placed order does.
            unit_prices=(member_prices.unit_prices,),
        ),
        # A host's staff read its analytics as they read its orders and members.
        analytics=AnalyticsHooks(host_scope=member_staff.host_scope),
        # Each journey's re-check just before a delivery is sent (outreach/rechecks.py).
        outreach=OutreachHooks(rechecks=rechecks.journey_rechecks()),
        members=member_hooks(),
    )
