"""uWebSockets' publish loop (PyPI `socketify`) as a fan-out limit: `python -m bench.fanout
--serve socketify` runs this (see bench/fanout.py's docstring for why it drives libuv itself)."""

from __future__ import annotations

import time
from typing import Any

from bench.fanout import _event, _frame, _pad_for


def serve_socketify(port: int, frame_size: int) -> None:
    """uWebSockets' own loop: publish each produced frame to the room's topic (see docstring)."""
    import os

    from socketify import App, OpCode

    pad = _pad_for(frame_size)
    app = App()
    app.ws(
        "/*",
        {
            "open": lambda ws: ws.subscribe("room"),
            "message": lambda ws, message, opcode: None,
            "compression": 0,
            "max_payload_length": 4096,
            "idle_timeout": 0,
            "max_backpressure": 512 * 1024,
            "close_on_backpressure_limit": True,
            "send_pings_automatically": False,
        },
    )
    app.listen(port, lambda config: None)
    uv = app.loop.uv_loop
    state: dict[str, Any] = {"seq": 0, "run": None, "buf": b""}

    def produce(_: Any) -> None:
        run = state["run"]
        if run is None:
            return
        rate, seconds, start, chat = run
        elapsed = time.monotonic() - start
        if elapsed >= seconds:
            state["run"] = None
            print(f"done {state['sent']}", flush=True)
            return
        for _ in range(int(elapsed * rate) + 1 - state["sent"]):
            for event in (_event(state["sent"], pad), *([_event(-1, pad, False)] if chat else [])):
                state["seq"] += 1
                app.publish("room", _frame(state["seq"], event), OpCode.TEXT)
            state["sent"] += 1

    def commands(_: Any) -> None:
        try:
            data = os.read(0, 65536)
        except BlockingIOError:
            return
        if not data:  # the driver is gone
            os._exit(0)
        state["buf"] += data
        *lines, state["buf"] = state["buf"].split(b"\n")
        for line in lines:
            words = line.decode().split()
            if words and words[0] == "run":
                state["sent"] = 0
                rate = float(words[1])
                state["run"] = (rate, float(words[2]), time.monotonic(), words[3] == "1")
                # Wake as often as the asyncio producers do (they sleep min(1/rate, 5 ms)).
                state["timers"][0].set_repeat(max(1, min(5, int(1000 / rate))))
            elif words:
                print("ok", flush=True)

    os.set_blocking(0, False)
    # 1 ms is libuv's timer resolution, like the ~1 ms sleeps of the asyncio producers.
    state["timers"] = [
        uv.create_timer(5, 5, produce, None),
        uv.create_timer(20, 20, commands, None),
    ]
    print("ready", flush=True)
    uv.run()
