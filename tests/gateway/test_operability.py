"""What an operator watches: /healthz, /readyz, /metrics during a small run (submissions and
the outbox moving as they should), each request's id in its answer and in the JSON log lines
written meanwhile."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from crowdframe_gateway.app import create_app
from delivery_harness import delivering, endpoint, wait_until
from harness import GATEWAY, ON_BOTH_STORES, ApiClient, Gateway, settings_for
from receiver import running_receiver


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of a scrape: (name, sorted labels) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


async def scrape(gateway: Gateway) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    answer = await gateway.http.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return samples(answer.text)


def value(
    scraped: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return scraped.get((name, tuple(sorted(labels.items()))), 0.0)


async def test_healthz_and_readyz_answer_when_all_is_well(gateway: Gateway) -> None:
    health = await gateway.http.get("/healthz")
    assert health.status_code == 200 and health.json() == {"status": "ok"}
    ready = await gateway.http.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready", "checks": {"store": "ok"}}


async def test_readyz_names_the_background_loops_and_fails_when_one_stopped(
    tmp_path: Path,
) -> None:
    app = create_app(settings_for(tmp_path), background=True)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
            ready = (await http.get("/readyz")).json()
            assert ready["checks"] == {"store": "ok", "delivery": "ok", "sweeper": "ok"}
            app.state.loops.tasks["sweeper"].cancel()  # a loop that died
            await wait_until(lambda: app.state.loops.tasks["sweeper"].done(), "the loop's end")
            stopped = await http.get("/readyz")
    assert stopped.status_code == 503
    assert stopped.json()["checks"]["sweeper"] == "stopped"


@ON_BOTH_STORES
async def test_metrics_follow_a_small_run(gateway: Gateway, api: ApiClient) -> None:
    with running_receiver() as receiver:
        hook = await endpoint(api, receiver.url, ["assignment.submitted"])
        project = await api.project(tasks=2, assignments_per_task=1)
        before = await scrape(gateway)
        assert value(before, "crowdframe_outbox_pending_messages", endpoint=hook["id"]) == 0
        worker = await gateway.worker()
        for _ in range(2):
            assignment = await worker.accept(project["id"])
            await worker.submit(assignment, {"label": "cat"})
        during = await scrape(gateway)
        assert (
            value(during, "crowdframe_submissions_total")
            - value(before, "crowdframe_submissions_total")
            == 2
        )
        assert (
            value(during, "crowdframe_claims_total") - value(before, "crowdframe_claims_total") >= 2
        )
        assert value(during, "crowdframe_outbox_pending_messages", endpoint=hook["id"]) == 2
        age = value(during, "crowdframe_outbox_oldest_pending_age_seconds", endpoint=hook["id"])
        assert 0 <= age < 60
        route = "/work/assignments/{assignment_id}/submit"
        assert (
            value(
                during, "crowdframe_http_requests_total", route=route, method="POST", status="200"
            )
            - value(
                before, "crowdframe_http_requests_total", route=route, method="POST", status="200"
            )
            == 2
        )
        assert (
            value(
                during, "crowdframe_http_request_duration_seconds_count", route=route, method="POST"
            )
            >= 2
        )

        async with delivering(gateway):
            await wait_until(lambda: len(receiver.received) >= 2, "both webhooks")

            async def drained() -> bool:
                now = await scrape(gateway)
                return value(now, "crowdframe_outbox_pending_messages", endpoint=hook["id"]) == 0

            await wait_until(drained, "the outbox drained")
        after = await scrape(gateway)
    delivered = ("crowdframe_webhook_delivery_attempts_total", "delivered")
    assert (
        value(after, delivered[0], result=delivered[1])
        - value(before, delivered[0], result=delivered[1])
        >= 2
    )
    assert (
        "crowdframe_outbox_oldest_pending_age_seconds",
        (("endpoint", hook["id"]),),
    ) not in after, "an endpoint with nothing pending has no age"


async def test_unknown_paths_share_one_route_label(gateway: Gateway, api: ApiClient) -> None:
    for n in range(3):
        await gateway.http.get(f"/no/such/page/{n}")
        await api.call("GET", f"/no-such-thing/{n}")
    scraped = await scrape(gateway)
    routes = {
        dict(labels).get("route")
        for (name, labels) in scraped
        if name == "crowdframe_http_requests_total"
    }
    assert "unmatched" in routes and "/api/v1/{path}" in routes
    assert not any(r and "no-such" in r for r in routes)


@pytest.mark.parametrize("gateway_settings", [{"metrics_token": "scrape-me-please"}])
async def test_metrics_ask_for_the_token_when_one_is_set(gateway: Gateway) -> None:
    refused = await gateway.http.get("/metrics")
    assert refused.status_code == 401
    wrong = await gateway.http.get("/metrics", headers={"authorization": "Bearer nope"})
    assert wrong.status_code == 401
    given = await gateway.http.get("/metrics", headers={"authorization": "Bearer scrape-me-please"})
    assert given.status_code == 200 and "crowdframe_http_requests_total" in given.text


async def test_each_answer_carries_a_request_id(gateway: Gateway) -> None:
    first = await gateway.http.get("/healthz")
    second = await gateway.http.get("/api/v1/nothing")
    assert len({first.headers["x-request-id"], second.headers["x-request-id"]}) == 2
    given = await gateway.http.get("/healthz", headers={"x-request-id": "lb-7f3a.2"})
    assert given.headers["x-request-id"] == "lb-7f3a.2", "a proxy's id is kept"
    odd = await gateway.http.get("/healthz", headers={"x-request-id": "no spaces please"})
    assert odd.headers["x-request-id"] != "no spaces please", "one unfit to log is not"
