"""Schemathesis against `/schema/openapi.json` of the running app, every check on, positive and
negative data, as a host+admin (past the guards) and anonymously: no server error.

Bounded: MAX_EXAMPLES cases per operation and generation mode (RESILIENCE_FUZZ_EXAMPLES to
change it), no shrinking (a failure is reported as found, with its reproduction)."""

from __future__ import annotations

import asyncio
import os
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import Failure, FailureGroup

from tests.resilience.invariants import fmt

MAX_EXAMPLES = int(os.environ.get("RESILIENCE_FUZZ_EXAMPLES", 15))


# Check titles -> the short names used in the figure line.
SHORT = {
    "Undocumented status code": "undocumented status",
    "Undocumented Content-Type": "undocumented content-type",
    "API accepts requests without authentication": "public route documented as authenticated",
    "API accepts invalid authentication": "public route documented as authenticated (bad token)",
    "Unexpected response to a request without authentication": (
        "public route documented as authenticated (other)"
    ),
    "Schema-valid request rejected": "unknown body fields refused (schema allows them)",
    "Schema-violating request accepted": "invalid data accepted",
    "Missing Content-Type header": "204 documented with a JSON body",
    "JSON deserialization error": "204 documented with a JSON body (parse)",
}


def _failures(exc: BaseException) -> list[Failure]:
    if isinstance(exc, FailureGroup):
        return list(exc.exceptions)
    if isinstance(exc, Failure):
        return [exc]
    raise exc


def fuzz(
    base_url: str, headers: dict[str, str]
) -> tuple[int, int, Counter[int], dict[str, list[str]]]:
    """Run every operation; returns (operations, cases, statuses, {check title: [operation:
    reproduction]})."""
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    statuses: Counter[int] = Counter()
    found: dict[str, list[str]] = defaultdict(list)
    operations = cases = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            seen: set[str] = set()

            @settings(
                max_examples=MAX_EXAMPLES,
                deadline=None,
                database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case: Any) -> None:
                nonlocal cases
                cases += 1
                response = None
                try:
                    response = case.call(base_url=base_url, headers=headers, timeout=30)
                    statuses[response.status_code] += 1
                    case.validate_response(response, headers=headers)
                except (Failure, FailureGroup) as exc:
                    for failure in _failures(exc):
                        title = failure.title
                        if title not in seen:  # noqa: B023 - run() is called within this iteration  # one example per check and operation is enough to act on
                            seen.add(title)  # noqa: B023
                            found[title].append(
                                # B023 as above (and @given refuses default arguments)
                                f"{operation.label} [{mode.value}]: {failure.message[:300]}\n    "  # noqa: B023
                                f"{case.as_curl_command(headers)}"
                            )

            run()
    return operations, cases, statuses, found


async def test_schemathesis_finds_no_server_error(live, user_factory, figure) -> None:
    boss = await user_factory("boss", ["host", "admin"])
    runs = [
        await asyncio.to_thread(fuzz, live.url, boss.headers),
        await asyncio.to_thread(fuzz, live.url, {}),
    ]
    operations = runs[0][0]
    cases = sum(r[1] for r in runs)
    statuses: Counter[int] = sum((r[2] for r in runs), Counter())
    found: dict[str, list[str]] = defaultdict(list)
    for run in runs:
        for title, examples in run[3].items():
            found[title] += examples
    server_errors = sum(n for status, n in statuses.items() if status >= 500)
    other = {
        SHORT.get(title, title): len(examples)
        for title, examples in found.items()
        if title != "Server error"
    }
    report = "\n".join(f"== {title} ({len(ex)})\n" + "\n".join(ex) for title, ex in found.items())
    if os.environ.get("RESILIENCE_FUZZ_REPORT"):
        await asyncio.to_thread(Path(os.environ["RESILIENCE_FUZZ_REPORT"]).write_text, report)
    figure(
        f"{operations} operations x 2 modes x 2 identities, {fmt(cases)} cases: {server_errors} "
        "server errors "
        "(documentation gaps, not failing: "
        f"{', '.join(f'{k} {v}' for k, v in sorted(other.items())) or 'none'})"
    )
    # The other checks report where the OpenAPI document is silent or wrong (see README.md); a 5xx
    # is a bug.
    assert server_errors == 0 and "Server error" not in found, report
