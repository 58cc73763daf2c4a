"""Hub settings: one frozen Struct, so the composition root and the tests tune the same knobs."""

from __future__ import annotations

import msgspec


class HubConfig(msgspec.Struct, frozen=True, kw_only=True):
    # One frame per room per tick: 200 ms is below what a viewer perceives as lag
    # and caps fan-out at 5 frames/s per socket however busy the room is.
    tick_interval: float = 0.2
    # Counters (and this process's presence) are written and read at most this often.
    counters_interval: float = 0.2
    # Ordinary chat kept per tick (priority events are never dropped): a human reads
    # a few lines a second, so more would only cost bandwidth.
    chat_per_tick: int = 50
    # Chat lines kept per room in Redis (the list `{room:ID}:chat`, written with each tick's
    # publish), so a console that reloads shows the recent chat; 0 keeps none.
    chat_history: int = 100
    chat_history_ttl: int = 86_400
    # Incoming frames larger than this close the socket with 1009.
    max_frame_bytes: int = 4096
    # Token buckets: (tokens per second, burst). Likes are counted per frame; a frame carries 1..50.
    # One pair per viewer (user, or signed guest id) per room per process, shared by its sockets.
    chat_rate: float = 1.0
    chat_burst: float = 5.0
    like_rate: float = 10.0
    like_burst: float = 20.0
    # Sockets one viewer (a user, a signed guest id) may hold in one room on one api process; the
    # next handshake is closed with 4029 `too_many_sockets` (the open ones keep working).
    max_sockets_per_viewer: int = 5
    # Fresh guest ids handed out per client address on one process: a burst, then this many per
    # second (realtime/guests.py: minting ids would otherwise mint unique viewers).
    guest_ids_burst: float = 30.0
    guest_ids_rate: float = 0.2
    # Refusals in a row before a flooding socket is closed with 1008.
    max_strikes: int = 5
    # A socket whose unsent bytes exceed this is a slow consumer: dropped with 1013.
    max_buffered_bytes: int = 512 * 1024
    # The same for the ASGI fallback path, counted in frames waiting for the writer task.
    max_queued_frames: int = 128
    # Frames kept for a socket still waiting for its snapshot (a slow snapshot drops it).
    max_pending_frames: int = 64
    # No frame from the client (its app-level pings included) for this long: closed with 1001.
    idle_timeout: float = 60.0
    # An api process that has not refreshed its presence for this long stops counting online.
    presence_ttl: float = 10.0
    # How long a dropped socket may take to acknowledge our close before it is aborted.
    close_grace: float = 1.0
