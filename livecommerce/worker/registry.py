"""The list of jobs. Each domain's jobs.py is added here, and nowhere else."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.distribution import hooks as _distribution_hooks  # noqa: F401 - order hooks
from livecommerce.domains.distribution import jobs as distribution_jobs
from livecommerce.domains.live import commerce as _live_commerce  # noqa: F401 - order hooks
from livecommerce.domains.live import jobs as live_jobs
from livecommerce.domains.orders import jobs as order_jobs

# Imported for what they register: the handlers of succeeded payments (orders, top-ups).
from livecommerce.domains.orders import lifecycle as _orders_lifecycle  # noqa: F401
from livecommerce.domains.payments import jobs as payment_jobs
from livecommerce.domains.promotions import hooks as _promotion_hooks  # noqa: F401
from livecommerce.domains.promotions import jobs as promotion_jobs
from livecommerce.domains.wallet import services as _wallet_services  # noqa: F401

FUNCTIONS: list[Any] = [
    *order_jobs.FUNCTIONS,
    *payment_jobs.FUNCTIONS,
    *live_jobs.FUNCTIONS,
    *distribution_jobs.FUNCTIONS,
    *promotion_jobs.FUNCTIONS,
]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (job, {**schedule, "unique": True, "run_at_startup": False})
    for job, schedule in [
        *order_jobs.CRON_JOBS,
        *payment_jobs.CRON_JOBS,
        *live_jobs.CRON_JOBS,
        *distribution_jobs.CRON_JOBS,
        *promotion_jobs.CRON_JOBS,
    ]
]
