"""Data of bench/outreach.py: hosts, their products (each with a true repurchase cycle), buyers
(each a member of one host) and their paid orders, loaded with COPY in batches of buyers (so
memory stays flat at any size). Deterministic for a seed.

A buyer has 1 to 5 orders (i % 5 + 1: 3 on average), of one item; 60 % of them of the buyer's
favourite product. The last order is paid at a uniform time in the past year, each earlier one
about a cycle of its product before it (0.6 to 1.4 of it). 4 % are cancelled (never paid) and 4 %
refunded in full: neither is a purchase.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

HOSTS = 20
PRODUCTS_PER_HOST = 25
BATCH_BUYERS = 50_000
DAY = timedelta(days=1)

ORDER_COLUMNS = (
    "id",
    "buyer_id",
    "host_id",
    "status",
    "total_amount",
    "discount_amount",
    "pay_amount",
    "refunded_amount",
    "points_used",
    "points_discount",
    "payment_deadline",
    "paid_at",
    "created_at",
    "note",
)
ITEM_COLUMNS = (
    "id",
    "order_id",
    "product_id",
    "sku_id",
    "title",
    "sku_name",
    "unit_price",
    "quantity",
    "amount",
    "discount",
    "paid_amount",
    "refunded_amount",
)


@dataclass(frozen=True)
class Shop:
    host_ids: list[int]
    # product id -> (host id, sku id, true cycle in days)
    products: dict[int, tuple[int, int, int]]

    def of_host(self, host_id: int) -> list[int]:
        return [p for p, (h, _, _) in self.products.items() if h == host_id]


def shop(rng: random.Random) -> Shop:
    hosts = list(range(1, HOSTS + 1))
    products: dict[int, tuple[int, int, int]] = {}
    pid = 0
    for host in hosts:
        for _ in range(PRODUCTS_PER_HOST):
            pid += 1
            products[pid] = (host, pid, rng.randint(10, 60))
    return Shop(hosts, products)


def buyer_id(i: int) -> int:
    return HOSTS + 1 + i


def batches(
    shop: Shop, members: int, now: datetime, seed: int
) -> Iterator[tuple[list[tuple], list[tuple]]]:
    """(orders, order_items) rows, BATCH_BUYERS buyers at a time; ids from 1, one item each."""
    rng = random.Random(seed)
    per_host = {h: shop.of_host(h) for h in shop.host_ids}
    order_id = 0
    orders: list[tuple] = []
    items: list[tuple] = []
    for i in range(members):
        buyer = buyer_id(i)
        host = shop.host_ids[i % len(shop.host_ids)]
        mine = per_host[host]
        favourite = rng.choice(mine)
        at = now - rng.random() * 365 * DAY
        for _ in range(i % 5 + 1):
            product = favourite if rng.random() < 0.6 else rng.choice(mine)
            _, sku, cycle = shop.products[product]
            roll = rng.random()
            status = "cancelled" if roll < 0.04 else "refunded" if roll < 0.08 else "completed"
            order_id += 1
            price = 100 * rng.randint(10, 300)
            refunded = price if status == "refunded" else 0
            orders.append(
                (
                    order_id,
                    buyer,
                    host,
                    status,
                    price,
                    0,
                    price,
                    refunded,
                    0,
                    0,
                    at + timedelta(minutes=15),
                    None if status == "cancelled" else at,
                    at,
                    "",
                )
            )
            items.append(
                (
                    order_id,
                    order_id,
                    product,
                    sku,
                    "洗面奶",
                    "默认",
                    price,
                    1,
                    price,
                    0,
                    price,
                    refunded,
                )
            )
            at -= cycle * (0.6 + 0.8 * rng.random()) * DAY
        if (i + 1) % BATCH_BUYERS == 0:
            yield orders, items
            orders, items = [], []
    if orders:
        yield orders, items
