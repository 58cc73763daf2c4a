"""Channel bodies (camelCase on the wire): a browser's push subscription, the site's VAPID
public key, and a host's IM bot and SMS gateway URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from livecommerce.infra.schema import In, Out

# base64url, padded or not (outreach/webpush.py check_keys reads them: 422 when they are not a
# P-256 point, 65 bytes or 87 characters, and a 16-byte auth secret, 22 characters).
P256dh = Annotated[str, msgspec.Meta(min_length=86, max_length=100)]
AuthSecret = Annotated[str, msgspec.Meta(min_length=16, max_length=32)]
Endpoint = Annotated[str, msgspec.Meta(min_length=10, max_length=1024)]
ChannelUrl = Annotated[str, msgspec.Meta(min_length=4, max_length=2000)]
Label = Annotated[str, msgspec.Meta(max_length=40)]
RowId = Annotated[int, msgspec.Meta(ge=1, le=2**31 - 1)]

PUSH_SUBSCRIPTIONS_PER_USER = 10
BOTS_PER_HOST = 10


class PushKeysIn(In, frozen=True):
    p256dh: P256dh
    auth: AuthSecret


class PushSubscriptionIn(In, frozen=True):
    """What `PushSubscription.toJSON()` gives in the browser, sent as it is."""

    endpoint: Endpoint
    keys: PushKeysIn
    # Browsers send it (mostly null); the push service says when a subscription is gone anyway.
    expiration_time: Annotated[float, msgspec.Meta(ge=0, le=1e15)] | None = None


class PushSubscriptionOut(Out):
    id: int
    service: str  # the push service's origin (where the endpoint is), never the endpoint itself
    user_agent: str
    created_at: datetime


class PushSubscriptionList(Out):
    items: list[PushSubscriptionOut]
    limit: int = PUSH_SUBSCRIPTIONS_PER_USER


class VapidKeyOut(Out):
    public_key: str  # the applicationServerKey, base64url


class ChannelUrlIn(In, frozen=True):
    """A new URL (`url`), or one already saved kept as it is (`keep`: its id), so a client that
    only ever saw the masked form can save the settings without re-typing the secrets."""

    label: Label = ""
    url: ChannelUrl | None = None
    keep: RowId | None = None


class ChannelSettingsIn(In, frozen=True):
    """The host's whole set: replaced by each PUT."""

    bots: Annotated[list[ChannelUrlIn], msgspec.Meta(max_length=BOTS_PER_HOST)] = []
    # One SMS gateway: an apprise URL with `{phone}` where the buyer's number goes.
    sms: ChannelUrlIn | None = None


class ChannelUrlOut(Out):
    id: int
    label: str
    service: str  # apprise's name for it: "WeCom Bot", "DingTalk", "Feishu", "JSON"
    url: str  # masked: the scheme and host only; tokens and passwords never leave


class ChannelSettingsOut(Out):
    bots: list[ChannelUrlOut]
    sms: ChannelUrlOut | None
    bots_limit: int = BOTS_PER_HOST
