"""The pages people use: plain HTML files from `static/pages/`, each a shell its ES modules fill.

The pages are public (a guest may watch a room); what a page shows is decided by the API
calls it makes with the viewer's cookie, so the routes here skip authentication.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Router, get
from litestar.response import File

from livecommerce.realtime import guests
from livecommerce.settings import PROJECT_ROOT, Settings

PAGES_DIR = PROJECT_ROOT / "static" / "pages"

# route path -> HTML file; `{…:int}` parts are read by the page's script from location.pathname.
PAGES: dict[str, str] = {
    "/": "index.html",
    "/login": "login.html",
    "/rooms/{room_id:int}": "room.html",
    "/products/{product_id:int}": "product.html",  # where a product share link lands
    "/g/{group_id:int}": "group.html",  # a group buy's share link: seats, countdown, join
    "/host": "host.html",
    "/host/rooms/{room_id:int}": "host-room.html",
    "/host/sessions/{session_id:int}/report": "session-report.html",  # after a broadcast ends
    "/host/products": "host-products.html",
    "/host/orders": "host-orders.html",  # the order desk
    "/host/payouts": "host-payouts.html",
    "/host/tiers": "host-tiers.html",  # member tiers and their benefits (staff read them)
    "/host/members": "host-members.html",  # the host's people: search, tags, segments
    "/host/members/{user_id:int}": "host-member.html",  # the customer 360
    "/host/staff": "host-staff.html",
    "/host/analytics": "host-analytics.html",  # funnels, traffic × conversion × order value
    "/host/outreach": "host-outreach.html",  # journeys, one-off messages, their results
    "/me/orders": "orders.html",
    "/me/orders/{order_id:int}": "order.html",  # one order: timeline, after-sales
    "/me/addresses": "addresses.html",
    "/me/coupons": "coupons.html",
    "/me/wallet": "wallet.html",
    "/me/points": "me-points.html",  # my points with each host, and their history
    "/me/inbox": "inbox.html",  # my messages (outreach), and my notification settings
    "/host/points": "host-points.html",  # the host's points rules
    "/me": "me.html",  # my account: the display name others see
    "/distributor": "distributor.html",
    # the operator console (admins only: each page's script gates it, its APIs answer 401/403)
    "/admin": "admin.html",
    "/admin/applications": "admin-applications.html",
    "/admin/users": "admin-users.html",
    "/admin/users/{user_id:int}": "admin-user.html",
    "/admin/partners": "admin-partners.html",
    "/admin/audit": "admin-audit.html",
    "/admin/withdrawals": "admin-withdrawals.html",
    "/admin/disputes": "admin-disputes.html",
    "/admin/reports": "admin-reports.html",
    "/admin/settings": "admin-settings.html",
    "/admin/gifts": "admin-gifts.html",  # the gift catalogue and tip settings
}


def _guest_cookie(request: Request[Any, Any, Any]) -> str | None:
    """A guest's first page gives it a signed id, so its first room socket already counts as
    one viewer (not as its address, then again as its id on the next visit)."""
    if request.cookies.get("lc_token"):
        return None
    settings: Settings = request.app.state.settings
    signer = guests.GuestIds(settings.secret_key)
    if signer.valid(request.cookies.get(guests.COOKIE, "")):
        return None
    _, value = guests.set_cookie(signer.issue(), settings.cookie_secure)
    return value.decode()


def _page(route: str, filename: str):
    path = Path(PAGES_DIR / filename)

    # no-cache: the shell is tiny and must match the modules it loads after a deploy.
    @get(
        route,
        exclude_from_auth=True,
        include_in_schema=False,
        name=f"page:{filename}",
        cache_control=None,
        sync_to_thread=False,
    )
    def page(request: Request[Any, Any, Any]) -> File:
        headers = {"Cache-Control": "no-cache"}
        cookie = _guest_cookie(request)
        if cookie is not None:
            headers["Set-Cookie"] = cookie
        return File(
            path, media_type="text/html", content_disposition_type="inline", headers=headers
        )

    return page


def pages_router() -> Router:
    return Router(
        path="",
        route_handlers=[_page(route, name) for route, name in PAGES.items()],
        include_in_schema=False,
    )
