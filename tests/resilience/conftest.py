"""Faults and abuse: each test prints one figure line, collected here and shown at the end of the run
(also under -q), e.g. `16 kills: 1,000/1,000 settled, 0 duplicate`."""

from __future__ import annotations

from collections.abc import Callable

import pytest

_FIGURES: list[tuple[str, str]] = []


@pytest.fixture
def figure(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """Record this test's figure line (printed in the terminal summary, passed or failed)."""

    def record(line: str) -> None:
        _FIGURES.append((request.node.name, line))

    return record


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/resilience" in str(item.path).replace("\\", "/"):
            item.add_marker(pytest.mark.resilience)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001, ARG001
    if not _FIGURES:
        return
    terminalreporter.section("resilience figures")
    width = max(len(name) for name, _ in _FIGURES)
    for name, line in _FIGURES:
        terminalreporter.write_line(f"{name:<{width}}  {line}")
