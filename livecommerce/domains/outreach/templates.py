"""What each journey says, in zh-CN and en: a title and a body, plain text.

The values come from the message's context (written by the journey) and the buyer's display
name. They are substituted once (`format_map` never re-reads what it substituted, so a host's
"{name}" in a broadcast stays as written) and the result is plain text: every channel that
builds markup escapes it (the inbox page sets textContent, the e-mail channel escapes HTML).
Control characters are dropped and lengths bounded, so nothing a host wrote can break a line
protocol (an SMS gateway, an IM bot's JSON) either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LANGS = ("zh-CN", "en")
DEFAULT_LANG = "zh-CN"
TITLE_MAX = 120
BODY_MAX = 1000

# template key -> lang -> (title, body)
TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "reminder": {
        "zh-CN": (
            "{room_title} 开播了",
            "{name}，你预约的「{session_title}」已经开始，快来直播间看看吧。",
        ),
        "en": ("{room_title} is live", "{name}, “{session_title}” you asked about has started."),
    },
    "repurchase": {
        "zh-CN": (
            "{product_title} 快用完了吗？",
            "{name}，按你上次购买的时间，{product_title} 可能快用完了，点此再次购买。",
        ),
        "en": (
            "Running low on {product_title}?",
            "{name}, going by your last order, {product_title} may be running out."
            " Tap to buy again.",
        ),
    },
    "viewed_not_bought": {
        "zh-CN": (
            "{product_title} 给你留了一张券",
            "{name}，你看了好几次 {product_title}，送你「{coupon_title}」，立减 {amount_off}。",
        ),
        "en": (
            "A coupon for {product_title}",
            "{name}, you looked at {product_title} a few times:"
            " here is “{coupon_title}”, {amount_off} off.",
        ),
    },
    "member_day": {
        "zh-CN": ("{host_name} 会员日", "{name}，今天是 {host_name} 的会员日：{benefit}"),
        "en": ("{host_name} member day", "{name}, today is {host_name}'s member day: {benefit}"),
    },
    "tier_change": {
        "zh-CN": (
            "你在 {host_name} 的会员等级变了",
            "{name}，你在 {host_name} 的会员等级现在是「{tier_name}」。",
        ),
        "en": (
            "Your tier at {host_name} changed",
            "{name}, your tier at {host_name} is now “{tier_name}”.",
        ),
    },
    "broadcast": {
        "zh-CN": ("{title}", "{body}"),
        "en": ("{title}", "{body}"),
    },
}

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass(frozen=True, slots=True)
class Rendered:
    title: str
    body: str


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""  # a value the journey did not give is left out, never a KeyError


def yuan(fen: Any) -> str:
    try:
        amount = int(fen)
    except (TypeError, ValueError):
        return ""
    return f"¥{amount // 100}.{amount % 100:02d}"


def lang_of(preferred: str | None) -> str:
    return preferred if preferred in LANGS else DEFAULT_LANG


def _clean(text: Any, limit: int) -> str:
    return _CONTROL.sub("", str(text))[:limit]


def render(template: str, lang: str, name: str, context: dict[str, Any]) -> Rendered:
    """The message in `lang` (zh-CN when unknown); an unknown template falls back to a broadcast
    of the context's title and body."""
    texts = TEMPLATES.get(template, TEMPLATES["broadcast"])
    title, body = texts.get(lang_of(lang), texts[DEFAULT_LANG])
    values = _Values({k: _clean(v, BODY_MAX) for k, v in context.items() if isinstance(k, str)})
    if "amount_off" in context:
        values["amount_off"] = yuan(context["amount_off"])
    values["name"] = _clean(name, 64)
    return Rendered(
        title=_clean(title.format_map(values), TITLE_MAX).strip(),
        body=_clean(body.format_map(values), BODY_MAX).strip(),
    )
