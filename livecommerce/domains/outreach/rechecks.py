"""Each journey's re-check, asked just before a delivery is sent (OutreachHooks.rechecks, filled
in livecommerce/wiring.py): False means the reason to send is gone and the delivery is skipped.
A broadcast has none: the host said it, it stays said."""

from __future__ import annotations

from livecommerce.domains.outreach import (
    journey_members,
    journey_reminder,
    journey_repurchase,
    journey_viewed,
)
from livecommerce.domains.outreach.hooks import Recheck


def journey_rechecks() -> dict[str, Recheck]:
    return {
        # 预约: the session is still live.
        "reminder": journey_reminder.still_live,
        # Not bought again since the purchase reminded of.
        "repurchase": journey_repurchase.still_due,
        # Not bought since the coupon was given.
        "viewed_not_bought": journey_viewed.still_unbought,
        # The member still holds the tier.
        "tier_change": journey_members.still_holds_tier,
        # The member-day packet is still there to open.
        "member_day": journey_members.packet_still_sealed,
    }
