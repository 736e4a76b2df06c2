"""Schemathesis against the served /openapi.json of a real gateway process: every operation,
every check, a bounded number of examples each, positive and negative; 0 failures.

The key it uses cannot be revoked by what it sends (an API key's id is never in the examples:
they are made up, so ``DELETE /api-keys/{id}`` finds none). JSON Schema cannot state the rules
across fields and the store (fair pay, an assessment that exists, a cursor the store issued, a
token the gateway signed): schema-valid data such a rule refuses is answered 422 naming the
field, which the positive-data check is told to accept.
"""

from __future__ import annotations

from collections.abc import Iterator

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from schemathesis import GenerationMode

from gateway_processes import create_client, start_gateway

EXAMPLES = 12


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data = tmp_path_factory.mktemp("schemathesis")
    client = create_client(data)
    gateway = start_gateway(data, data)
    try:
        yield gateway.origin, client["api_key"]
    finally:
        gateway.stop()


def test_every_operation_passes_every_check(served: tuple[str, str]) -> None:
    url, key = served
    config = schemathesis.Config.from_dict(
        {
            "auth": {"openapi": {"apiKey": {"bearer": key}}},
            "checks": {
                "positive_data_acceptance": {
                    "expected-statuses": ["2xx", "401", "403", "404", "409", "422", "429"]
                },
            },
        }
    )
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", config=config)
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis.settings(
                max_examples=EXAMPLES,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                derandomize=True,
            )
            def check(case: schemathesis.Case) -> None:
                case.call_and_validate()

            try:
                check()
            except BaseException as exc:  # all are collected, then all shown
                if isinstance(exc, KeyboardInterrupt):
                    raise
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    assert not failures, "\n\n".join(failures)
