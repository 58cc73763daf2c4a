"""What outreach reads from the settings, set once at start-up (`outreach/setup.py`).

A module value rather than an argument because `reach` is called from inside other domains'
transactions with only `(tx, r)`; tests replace it with `use(...)`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class OutreachConfig:
    cap_hours: float = 16.0  # one message per user and channel per this many hours (0: no cap)
    quiet_hours: str = "21:00-09:00"  # in the user's zone; '' or 'off': none
    host_daily_cap: int = 0  # messages per host per business day (0: no cap)
    default_zone: str = "Asia/Shanghai"
    base_url: str = "http://127.0.0.1:8000"
    sandbox: bool = False
    # Seals the hosts' channel URLs (outreach/sealed_urls.py); the settings' SECRET_KEY.
    secret_key: str = "dev-only-outreach-key"


_config = OutreachConfig()


def current() -> OutreachConfig:
    return _config


def use(config: OutreachConfig | None = None, **changes: object) -> OutreachConfig:
    """Replace the config (or change some fields of it); returns the previous one."""
    global _config
    previous = _config
    _config = dataclasses.replace(config or _config, **changes)  # type: ignore[arg-type]
    return previous
