"""PATCH /api/me: change what others see of me (the display name)."""

from __future__ import annotations

from typing import Annotated

import msgspec
from litestar import patch
from litestar.di import Provide

from livecommerce.domains.accounts import profile, services
from livecommerce.domains.accounts.schemas import UserOut
from livecommerce.infra.auth import Actor, authenticated, provide_actor
from livecommerce.infra.schema import In


class ChangeProfile(In, frozen=True):
    # The bound is the wire's; what a name may be (1-20 characters after trimming, no control or
    # direction characters, nobody else's) is the service's, answered 422 with `field`.
    display_name: Annotated[str, msgspec.Meta(max_length=100)] | None = None


# A function, not a second controller on /api/me: two controllers on one path both claim its
# OPTIONS route.
@patch(
    "/api/me",
    guards=[authenticated],
    dependencies={"actor": Provide(provide_actor)},
    tags=["accounts"],
    status_code=200,
)
async def change_me(actor: Actor, data: ChangeProfile) -> UserOut:
    """Change my display name: what chat and the red-packet list show instead of my username.
    422 `invalid_display_name` (`field` displayName, `reason` blank, too_long,
    control_characters or reserved: another user's username, a host's name, a role)."""
    if data.display_name is None:
        return await services.get_user(actor.id)
    return await profile.change_display_name(actor.id, data.display_name)


CONTROLLERS = [change_me]
