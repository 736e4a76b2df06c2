"""At-least-once across a crash: a real gateway process killed with SIGKILL in the middle of
deliveries to a real receiver process delivers every message after it is restarted."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway_processes import Sink, create_client, start_gateway, start_sink, wait_until_true
from services import Service

MESSAGES = 40


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[Sink]:
    running = start_sink(tmp_path, delay=0.3)  # slow answers: a kill lands mid-delivery
    yield running
    running.stop()


def test_a_gateway_killed_mid_delivery_delivers_everything_after_a_restart(
    tmp_path: Path, sink: Sink
) -> None:
    data = tmp_path / "data"
    key = create_client(data)["api_key"]
    services: list[Service] = [start_gateway(data, tmp_path, name="first")]
    api = httpx.Client(
        base_url=services[0].origin + "/api/v1", headers={"authorization": f"Bearer {key}"}
    )
    try:
        hook = api.post("/webhook-endpoints", json={"url": sink.url}).json()
        sent = {
            api.post(f"/webhook-endpoints/{hook['id']}/test").json()["message_id"]
            for _ in range(MESSAGES)
        }
        wait_until_true(lambda: len(sink.ids()) >= 5, "the first deliveries")
        services[0].process.kill()  # SIGKILL: no shutdown, leases left behind
        services[0].process.wait()
        unanswered_at_kill = sink.ids()
        assert len(set(unanswered_at_kill)) < MESSAGES, "the kill came before the end"

        port = int(services[0].origin.rsplit(":", 1)[1])
        services.append(start_gateway(data, tmp_path, port=port, name="second"))
        wait_until_true(lambda: set(sink.ids()) >= sent, "every message after the restart")

        received = sink.ids()
        assert set(received) == sent, "nothing lost, nothing invented"
        redelivered = {m for m in received if received.count(m) > 1}
        assert redelivered, "the deliveries cut off by the kill were made again"
        assert redelivered <= set(unanswered_at_kill)

        def statuses() -> set[str]:
            page = api.get(f"/webhook-endpoints/{hook['id']}/messages?limit=200").json()
            return {m["status"] for m in page["data"]}

        wait_until_true(lambda: statuses() == {"delivered"}, "every message marked delivered")
    except BaseException:
        for service in services:
            print(f"----- {service.name} -----\n{service.output()}")
        raise
    finally:
        api.close()
        for service in services:
            service.stop()
