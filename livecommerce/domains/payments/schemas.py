from __future__ import annotations

from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out


class TopUp(In, frozen=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
    # payments.provider is a varchar(16); which names are known is the providers' registry's say.
    provider: Annotated[str, msgspec.Meta(min_length=1, max_length=16)] = "sandbox"


class TopUpOut(Out):
    payment_id: int
    amount: int
    # The gateway's page to pay at, absolute (the sandbox's is under PUBLIC_URL).
    pay_url: str


class SandboxPaid(Out):
    """The sandbox gateway's answer to its pay button: what the shop made of the payment."""

    payment_id: int
    # `applied` the first time, `duplicate` when it had been paid already.
    result: str
