"""The accounts' port: what other domains do when someone registers or logs in, and when a role
is asked for or granted.

Filled in `livecommerce/wiring.py`. Accounts is the bottom domain and imports none of the ones
that react (distribution binds a referred visitor at sign-up, and makes the distributor profile
that goes with the `distributor` role). Each reaction runs in the step's transaction with its
`Tx`: a role is never granted without its profile, nor the profile made without the role asked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from asyncpg import Connection

from livecommerce.infra.db import Tx

# (tx, user id, registered): the user just registered (True) or logged in (False), in their own
# request (so a reaction may read that request's cookies through a context variable).
SignedIn = Callable[[Tx, int, bool], Awaitable[None]]
# (tx, user id): a role was asked for by its user, or granted to them.
RoleReaction = Callable[[Tx, int], Awaitable[None]]
# (conn) -> "open" | "approval" | None: how the role is given; None: as the environment says.
Signup = Callable[[Connection], Awaitable[str | None]]


@dataclass(frozen=True, slots=True)
class RoleHooks:
    """What goes with one role (e.g. `distributor`: a profile with a code and a parent)."""

    signup: Signup | None = None
    # The user asked for the role in their own request (granted at once or pending).
    applied: tuple[RoleReaction, ...] = ()
    # The role was granted: open signup, an operator's approval, the demo seed.
    granted: tuple[RoleReaction, ...] = ()


@dataclass(frozen=True, slots=True)
class AccountHooks:
    signed_in: tuple[SignedIn, ...] = ()
    roles: Mapping[str, RoleHooks] = field(default_factory=dict)

    def role(self, name: str) -> RoleHooks:
        return self.roles.get(name) or RoleHooks()
