from __future__ import annotations

from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out


class TopUp(In, frozen=True):
    amount: Annotated[int, msgspec.Meta(ge=1, le=10_000_000)]
    provider: str = "sandbox"


class TopUpOut(Out):
    payment_id: int
    amount: int
    pay_url: str
