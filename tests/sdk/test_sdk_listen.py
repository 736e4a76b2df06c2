"""``crowdframe listen`` against a real gateway process: events arrive at the local URL signed
with the session secret it printed, one line each; when the gateway dies and comes back, the
command reconnects and resumes with the events recorded meanwhile, none lost or repeated."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import threading
from pathlib import Path

import httpx
from standardwebhooks.webhooks import Webhook as ReferenceWebhook

from crowdframe import Webhook
from crowdframe_gateway.runtime import SqliteStore
from gateway_processes import create_client, start_gateway, wait_until_true
from receiver import running_receiver
from scale_out import HttpWorker
from services import BIN


class Listener:
    """``crowdframe listen`` as a process, its output collected line by line."""

    def __init__(self, gateway: str, api_key: str, forward_to: str, *options: str) -> None:
        self.process = subprocess.Popen(
            [
                BIN / "crowdframe",
                "listen",
                "--gateway",
                gateway,
                "--forward-to",
                forward_to,
                *options,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "CROWDFRAME_API_KEY": api_key},
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def saw(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        self._reader.join(5)
        assert self.process.stdout is not None
        self.process.stdout.close()


async def record_while_down(data: Path, client_id: str, endpoint_id: str, count: int) -> None:
    """Events recorded in the store while no gateway process runs (as another process would)."""
    store = SqliteStore(data / "crowdframe.db")
    await store.open()
    try:
        for n in range(count):
            await store.record_event(
                client_id, "endpoint.test", {"n": n, "endpoint_id": endpoint_id}
            )
    finally:
        await store.close()


def test_listen_forwards_events_signed_and_resumes_after_the_gateway_restarts(
    tmp_path: Path,
) -> None:
    data = tmp_path / "data"
    made = create_client(data)
    gateway = start_gateway(data, tmp_path, name="first")
    services = [gateway]
    port = int(gateway.origin.rsplit(":", 1)[1])
    with (
        running_receiver() as local,
        httpx.Client(
            base_url=gateway.origin + "/api/v1",
            headers={"authorization": f"Bearer {made['api_key']}"},
        ) as api,
    ):
        listener = Listener(gateway.origin, made["api_key"], local.url)
        try:
            wait_until_true(lambda: listener.saw("Connected at"), "the listener to connect")
            secret = listener.lines[0].rsplit(" ", 1)[1]
            hook = api.post("/webhook-endpoints", json={"url": "http://127.0.0.1:9/x"}).json()
            api.post(f"/webhook-endpoints/{hook['id']}/test")
            wait_until_true(lambda: len(local.received) == 1, "the first event")

            gateway.process.kill()
            gateway.process.wait()
            wait_until_true(lambda: listener.saw("reconnecting"), "the listener to notice")
            asyncio.run(record_while_down(data, made["client_id"], hook["id"], 2))
            services.append(start_gateway(data, tmp_path, port=port, name="second"))
            wait_until_true(lambda: listener.saw("Resumed after"), "the listener to resume")
            api.post(f"/webhook-endpoints/{hook['id']}/test")
            wait_until_true(lambda: len(local.received) >= 4, "every event")
            # the listener prints its line once the local server has answered: wait for it too
            wait_until_true(
                lambda: sum("endpoint.test" in line for line in listener.lines) >= 4,
                "a line per event",
            )
        finally:
            listener.stop()
            for service in services:
                service.stop()
    events = [Webhook(secret).verify(r.headers, r.body) for r in local.received]
    for r in local.received:
        ReferenceWebhook(secret).verify(r.body, r.headers)
    assert len(events) == 4, "each event once"
    assert [e.data.get("n") for e in events] == [None, 0, 1, None], "in the order recorded"
    assert len({e.id for e in events}) == 4
    shown = [line for line in listener.lines if "endpoint.test" in line]
    assert len(shown) == 4
    assert all(
        f"{e.id}  -> 200" in line and line.endswith(" ms")
        for e, line in zip(events, shown, strict=True)
    )


def test_listen_stops_with_a_clear_message_when_the_api_key_is_refused(tmp_path: Path) -> None:
    data = tmp_path / "data"
    create_client(data)
    gateway = start_gateway(data, tmp_path)
    try:
        done = subprocess.run(
            [
                BIN / "crowdframe",
                "listen",
                "--gateway",
                gateway.origin,
                "--forward-to",
                "http://127.0.0.1:9/x",
            ],
            env={**os.environ, "CROWDFRAME_API_KEY": "cfk_wrong"},
            capture_output=True,
            text=True,
            timeout=30,
        )
    finally:
        gateway.stop()
    assert done.returncode == 2
    assert "refused the API key (401)" in done.stdout
    assert "cfk_wrong" not in done.stdout + done.stderr


async def work_one_task(origin: str, project_id: str) -> None:
    worker = HttpWorker("big@example.org", [origin])
    try:
        await worker.sign_up()
        assignment = await worker.accept(project_id)
        assert assignment is not None
        assert await worker.submit(assignment, {"label": "cat"})
    finally:
        await worker.aclose()


def test_listen_reports_an_event_too_large_to_receive_and_goes_on(tmp_path: Path) -> None:
    # a task.completed carries the task's input and every answer: with a 100 kB input it is over
    # a listener limit of 64 kB (as many 1 MB answers would be over the default 16 MiB)
    data = tmp_path / "data"
    made = create_client(data)
    gateway = start_gateway(data, tmp_path)
    with (
        running_receiver() as local,
        httpx.Client(
            base_url=gateway.origin + "/api/v1",
            headers={"authorization": f"Bearer {made['api_key']}"},
        ) as api,
    ):
        listener = Listener(
            gateway.origin, made["api_key"], local.url, "--max-event-bytes", "65536"
        )
        try:
            wait_until_true(lambda: listener.saw("Connected at"), "the listener to connect")
            project = api.post(
                "/projects",
                json={"title": "Big", "task_url": "http://localhost:8001/t", "reward_cents": 30},
            ).json()
            big = {"tasks": [{"external_id": "big", "input": {"text": "x" * 100_000}}]}
            assert api.post(f"/projects/{project['id']}/tasks", json=big).status_code == 201
            asyncio.run(work_one_task(gateway.origin, project["id"]))
            hook = api.post("/webhook-endpoints", json={"url": "http://127.0.0.1:9/x"}).json()
            api.post(f"/webhook-endpoints/{hook['id']}/test")  # after the big one
            wait_until_true(lambda: listener.saw("endpoint.test"), "the event after it")
        finally:
            listener.stop()
            gateway.stop()
    forwarded = [json.loads(r.body)["type"] for r in local.received]
    assert "task.completed" not in forwarded
    assert forwarded[-1] == "endpoint.test" and "assignment.submitted" in forwarded
    [skipped] = [line for line in listener.lines if "skipped" in line]
    assert "task.completed" in skipped and "over the 65536" in skipped
    assert not listener.saw("reconnecting"), "the connection stayed up"
