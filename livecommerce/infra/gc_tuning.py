"""The garbage collector of a serving process, tuned once its app has started.

- `gc.freeze()` after startup: the app's own objects (routes, schemas, tables, settings: tens
  of thousands, alive for the process's life) leave the collector's generations, so no
  collection walks them again.
- A first-generation threshold of 100,000 allocations instead of 700: a request allocates
  hundreds of container objects, nearly all freed by reference counting, yet each 700 of them
  set off a collection, and every tenth of those walked the process's long-lived caches (the
  verified tokens, the login answers remembered, room and packet caches).

Measured in bench/grab.py on one core (2026-12-04, one run each): 3,829 grabs/s (0.49 of GET
/healthz) with the defaults, 3,976 (0.52) with the freeze alone, 4,496 (0.585) with both; GET
/healthz, which allocates little, moved by less than the runs' noise. The cost is memory:
cyclic garbage waits for up to 100,000 allocations before it is found (a few MB at most).
Applied to `livecommerce serve` processes only (uvicorn's factory), never to an app a test
makes in its own process.
"""

from __future__ import annotations

import gc
from typing import Any

FIRST_GENERATION = 100_000
OLDER_GENERATIONS = 50


async def after_startup(_app: Any) -> None:
    gc.collect()
    gc.freeze()
    gc.set_threshold(FIRST_GENERATION, OLDER_GENERATIONS, OLDER_GENERATIONS)
