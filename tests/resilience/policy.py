"""Who may call what: the expected-access table of the authorization matrix.

Derived from each route's Litestar guards (`authenticated`, `requires_<role>`); the only
hand-written parts are the routes that are public on purpose and, for each kind of object
in a path (`{order_id}`), how to make one that belongs to someone else. A new route is
picked up from the OpenAPI document by itself; the test fails, naming it, when it is
unguarded and not declared public here, or when its path names an object kind unknown here.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar import Litestar
from litestar.routes import HTTPRoute

# (METHOD, path) -> why anyone, logged in or not, may get a 2xx.
PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): "liveness probe",
    ("GET", "/readyz"): "readiness probe",
    ("GET", "/metrics"): "Prometheus scrape (kept on a private network in production)",
    ("POST", "/api/auth/register"): "sign up",
    ("POST", "/api/auth/login"): "log in",
    ("GET", "/api/products"): "the shop window: products on shelf",
    ("GET", "/api/products/{product_id}"): "a product on shelf (off-shelf ones are 404 to others)",
    (
        "POST",
        "/api/payments/callback",
    ): "payment providers; authenticated by the HMAC signature instead",
    ("GET", "/api/rooms"): "the landing page: live and upcoming rooms",
    ("POST", "/api/events"): "pages' behaviour-event beacon: guests too (by their signed id)",
    ("GET", "/api/rooms/{room_id}"): "a room's public page (what the join snapshot shows anyway)",
    ("GET", "/api/rooms/{room_id}/sessions"): "a room's past broadcasts and their public figures",
    ("GET", "/s/{code}"): "a share link: anyone may follow it (records a click)",
    ("GET", "/s/{code}/qr.svg"): "a share link's QR code",
    (
        "GET",
        "/api/products/{product_id}/commission-rates",
    ): "what a product pays distributors (shown to would-be sharers)",
    ("GET", "/api/rooms/{room_id}/coupons"): "a room's coupons, shown to every viewer",
    (
        "GET",
        "/api/sessions/{session_id}/reminders",
    ): "how many asked to be told when an upcoming session starts (and whether you did)",
    ("GET", "/o/{token}"): "a message's tracked link (signed delivery id): records the click",
    ("GET", "/u/{token}"): "a message's unsubscribe page: works without login (signed token)",
    ("POST", "/u/{token}"): "unsubscribe without login: only ever removes consent (signed token)",
    ("GET", "/api/push/vapid-public-key"): "the VAPID public key browsers subscribe with",
    (
        "GET",
        "/api/products/{product_id}/group-buy",
    ): "a product's group terms and open groups (单独购买 / 发起拼团), shown to every buyer",
    (
        "GET",
        "/api/group-buys/{group_id}",
    ): "a group's share page: seats as names and initials only (its own place for a member)",
    ("GET", "/api/gifts"): "the gift catalogue every viewer of a room sees (names and prices)",
    # giveaways: what the room shows every viewer, and the published list anyone may recompute
    ("GET", "/api/rooms/{room_id}/giveaways/current"): "a room's giveaway, shown to every viewer",
    ("GET", "/api/giveaways/{giveaway_id}"): "a giveaway: prize, tasks, seed hash, masked winners",
    (
        "GET",
        "/api/giveaways/{giveaway_id}/entries",
    ): "the draw's entry list (masked tokens, no user ids): anyone may recompute the winners",
    (
        "GET",
        "/api/flash-sales/{sale_id}",
    ): "a flash sale as its room shows every viewer: price, countdown, units left",
}

# Logged-in routes whose object belongs to someone else by design: every viewer claims the
# host's coupon and grabs the host's red packet. Only anonymous callers must be refused.
ANY_USER: dict[tuple[str, str], str] = {
    (
        "POST",
        "/api/group-buys/{group_id}/join",
    ): "anyone joins a group by its link (the order placed is the caller's own)",
    ("POST", "/api/coupons/{coupon_id}/claim"): "viewers claim the host's coupons",
    ("POST", "/api/red-packets/{packet_id}/grab"): "viewers grab the host's red packets",
    ("GET", "/api/red-packets/{packet_id}"): "the claim list and best luck shown in the room",
    (
        "POST",
        "/api/sessions/{session_id}/reminders",
    ): "any viewer asks to be told of the host's session",
    ("DELETE", "/api/sessions/{session_id}/reminders"): "and takes back their own request",
    # outreach: the channel is a fixed name, the consent granted is the caller's own
    ("POST", "/api/me/consents/{channel}/once"): "a one-time consent of my own on that channel",
    # members: tiers. The host is named; what is read or opened is the caller's own standing.
    ("GET", "/api/hosts/{host_id}/membership"): "my own tier with that host (member card)",
    (
        "POST",
        "/api/hosts/{host_id}/membership/packets/open",
    ): "opens my own member-day red packets from that host",
    ("POST", "/api/rooms/{room_id}/gifts"): "viewers tip the host's room from their own wallet",
    ("POST", "/api/rooms/{room_id}/follow"): "any viewer follows the host's room",
    ("DELETE", "/api/rooms/{room_id}/follow"): "and stops following it",
    ("GET", "/api/giveaways/{giveaway_id}/me"): "my own standing in the host's giveaway",
    (
        "POST",
        "/api/giveaways/{giveaway_id}/claim",
    ): "claims my own prize (someone who did not win gets 404)",
    (
        "POST",
        "/api/flash-sales/{sale_id}/orders",
    ): "any viewer buys in the host's flash sale (the order placed is the caller's own)",
}

# Path parameters that name an object with an owner: the matrix makes one owned by the victim.
# Parameter -> object kind; tests/resilience/test_authorization_matrix.py `victim_objects` builds
# each kind.
OBJECT_PARAMS: dict[str, str] = {
    "order_id": "order",
    "product_id": "product",
    "refund_id": "refund",
    "application_id": "role_application",
    "payment_id": "payment",
    "room_id": "room",
    "coupon_id": "coupon",
    "packet_id": "red_packet",
    "method_id": "payout_method",  # a host's payout account (payouts domain)
    "address_id": "address",
    "session_id": "session",
    # Admin-only routes: any id will do, the role guard refuses first.
    "withdrawal_id": "withdrawal",
    "payout_id": "payout",
    "user_id": "user",
    "escalation_id": "escalation",
    # members' CRM (a host's staff member by user id, a manual tag, a saved segment)
    "staff_id": "staff",
    "tag_id": "member_tag",
    "segment_id": "segment",
    # members: tiers (a host named by its user id; the routes read the caller's own standing)
    "host_id": "host",
    # outreach: an inbox item (an 'inbox' delivery), and a channel name (fixed names, no owner)
    "delivery_id": "inbox_item",
    "channel": "channel",
    # outreach: a host's one-off message to a segment
    "campaign_id": "campaign",
    # tips: a gift of the platform's catalogue (admin-only routes: the role guard refuses first)
    "gift_id": "gift",
    # giveaways: a host's giveaway in their room
    "giveaway_id": "giveaway",
    # group buys: a group its leader opened (others join it by its link)
    "group_id": "group_buy",
    # flash sales: a host's sale of a showcase SKU in their room
    "sale_id": "flash_sale",
}


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    guards: tuple[str, ...]

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, self.path)

    @property
    def public(self) -> bool:
        return not self.guards

    @property
    def roles(self) -> set[str]:
        """Roles a guard demands (`requires_host` -> host); admins pass every role guard."""
        return {g.removeprefix("requires_") for g in self.guards if g.startswith("requires_")}

    @property
    def object_params(self) -> list[str]:
        return [part[1:-1] for part in self.path.split("/") if part.startswith("{")]


def routes_of(app: Litestar, openapi: dict) -> tuple[list[Route], list[str]]:
    """Every operation of the OpenAPI document with the guards of its handler, and the problems
    (an operation without a handler, a guard-less route not declared public)."""
    handlers: dict[tuple[str, str], tuple[str, ...]] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for method, entry in route.route_handler_map.items():
                handler = entry[0] if isinstance(entry, tuple) else entry
                handlers[(method, route.path_format)] = tuple(
                    g.__name__ for g in handler.resolve_guards()
                )
    routes, problems = [], []
    for path, item in openapi["paths"].items():
        for method in item:
            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                continue
            key = (method.upper(), path)
            if key not in handlers:
                problems.append(
                    f"{method.upper()} {path}: in the OpenAPI document but no handler found"
                )
                continue
            route = Route(key[0], path, handlers[key])
            if route.public and key not in PUBLIC:
                problems.append(
                    f"{route.method} {path}: no guard, and not declared public in "
                    "tests/resilience/policy.py PUBLIC"
                )
            if not route.public and key in PUBLIC:
                problems.append(
                    f"{route.method} {path}: declared public but guarded by {route.guards}"
                )
            unknown = [p for p in route.object_params if p not in OBJECT_PARAMS]
            if unknown and not route.public:
                problems.append(
                    f"{route.method} {path}: path parameter(s) {unknown} unknown to "
                    "policy.OBJECT_PARAMS (add the kind and its factory)"
                )
            routes.append(route)
    return routes, problems
