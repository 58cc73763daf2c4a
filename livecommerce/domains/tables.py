"""Every domain's tables, in dependency order, for the Piccolo app and the test truncation."""

from __future__ import annotations

from livecommerce.domains.accounts.tables import Address, RoleApplication, User
from livecommerce.domains.admin.tables import TABLES as ADMIN_TABLES
from livecommerce.domains.analytics.tables import TABLES as ANALYTICS_TABLES
from livecommerce.domains.catalog.tables import Product, Sku, Upload
from livecommerce.domains.distribution.tables import TABLES as DISTRIBUTION_TABLES
from livecommerce.domains.ledger.tables import Account, LedgerEntry, LedgerTransaction
from livecommerce.domains.live.follow_tables import TABLES as FOLLOW_TABLES
from livecommerce.domains.live.tables import (
    LiveSession,
    LiveSessionSample,
    Room,
    RoomModerator,
    RoomPenalty,
    SessionReminder,
    ShowcaseItem,
)
from livecommerce.domains.marketing.flash_tables import TABLES as FLASH_TABLES
from livecommerce.domains.marketing.gifts_tables import GIFT_TABLES
from livecommerce.domains.marketing.giveaway_tables import TABLES as GIVEAWAY_TABLES
from livecommerce.domains.marketing.group_tables import TABLES as GROUP_BUY_TABLES
from livecommerce.domains.members.crm_tables import TABLES as CRM_TABLES
from livecommerce.domains.members.points_tables import TABLES as POINTS_TABLES
from livecommerce.domains.members.tables import TABLES as MEMBER_TABLES
from livecommerce.domains.members.tier_tables import TABLES as TIER_TABLES
from livecommerce.domains.orders.tables import (
    Escalation,
    IdempotencyKey,
    Order,
    OrderItem,
    Refund,
)
from livecommerce.domains.outreach.campaign_tables import TABLES as CAMPAIGN_TABLES
from livecommerce.domains.outreach.channel_tables import TABLES as CHANNEL_TABLES
from livecommerce.domains.outreach.journey_tables import TABLES as JOURNEY_TABLES
from livecommerce.domains.outreach.tables import TABLES as OUTREACH_TABLES
from livecommerce.domains.payments.tables import (
    Payment,
    PaymentEvent,
    SandboxCharge,
    SandboxPayout,
)
from livecommerce.domains.payouts.tables import TABLES as PAYOUT_TABLES
from livecommerce.domains.promotions.tables import Coupon, RedPacket, RedPacketPart, UserCoupon

ALL_TABLES = (
    User,
    RoleApplication,
    Address,
    Product,
    Sku,
    Upload,
    Room,
    LiveSession,
    LiveSessionSample,
    SessionReminder,
    ShowcaseItem,
    RoomModerator,
    RoomPenalty,
    Coupon,
    UserCoupon,
    RedPacket,
    RedPacketPart,
    Account,
    LedgerTransaction,
    LedgerEntry,
    Order,
    OrderItem,
    Refund,
    Escalation,
    IdempotencyKey,
    Payment,
    PaymentEvent,
    SandboxCharge,
    SandboxPayout,
    *DISTRIBUTION_TABLES,
    *PAYOUT_TABLES,
    *ADMIN_TABLES,
    *MEMBER_TABLES,
    *TIER_TABLES,
    *POINTS_TABLES,
    *CRM_TABLES,
    *ANALYTICS_TABLES,
    *OUTREACH_TABLES,
    *CHANNEL_TABLES,
    *JOURNEY_TABLES,
    *CAMPAIGN_TABLES,
    *GIFT_TABLES,
    *FOLLOW_TABLES,
    *GIVEAWAY_TABLES,
    *GROUP_BUY_TABLES,
    *FLASH_TABLES,
)
