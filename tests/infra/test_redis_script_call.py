"""The hand-packed EVALSHA answers as redis-py's script call does: the same replies and errors,
after a SCRIPT FLUSH too (NOSCRIPT: it loads the script and runs it), and its connection goes
back to the pool clean for the next command."""

from __future__ import annotations

import pytest
from redis.exceptions import ResponseError

from livecommerce.infra import redis as redis_infra
from livecommerce.infra.redis_script_call import evalsha, pack
from livecommerce.settings import Settings

SCRIPT = """
if ARGV[1] == 'fail' then return redis.error_reply('ERR asked to fail') end
redis.call('SET', KEYS[1], ARGV[1])
return {KEYS[1], ARGV[1], tonumber(ARGV[2]) * 2, redis.call('GET', KEYS[1])}
"""


def test_pack_is_resp() -> None:
    assert pack([b"EVALSHA", b"ab", b"1", b"k"]) == (
        b"*4\r\n$7\r\nEVALSHA\r\n$2\r\nab\r\n$1\r\n1\r\n$1\r\nk\r\n"
    )


async def test_the_same_replies_and_errors_as_redis_py_and_noscript_reloads(
    migrated: Settings,
) -> None:
    redis = redis_infra.connect(migrated.redis_url or "")
    try:
        script = redis.register_script(SCRIPT)
        expected = await script(keys=["{t}:a"], args=["x", 21])
        assert await evalsha(redis, script, ["{t}:a"], ["x", 21]) == expected
        assert expected == [b"{t}:a", b"x", 42, b"x"]
        assert await evalsha(redis, script, ["{t}:b"], [b"y", 1.5]) == [b"{t}:b", b"y", 3, b"y"]
        with pytest.raises(ResponseError, match="asked to fail"):
            await evalsha(redis, script, ["{t}:a"], ["fail", 0])
        await redis.script_flush()  # as after a Redis restart: the script must be loaded again
        assert await evalsha(redis, script, ["{t}:c"], ["z", 2]) == [b"{t}:c", b"z", 4, b"z"]
        assert await redis.get("{t}:c") == b"z"  # the pooled connection is clean afterwards
        with pytest.raises(TypeError):
            await evalsha(redis, script, ["{t}:a"], [True, 1])
    finally:
        await redis.aclose()
