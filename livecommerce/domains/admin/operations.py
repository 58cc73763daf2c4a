"""The console's money side for the composition root: the money queue, refunds in dispute,
reports and the settings' audit."""

from __future__ import annotations

from livecommerce.domains.admin.disputes_controller import CONTROLLERS as DISPUTES
from livecommerce.domains.admin.money_controller import CONTROLLERS as MONEY
from livecommerce.domains.admin.reports_controller import CONTROLLERS as REPORTS
from livecommerce.domains.admin.settings_controller import CONTROLLERS as SETTINGS

CONTROLLERS = [*MONEY, *DISPUTES, *REPORTS, *SETTINGS]
