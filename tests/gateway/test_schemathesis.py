"""Schemathesis against the served /openapi.json of a real gateway process: every operation,
every check, a bounded number of examples each, positive and negative; 0 failures.

The key it uses is never the one ``DELETE /api-keys/{id}`` names (an example naming it is left
out, and the key is still live at the end). JSON Schema cannot state the rules
across fields and the store (fair pay, an assessment that exists, a cursor the store issued, a
token the gateway signed): schema-valid data such a rule refuses is answered 422 naming the
field, which the positive-data check is told to accept.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck, assume, given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from gateway_processes import create_client, start_gateway

EXAMPLES = 25


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data = tmp_path_factory.mktemp("schemathesis")
    client = create_client(data)
    gateway = start_gateway(data, data)
    try:
        yield gateway.origin, client["api_key"]
    finally:
        gateway.stop()


def existing(url: str, key: str) -> dict[str, str]:
    """Objects of the client's own, by the path they are under: half the examples name one of
    them, so that a body is read as far as a real object takes it (a made-up id stops at 404)."""
    api = httpx.Client(base_url=f"{url}/api/v1", headers={"authorization": f"Bearer {key}"})
    with api:
        project = api.post(
            "/projects",
            json={"title": "Fuzzed", "task_url": "http://localhost:8001/t", "reward_cents": 30},
        ).json()
        batch = {"tasks": [{"external_id": "a", "input": {"text": "hi"}}]}
        task = api.post(f"/projects/{project['id']}/tasks", json=batch).json()["tasks"][0]
        endpoint = api.post("/webhook-endpoints", json={"url": f"{url}/nowhere"}).json()
        message = api.post(f"/webhook-endpoints/{endpoint['id']}/test").json()
        (in_use,) = api.get("/api-keys").json()["data"]
    return {
        "key in use": in_use["id"],
        "/api/v1/projects/": project["id"],
        "/api/v1/tasks/": task["id"],
        "/api/v1/webhook-endpoints/": endpoint["id"],
        "/api/v1/webhook-messages/": message["message_id"],
    }


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
    ids = existing(url, key)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    failures = [
        failure
        for operation in operations
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
        for failure in fuzz(operation, mode, ids)
    ]
    assert not failures, "\n\n".join(failures)
    still = httpx.get(f"{url}/api/v1/projects", headers={"authorization": f"Bearer {key}"})
    assert still.status_code == 200, "the key in use was never revoked"


def fuzz(operation: Any, mode: GenerationMode, ids: dict[str, str]) -> list[str]:
    """The failures of ``EXAMPLES`` examples of one operation (none: an empty list)."""
    real = next((v for k, v in ids.items() if operation.path.startswith(k)), None)
    revoking = operation.method.upper() == "DELETE" and operation.path == "/api/v1/api-keys/{id}"

    @given(case=operation.as_strategy(generation_mode=mode), own=st.booleans())
    @hypothesis.settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
    )
    def check(case: schemathesis.Case, own: bool) -> None:
        assume(not (revoking and (case.path_parameters or {}).get("id") == ids["key in use"]))
        if own and real is not None and "id" in (case.path_parameters or {}):
            case.path_parameters = {**(case.path_parameters or {}), "id": real}
        case.call_and_validate()

    try:
        check()
    except BaseException as exc:  # every operation runs; the failures are shown together
        if isinstance(exc, KeyboardInterrupt):
            raise
        return [f"{operation.label} ({mode.value}): {exc}"]
    return []
