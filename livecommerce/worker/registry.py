"""The list of jobs. Each domain's jobs.py is added here, and nowhere else. Who reacts to
what is not here: jobs read `ctx["wiring"]` (livecommerce/wiring.py), filled at start-up."""

from __future__ import annotations

from typing import Any

from livecommerce.domains.analytics import jobs as analytics_jobs
from livecommerce.domains.distribution import jobs as distribution_jobs
from livecommerce.domains.live import jobs as live_jobs
from livecommerce.domains.marketing import flash_jobs, gifts_jobs, giveaway_jobs, group_jobs
from livecommerce.domains.members import jobs as member_tier_jobs
from livecommerce.domains.members import points_jobs, tag_jobs
from livecommerce.domains.orders import jobs as order_jobs
from livecommerce.domains.outreach import campaign_jobs, journey_jobs
from livecommerce.domains.outreach import jobs as outreach_jobs
from livecommerce.domains.payments import jobs as payment_jobs
from livecommerce.domains.promotions import jobs as promotion_jobs

FUNCTIONS: list[Any] = [
    *order_jobs.FUNCTIONS,
    *payment_jobs.FUNCTIONS,
    *live_jobs.FUNCTIONS,
    *distribution_jobs.FUNCTIONS,
    *promotion_jobs.FUNCTIONS,
    *analytics_jobs.FUNCTIONS,
    *tag_jobs.FUNCTIONS,
    *points_jobs.FUNCTIONS,
    *member_tier_jobs.FUNCTIONS,
    *outreach_jobs.FUNCTIONS,
    *journey_jobs.FUNCTIONS,
    *campaign_jobs.FUNCTIONS,
    *group_jobs.FUNCTIONS,
    *giveaway_jobs.FUNCTIONS,
    *flash_jobs.FUNCTIONS,
]
CRON_JOBS: list[tuple[Any, dict[str, Any]]] = [
    (job, {**schedule, "unique": True, "run_at_startup": False})
    for job, schedule in [
        *order_jobs.CRON_JOBS,
        *payment_jobs.CRON_JOBS,
        *live_jobs.CRON_JOBS,
        *distribution_jobs.CRON_JOBS,
        *promotion_jobs.CRON_JOBS,
        *analytics_jobs.CRON_JOBS,
        *tag_jobs.CRON_JOBS,
        *points_jobs.CRON_JOBS,
        *member_tier_jobs.CRON_JOBS,
        *outreach_jobs.CRON_JOBS,
        *journey_jobs.CRON_JOBS,
        *campaign_jobs.CRON_JOBS,
        *gifts_jobs.CRON_JOBS,
        *group_jobs.CRON_JOBS,
        *giveaway_jobs.CRON_JOBS,
        *flash_jobs.CRON_JOBS,
    ]
]
