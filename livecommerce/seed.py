"""Demo data for `livecommerce up` / `seed`: created once, found again on the next run."""

from __future__ import annotations

from livecommerce.domains.accounts.tables import User
from livecommerce.infra.auth import hash_password

DEMO_USERS = (
    # username, password, display name, roles
    ("admin", "admin-pass-123", "Operator", ["admin"]),
    ("demo-host", "host-pass-123", "小米直播间 Demo Host", ["host"]),
    ("demo-viewer", "viewer-pass-123", "Demo Viewer", []),
    ("demo-distributor", "dist-pass-123", "Demo Distributor", ["distributor"]),
)

SEED_HOOKS: list = []  # domains append async callables taking {username: user_id}


async def seed_demo() -> list[tuple[str, str, str]]:
    """Create the demo users (and whatever the domains seed) if absent; return the logins."""
    ids: dict[str, int] = {}
    for username, password, display_name, roles in DEMO_USERS:
        row = await User.select(User.id).where(User.username == username).first()
        if row is None:
            rows = await User.insert(
                User(username=username, display_name=display_name, password_hash=await hash_password(password), roles=roles)
            ).returning(User.id)
            row = rows[0]
        ids[username] = row["id"]
    for hook in SEED_HOOKS:
        await hook(ids)
    return [(u, p, ", ".join(r) or "viewer") for u, p, _, r in DEMO_USERS]
