"""Flows that wait for the coupons, red packets and distribution APIs (other branches).

TODO(lead): finish these after merging; the UI parts are in static/js/promotions-api.js,
room/coupons.js, room/red-packet.js, console/drops.js, distribution-api.js, pages/distributor.js.
"""

from __future__ import annotations

import pytest

REASON = "needs coupons/red packets/distribution API"


async def test_viewer_claims_a_dropped_coupon_and_pays_less_with_it():
    # Host drops a coupon from the console (#coupon-form); the viewer's #drops card appears,
    # "Claim" works, the buy sheet offers it (#buy-coupon) and #buy-total shows the discount;
    # a second claim shows "You already claimed this coupon"; an exhausted one "all gone".
    pytest.skip(REASON)


async def test_viewer_opens_a_red_packet_and_sees_the_best_luck():
    # Host sends a red packet (#rp-form); the viewer's #rp-dialog opens; "Open" grabs over the
    # socket (grab_result) and shows #rp-amount, then the claims list with the best luck;
    # an empty packet shows "The red packet is empty".
    pytest.skip(REASON)


async def test_distributor_shares_a_room_link_with_qr_and_sees_clicks_and_commissions():
    # /distributor: become one, generate a room link (#link-form) with its QR image, a buyer
    # visits /s/{code} and pays; the cards (clicks, orders, pending) and commissions table move;
    # the room's share sheet shows the distributor's short link; withdrawal form and history.
    pytest.skip(REASON)
