"""Problem details in plain words: "总金额须不少于份数", not "Expected `int` >= 1 - at `$.x`".

A client still reads the stable `code` and the machine field name (`field`, `errors[].field`);
only `detail` is for people, in the language the request asks for (Accept-Language; Chinese
when it asks for both equally or for neither of ours). A request without Accept-Language (a
script, not a browser) keeps the technical detail it always had.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from livecommerce.infra.field_labels import label

LANGS = ("zh", "en")


@dataclasses.dataclass(frozen=True)
class Words:
    """What was wrong with which field, to be said in any language: `kind` names a template
    below, `params` fill it (`n`, `other` — another field's wire name —, `type`, `value`)."""

    kind: str
    field: str
    params: dict[str, Any] = dataclasses.field(default_factory=dict)


# kind -> (zh, en). {field} is the field's label; {other} another field's label.
TEMPLATES: dict[str, tuple[str, str]] = {
    "required": ("请填写{field}", "{field} is required"),
    "empty": ("{field}不能为空", "{field} must not be empty"),
    "blank": ("{field}不能只有空格", "{field} must not be blank"),
    "type": ("{field}须为{type}", "{field} must be {type}"),
    "ge": ("{field}须不少于 {n}", "{field} must be at least {n}"),
    "gt": ("{field}须大于 {n}", "{field} must be more than {n}"),
    "le": ("{field}须不超过 {n}", "{field} must be at most {n}"),
    "lt": ("{field}须小于 {n}", "{field} must be less than {n}"),
    "multiple_of": ("{field}须为 {n} 的倍数", "{field} must be a multiple of {n}"),
    "min_length": ("{field}至少 {n} 个字", "{field} must be at least {n} characters long"),
    "max_length": ("{field}最多 {n} 个字", "{field} must be at most {n} characters long"),
    "min_items": ("{field}至少 {n} 项", "{field} must have at least {n} items"),
    "max_items": ("{field}最多 {n} 项", "{field} must have at most {n} items"),
    "pattern": ("{field}的格式不正确", "{field} is not in the expected format"),
    "enum": ("{field}不能是“{value}”", "{field} can't be “{value}”"),
    "unknown_field": ("不认识的字段：{field}", "Unknown field: {field}"),
    "timezone": ("{field}须带时区", "{field} must include a time zone"),
    "datetime": ("{field}不是有效的时间", "{field} is not a valid date and time"),
    "at_least_field": ("{field}须不少于{other}", "{field} must be at least the {other}"),
    "control_characters": (
        "{field}不能含有控制字符或不可见的方向字符",
        "{field} must not contain control or invisible direction characters",
    ),
    "reserved": ("{field}“{value}”已被占用或不可使用", "{field} “{value}” is taken or reserved"),
    "invalid": ("{field}的值无效", "{field} is not valid"),
}

# msgspec's type names -> what a person would call them.
TYPES: dict[str, tuple[str, str]] = {
    "int": ("整数", "a whole number"),
    "float": ("数字", "a number"),
    "str": ("文字", "text"),
    "bool": ("是或否", "true or false"),
    "array": ("列表", "a list"),
    "object": ("对象", "an object"),
    "datetime": ("时间", "a date and time"),
    "date": ("日期", "a date"),
    "null": ("空", "empty"),
}

_OPS = {">=": "ge", ">": "gt", "<=": "le", "<": "lt"}
# msgspec's messages (litestar drops the " - at `$.x`" part and keeps the path as the key).
_MESSAGES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Object missing required field `(?P<name>[^`]+)`"), "required"),
    (re.compile(r"^Object contains unknown field `(?P<name>[^`]+)`"), "unknown_field"),
    (re.compile(r"^Expected `(?P<type>[^`]+)` of length (?P<op>>=|<=) (?P<n>\d+)"), "length"),
    (re.compile(r"^Expected `(?P<type>[^`]+)` (?P<op>>=|<=|>|<) (?P<n>-?[\d.e+]+)"), "bound"),
    (re.compile(r"^Expected `[^`]+` that's a multiple of (?P<n>[\d.]+)"), "multiple_of"),
    (re.compile(r"^Expected `str` matching regex"), "pattern"),
    (re.compile(r"^Expected `datetime` with a timezone"), "timezone"),
    (re.compile(r"^Invalid RFC3339 encoded"), "datetime"),
    (re.compile(r"^Invalid enum value (?P<value>.*)$"), "enum"),
    (re.compile(r"^Expected `(?P<type>[^`]+)`(, got `[^`]+`)?$"), "type"),
]


def language(accept_language: str | None) -> str | None:
    """ "zh" or "en" by the header's preference (equal preference: zh), "zh" for a header that
    names neither; None without the header."""
    if accept_language is None or not accept_language.strip():
        return None
    best: tuple[float, int, str] | None = None  # (quality, 1 for zh, lang): zh wins a tie
    for part in accept_language.split(",")[:20]:
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        match = re.search(r"q=([0-9.]+)", params)
        if match:
            try:
                quality = float(match.group(1))
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGS and quality > 0:
            candidate = (quality, 1 if primary == "zh" else 0, primary)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    return best[2] if best else "zh"


def from_message(path: str, message: str) -> Words:
    """The Words of one msgspec message about the value at `path` (`data` is the body itself)."""
    where = "" if path in ("data", "") else path
    for pattern, kind in _MESSAGES:
        match = pattern.match(message)
        if match is None:
            continue
        found = match.groupdict()
        if kind in ("required", "unknown_field"):
            name = found["name"]
            # `where` may name the field already (errors[].field, corrected by errors.py)
            named = where == name or where.endswith(f".{name}")
            return Words(kind, where if named else f"{where}.{name}" if where else name)
        if kind == "length":
            n = int(found["n"])
            text = found["type"].split(" | ")[0] == "str"
            if found["op"] == ">=":
                if n == 1:
                    return Words("empty", where)
                return Words("min_length" if text else "min_items", where, {"n": n})
            return Words("max_length" if text else "max_items", where, {"n": n})
        if kind == "bound":
            return Words(_OPS[found["op"]], where, {"n": found["n"]})
        if kind == "type":
            types = [t for t in found["type"].split(" | ") if t != "null"] or ["null"]
            return Words("type", where, {"type": types[0]})
        if kind == "enum":
            return Words("enum", where, {"value": found["value"].strip("'\"")[:40]})
        return Words(kind, where, {k: v for k, v in found.items() if v is not None})
    return Words("invalid", where)


def say(words: Words, lang: str) -> str:
    """The sentence, with the field named as a person would; never raises."""
    zh = lang == "zh"
    template = TEMPLATES.get(words.kind, TEMPLATES["invalid"])[0 if zh else 1]
    params = dict(words.params)
    if "type" in params:
        named = TYPES.get(str(params["type"]))
        params["type"] = (named[0] if zh else named[1]) if named else str(params["type"])
    if "other" in params:
        params["other"] = label(str(params["other"]), lang)
    params["field"] = label(words.field, lang) if words.field else ("请求" if zh else "the request")
    try:
        text = template.format(**params)
    except (KeyError, IndexError, ValueError):
        text = TEMPLATES["invalid"][0 if zh else 1].format(field=params["field"])
    return text if zh else text[:1].upper() + text[1:]


def validation_detail(errors: list[dict[str, str]], lang: str) -> str:
    """One sentence per refused value, joined."""
    sentences = [say(from_message(e.get("field", ""), e.get("message", "")), lang) for e in errors]
    return ("；" if lang == "zh" else "; ").join(dict.fromkeys(sentences))
