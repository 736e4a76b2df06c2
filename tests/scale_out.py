"""Real gateway processes on one Redis, workers that drive them over HTTP, and a receiver.

Workers do what the host widget does in a browser (sign up, accept, open the frame page,
submit JSON with the CSRF header), spreading their requests over every gateway: cookies do not
care about ports, so one session serves them all, as behind a load balancer.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import threading
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from crowdframe_gateway.runtime import Store
from receiver import QuietHandler, on_a_free_port, serving
from services import BIN, Service, free_port, start_service

SECRET_KEY = "scale-out-test-secret-key-0123456789abcdef"  # shared: sessions work everywhere

S = TypeVar("S", bound=Store)


@asynccontextmanager
async def opened(store: S) -> AsyncIterator[S]:
    """``store`` (e.g. a ``RedisStore`` on the gateways' Redis) open for the block, then closed."""
    await store.open()
    try:
        yield store
    finally:
        await store.close()


def gateway_env(**extra: str) -> dict[str, str]:
    return {
        "CROWDFRAME_SECRET_KEY": SECRET_KEY,
        "CROWDFRAME_RETRY_SCHEDULE": "0.2,0.5,1,1,1,1",
        "CROWDFRAME_SWEEP_INTERVAL": "1",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_gateway(name: str, store_url: str, tmp: Path, env: dict[str, str]) -> Service:
    port = free_port()
    argv = [
        str(BIN / "crowdframe"), "gateway", "--port", str(port), "--store", store_url,
        "--data-dir", str(tmp / name),
    ]  # fmt: skip
    return start_service(name, argv, f"http://127.0.0.1:{port}", "/signin", tmp, env)


def create_client(store_url: str, env: dict[str, str]) -> dict[str, str]:
    made = subprocess.run(
        [BIN / "crowdframe", "create-client", "Acme", "--store", store_url, "--json"],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
        timeout=60,
    )
    info: dict[str, str] = json.loads(made.stdout)
    return info


async def set_up_project(
    origin: str, api_key: str, hook_url: str, *, tasks: int, per_task: int
) -> str:
    """A project with tasks and a webhook endpoint for assignment.submitted; the project id."""
    headers = {"authorization": f"Bearer {api_key}"}
    async with httpx.AsyncClient(base_url=origin + "/api/v1", headers=headers, timeout=30) as api:
        hook = await api.post(
            "/webhook-endpoints", json={"url": hook_url, "event_types": ["assignment.submitted"]}
        )
        assert hook.status_code == 201, hook.text
        project = await api.post(
            "/projects",
            json={
                "title": "Label it",
                "task_url": "http://localhost:9/task",
                "reward_cents": 30,  # 18 USD an hour: above every minimum wage
                "assignments_per_task": per_task,
            },
        )
        assert project.status_code == 201, project.text
        project_id: str = project.json()["id"]
        batch = [{"external_id": f"t{i}", "input": {"n": i}} for i in range(tasks)]
        added = await api.post(f"/projects/{project_id}/tasks", json={"tasks": batch})
        assert added.status_code == 201, added.text
        return project_id


@dataclass
class HttpWorker:
    """A worker's browser, sending each request to the next gateway in turn."""

    email: str
    origins: list[str]
    http: httpx.AsyncClient = field(default_factory=lambda: httpx.AsyncClient(timeout=30))
    csrf: str = ""
    turn: int = 0
    submitted: list[str] = field(default_factory=list)  # assignments the gateway confirmed

    def _url(self, path: str) -> str:
        self.turn += 1
        return self.origins[self.turn % len(self.origins)] + path

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Like a patient user: a failed request (5xx, connection refused) is tried again."""
        for _ in range(60):
            try:
                answer = await self.http.request(method, self._url(path), **kwargs)
            except httpx.TransportError:
                await asyncio.sleep(0.25)
                continue
            if answer.status_code < 500:
                found = re.search(r'name="csrf" value="([^"]+)"', answer.text)
                if found:
                    self.csrf = found.group(1)
                return answer
            await asyncio.sleep(0.25)
        raise AssertionError(f"{method} {path} kept failing")

    async def sign_up(self) -> None:
        await self._send("GET", "/signup")
        form = {"csrf": self.csrf, "email": self.email, "password": "correct horse",
                "country": "DE", "languages": ["de"]}  # fmt: skip
        answer = await self._send("POST", "/signup", data=form)
        assert answer.status_code == 303, answer.text

    async def accept(self, project_id: str) -> str | None:
        await self._send("GET", "/work")
        answer = await self._send(
            "POST", f"/work/projects/{project_id}/accept", data={"csrf": self.csrf}
        )
        location = answer.headers.get("location", "")
        return location.rsplit("/", 1)[1] if location.startswith("/work/assignments/") else None

    async def open_frame(self, assignment_id: str) -> httpx.Response:
        return await self._send("GET", f"/work/assignments/{assignment_id}")

    async def submit(self, assignment_id: str, result: dict[str, Any]) -> bool:
        """True when the gateway confirmed the submission (now or on an earlier try)."""
        answer = await self._send(
            "POST",
            f"/work/assignments/{assignment_id}/submit",
            json={"result": result},
            headers={"x-csrf-token": self.csrf},
        )
        confirmed = answer.status_code == 200 or (
            answer.status_code == 409 and answer.json()["error"]["code"] == "already_submitted"
        )
        if confirmed:
            self.submitted.append(assignment_id)
        return confirmed

    async def work(self, project_id: str, *, pause: float = 0.0) -> None:
        """Accept, open the frame, submit; until the project has nothing left for this worker."""
        while (assignment_id := await self.accept(project_id)) is not None:
            frame = await self.open_frame(assignment_id)
            assert frame.status_code == 200, frame.text
            assert await self.submit(assignment_id, {"by": self.email})
            await asyncio.sleep(pause)

    async def aclose(self) -> None:
        await self.http.aclose()


@dataclass
class Hook:
    webhook_id: str
    type: str
    assignment_id: str


@dataclass
class HookReceiver:
    """A webhook receiver on 127.0.0.1. While ``hold`` is set, requests wait (up to 60 s) before
    being answered: what a slow receiver looks like to the gateway holding the delivery."""

    url: str = ""
    received: list[Hook] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def assignment_ids(self) -> set[str]:
        return {h.assignment_id for h in self.received}

    async def wait_for(self, assignment_ids: set[str], seconds: float) -> None:
        for _ in range(int(seconds * 10)):
            if assignment_ids <= self.assignment_ids():
                return
            await asyncio.sleep(0.1)
        missing = assignment_ids - self.assignment_ids()
        raise AssertionError(f"{len(missing)} submissions never reached the receiver: {missing}")


@contextmanager
def running_hook_receiver() -> Iterator[HookReceiver]:
    receiver = HookReceiver()

    class Handler(QuietHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("content-length", "0"))))
            hook = Hook(self.headers["webhook-id"], body["type"], body["data"]["assignment_id"])
            receiver.received.append(hook)
            if receiver.hold.is_set():
                receiver.released.wait(60)
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

    with serving(on_a_free_port(Handler)) as origin:
        receiver.url = origin + "/hooks"
        try:
            yield receiver
        finally:
            receiver.released.set()  # let held requests finish before the server stops
