"""One EVALSHA with less of redis-py around it, for a request that is little but one script (a
red-packet grab). Measured in bench/grab.py with py-spy (2026-12-04): redis-py's call cost ~35
us of a grab's ~190 us of server CPU (packing and encoding ~12, the send under wait_for, which
makes a task, ~12, the rest the command's layers), against ~108 us for all of GET /healthz.

Here the command is packed by hand and written straight to the connection's stream (a few dozen
bytes: the transport sends them at once, nothing to drain); the connection comes from and goes
back to the client's pool, and the reply is read by redis-py (its read timeout; a failure
disconnects the connection before it goes back). NOSCRIPT (a restarted Redis), a cluster client
and a connection without a stream take the ordinary path, which loads the script or routes by
slot.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from redis.commands.core import AsyncScript
from redis.exceptions import NoScriptError

from livecommerce.infra import redis_cluster
from livecommerce.infra.redis import WaitingPool

_NOSCRIPT = object()


def _arg(value: Any) -> bytes:
    # As redis-py's Encoder: bytes as they are, str as UTF-8, numbers as their repr.
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if isinstance(value, bool):
        raise TypeError("a bool is not a Redis argument")
    if isinstance(value, int | float):
        return repr(value).encode()
    raise TypeError(f"{type(value).__name__} is not a Redis argument")


def pack(parts: Sequence[bytes]) -> bytes:
    """A RESP array of bulk strings."""
    return b"*%d\r\n" % len(parts) + b"".join(
        b"$%d\r\n%s\r\n" % (len(part), part) for part in parts
    )


async def evalsha(redis: Any, script: AsyncScript, keys: Sequence[Any], args: Sequence[Any]) -> Any:
    """`await script(keys=keys, args=args)`: the same answer and errors, with less around it."""
    pool = getattr(redis, "connection_pool", None)
    if not isinstance(pool, WaitingPool) or redis_cluster.is_cluster(redis):
        return await script(keys=keys, args=args)
    command = pack(
        [b"EVALSHA", script.sha.encode(), b"%d" % len(keys), *map(_arg, keys), *map(_arg, args)]
    )
    connection = await pool.get_connection("EVALSHA")
    try:
        writer = getattr(connection, "_writer", None)
        if writer is None:
            await connection.send_packed_command(command, check_health=False)
        else:
            try:
                writer.write(command)
            except BaseException:
                await connection.disconnect(nowait=True)
                raise
        try:
            reply = await connection.read_response()
        except NoScriptError:
            reply = _NOSCRIPT
    finally:
        await pool.release(connection)
    if reply is _NOSCRIPT:
        return await script(keys=keys, args=args)
    return reply
