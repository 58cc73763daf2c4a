"""Every Lua script in the tree touches one Redis Cluster slot (infra/redis.py's one-slot rule).

Two halves make the rule: (1) a script touches only keys it was given in KEYS, never a name it
builds from ARGV or a constant (on a cluster Redis 7 lets such a key through when its slot
happens to sit on the same node, and fails it when not: a bug that shows only in production);
(2) the keys the code passes share one slot, which redis-py's cluster client checks at every
call (RedisClusterException: all keys must map to the same key slot) and `make test-cluster`
exercises; here the room key builders are also checked directly, without a cluster.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from redis.crc import key_slot

from livecommerce.domains.live import clicks
from livecommerce.domains.marketing import flash_gate, giveaway_watch
from livecommerce.domains.promotions import live_state
from livecommerce.realtime import counters

ROOT = Path(__file__).resolve().parents[2]
TREE = ROOT / "livecommerce"

# Commands with no key argument, or whose first argument is not a key.
NO_KEYS = frozenset(
    {"TIME", "PING", "ECHO", "INFO", "DBSIZE", "RANDOMKEY", "SCRIPT", "PUBLISH", "SPUBLISH"}
)
# Commands whose every argument is a key.
ALL_KEYS = frozenset(
    {"DEL", "UNLINK", "EXISTS", "TOUCH", "MGET", "PFCOUNT", "SUNION", "SINTER", "SDIFF", "WATCH"}
)
# Commands whose first two arguments are keys.
TWO_KEYS = frozenset(
    {"RENAME", "RENAMENX", "RPOPLPUSH", "LMOVE", "SMOVE", "COPY", "ZUNIONSTORE", "SDIFFSTORE"}
)
KEY_REF = re.compile(r"^KEYS\[[^\]]+\]$")


def lua_sources() -> Iterator[tuple[str, str]]:
    """(where, text) for every .lua file and every Python string that holds Lua."""
    for path in sorted(TREE.rglob("*.lua")):
        yield str(path.relative_to(ROOT)), path.read_text()
    for path in sorted(TREE.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and re.search(r"redis\.p?call\s*\(", node.value)
            ):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def _split_args(text: str, start: int) -> tuple[list[str], int]:
    """The top-level comma-separated arguments of the call whose '(' is at `start`."""
    depth, i, quote = 0, start, ""
    args: list[str] = []
    current: list[str] = []
    while i < len(text):
        ch = text[i]
        if quote:
            current.append(ch)
            if ch == "\\":
                current.append(text[i + 1])
                i += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch in "([{":
            depth += 1
            if depth > 1:
                current.append(ch)
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                args.append("".join(current).strip())
                return args, i
            current.append(ch)
        elif ch == "," and depth == 1:
            args.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
        i += 1
    raise ValueError("unbalanced call")


def key_arguments(command: str, args: list[str]) -> list[str]:
    if command in NO_KEYS:
        return []
    if command in ALL_KEYS:
        return args
    if command in TWO_KEYS:
        return args[:2]
    if command == "EVAL" or command == "EVALSHA":
        return ["<script inside a script>"]
    return args[:1]


IDENT = re.compile(r"^[A-Za-z_]\w*$")


def _only_keys(code: str, name: str, depth: int = 0) -> bool:
    """A variable holds only KEYS[...]: each assignment to it is one, or it is the loop variable
    over a table whose every element is one (`for _, key in ipairs(counted)`)."""
    if depth > 3:
        return False
    assigned = rf"(?<![\w.]){name}\s*(?:\[[^\]]*\])?\s*=(?!=)\s*([^\n]+)"
    sources = [found[1].strip() for found in re.finditer(assigned, code)]
    for found in re.finditer(rf"for\s+\w+\s*,\s*{name}\s+in\s+i?pairs\((\w+)\)", code):
        if not _only_keys(code, found[1], depth + 1):
            return False
        sources.append("KEYS[0]")
    if not sources:
        return False
    for source in sources:
        items = (
            [s.strip() for s in source.strip("{}").split(",")]
            if source.startswith("{")
            else [source]
        )
        if not all(KEY_REF.match(item) for item in items if item):
            return False
    return True


def offences(text: str) -> list[str]:
    """Each redis.call whose key is not a KEYS[...] reference, as 'CMD key'."""
    found: list[str] = []
    code = re.sub(r"--[^\n]*", "", text)  # comments may quote calls
    for match in re.finditer(r"redis\.p?call\s*\(", code):
        args, _ = _split_args(code, match.end() - 1)
        if not args:
            continue
        name = args[0].strip("'\"").upper()
        for key in key_arguments(name, args[1:]):
            if key.startswith("unpack(KEYS"):
                continue
            if KEY_REF.match(key) or (IDENT.match(key) and _only_keys(code, key)):
                continue
            found.append(f"{name} {key}")
    return found


SOURCES = list(lua_sources())


def test_the_walk_finds_the_scripts_the_code_loads() -> None:
    names = {where for where, _ in SOURCES}
    assert "livecommerce/domains/promotions/lua/red_packet_grab.lua" in names
    assert any(w.startswith("livecommerce/realtime/counters.py:") for w in names)
    assert len(SOURCES) >= 12


@pytest.mark.parametrize(("where", "text"), SOURCES, ids=[w for w, _ in SOURCES])
def test_a_script_touches_only_the_keys_it_is_given(where: str, text: str) -> None:
    assert offences(text) == [], f"{where}: keys not passed in KEYS (build them in Python)"


def test_the_check_catches_a_key_built_inside_a_script() -> None:
    built = "redis.call('HSET', KEYS[1], 'a', 1)\nredis.call('SET', 'room:' .. ARGV[1], 1)"
    assert offences(built) == ["SET 'room:' .. ARGV[1]"]
    assert offences("redis.call('DEL', KEYS[1], KEYS[2])") == []
    assert offences("local t = redis.call('TIME')") == []
    looped = (
        "local ks = {KEYS[2]}\nks[2] = KEYS[3]\nfor _, k in ipairs(ks) do redis.call('GET', k) end"
    )
    assert offences(looped) == []
    assert offences("local k = 'x:' .. ARGV[1]\nredis.call('GET', k)") == ["GET k"]


def _one_slot(keys: list[str]) -> bool:
    return len({key_slot(k.encode()) for k in keys}) == 1


@pytest.mark.parametrize("room_id", [1, 7, 12345, 2**40])
def test_the_room_key_builders_keep_a_room_on_one_slot(room_id: int) -> None:
    """The keys each room script is called with (and the room's channel) share a slot."""
    together = [
        *counters.keys(room_id),
        *counters.product_keys(room_id),
        counters.chat_key(room_id),
        counters.channel(room_id),
        *clicks.session_keys(room_id),
        *live_state.packet_keys(room_id, 99),
        live_state.joined_key(room_id),
        live_state.coupon_key(room_id, 5),
        *flash_gate.keys(room_id, 3),
        *giveaway_watch.keys(room_id),
    ]
    assert _one_slot(together)
    assert not _one_slot([counters.keys(room_id)[0], counters.keys(room_id + 1)[0]]) or (
        key_slot(f"room:{room_id}".encode()) == key_slot(f"room:{room_id + 1}".encode())
    )
