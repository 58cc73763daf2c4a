from __future__ import annotations

import random

import msgspec
import pytest

from livecommerce.realtime.limits import TokenBucket
from livecommerce.realtime.sampling import sample_events
from livecommerce.realtime.sockets import ws_text_frame
from livecommerce.realtime.wire import Chat, Like, Ping, client_decoder, make_event


def test_client_frames_are_tagged_and_bounded() -> None:
    assert client_decoder.decode(b'{"type":"chat","text":"hi"}') == Chat(text="hi")
    assert client_decoder.decode(b'{"type":"like","count":3}') == Like(count=3)
    assert client_decoder.decode(b'{"type":"ping"}') == Ping()
    for bad in (
        b'{"type":"chat","text":"' + b"x" * 201 + b'"}',
        b'{"type":"like","count":51}',
        b'{"type":"like","count":0}',
        b'{"type":"shout"}',
    ):
        with pytest.raises(msgspec.ValidationError):
            client_decoder.decode(bad)


def test_sampling_keeps_every_priority_event_and_at_most_n_chat_lines() -> None:
    events = [make_event("chat", text=str(i)) for i in range(500)]
    events[7:7] = [make_event("pin", productId=1)]
    events[300:300] = [make_event("chat", priority=True, text="host")]
    kept = sample_events(events, 50, random.Random(1))
    assert sum(1 for e in kept if not e["priority"]) == 50
    assert [e for e in kept if e["priority"]] == [e for e in events if e["priority"]]
    assert kept == [e for e in events if e in kept]  # arrival order kept


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    bucket = TokenBucket(rate=2.0, burst=3.0, now=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert bucket.take(0.5) and not bucket.take(0.5)


@pytest.mark.parametrize("size", [0, 125, 126, 65535, 65536])
def test_frames_are_framed_as_rfc6455_says(size: int) -> None:
    from websockets.frames import Frame
    from websockets.streams import StreamReader

    payload = b"a" * size
    reader = StreamReader()
    reader.feed_data(ws_text_frame(payload))
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        frame = done.value
    assert frame.data == payload and frame.fin and frame.opcode.name == "TEXT"
