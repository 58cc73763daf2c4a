"""Dependencies between domains point down, and only the composition roots know them all."""

from __future__ import annotations

import re
from pathlib import Path

import livecommerce

PACKAGE = Path(livecommerce.__file__).parent
DOMAINS = PACKAGE / "domains"
IMPORT = re.compile(
    r"livecommerce\.domains\.([a-z_]+)|from livecommerce\.domains import ([a-z_, ]+)"
)

# Who may import whom (besides itself). A new edge is a design decision: add it here.
ALLOWED = {
    "accounts": set(),
    "ledger": {"accounts"},
    "catalog": {"accounts"},
    "live": {"accounts", "catalog"},
    "payments": {"accounts", "ledger"},
    "wallet": {"ledger"},
    "orders": {"accounts", "catalog", "ledger", "payments"},
    "promotions": {"accounts", "ledger", "live", "orders"},
    "distribution": {"accounts", "catalog", "ledger", "orders", "payments"},
    "payouts": {"accounts", "ledger", "payments"},
    # Behaviour events and funnels read what happened where (rooms, products, orders, links).
    "analytics": {"accounts", "catalog", "distribution", "live", "orders"},
    # Members react to orders, grant through the coupon and red-packet engines, and read the
    # events for tags and the customer 360.
    "members": {
        "accounts",
        "analytics",
        "catalog",
        "distribution",
        "ledger",
        "live",
        "orders",
        "promotions",
    },
    # Outreach reaches members (segments, tiers) about rooms, products and orders.
    "outreach": {
        "accounts",
        "analytics",
        "catalog",
        "distribution",
        "ledger",
        "live",
        "members",
        "orders",
        "promotions",
    },
    # Live marketing (flash sales, group buys, giveaways, tips) sells through orders, pays through
    # the ledger and speaks in the live room.
    # A flash price never stacks with a member price: flash orders read members' prices.
    "marketing": {
        "accounts",
        "catalog",
        "ledger",
        "live",
        "members",
        "orders",
        "payments",
        "promotions",
    },
    # The console reads and acts on every domain, through their services.
    "admin": {
        "accounts",
        "analytics",
        "catalog",
        "distribution",
        "ledger",
        "live",
        "marketing",
        "members",
        "orders",
        "outreach",
        "payments",
        "payouts",
        "promotions",
        "wallet",
    },
}


def _imports_of(domain: Path) -> set[str]:
    found: set[str] = set()
    for path in domain.rglob("*.py"):
        for match in IMPORT.finditer(path.read_text(encoding="utf-8")):
            if match.group(1):
                found.add(match.group(1))
            else:
                found.update(name.strip() for name in match.group(2).split(","))
    return found - {domain.name, "tables"}


def test_each_domain_imports_only_the_domains_below_it() -> None:
    actual = {d.name: _imports_of(d) for d in DOMAINS.iterdir() if (d / "__init__.py").exists()}
    assert set(actual) == set(ALLOWED)
    assert {
        name: deps - ALLOWED[name] for name, deps in actual.items() if deps - ALLOWED[name]
    } == {}


def test_the_allowed_graph_has_no_cycle() -> None:
    seen: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"cycle: {' -> '.join((*path, name))}"
        if name in seen:
            return
        for dep in ALLOWED[name]:
            visit(dep, (*path, name))
        seen.add(name)

    for name in ALLOWED:
        visit(name, ())


def test_no_domain_imports_the_composition_roots() -> None:
    roots = re.compile(r"livecommerce\.(app|wiring|worker)\b|from livecommerce import (app|wiring)")
    users = [
        str(path.relative_to(PACKAGE))
        for path in DOMAINS.rglob("*.py")
        if roots.search(path.read_text(encoding="utf-8"))
    ]
    assert users == []
