"""Test harness: a gateway app on a fresh SQLite store, driven in-process over ASGI."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from crowdframe_gateway.identity.clients import NewClient, create_client
from crowdframe_gateway.mail.delivery import Postman
from crowdframe_gateway.runtime import Runtime
from crowdframe_gateway.settings import Settings

GATEWAY = "http://127.0.0.1:8000"

# Runs a gateway test on each store (the ``gateway`` fixture's ``gateway_store``): for a module,
# ``pytestmark = ON_BOTH_STORES``; for one test, decorate it.
ON_BOTH_STORES = pytest.mark.parametrize("gateway_store", ["sqlite", "redis"])
TASK_URL = "http://localhost:8001/task"


@dataclass
class Gateway:
    app: Starlette
    rt: Runtime
    http: httpx.AsyncClient
    browsers: list[httpx.AsyncClient]

    async def client(self, name: str = "acme", *, platform: bool = False) -> ApiClient:
        made = await create_client(self.rt.store, name, platform=platform)
        return ApiClient(self, made)

    def browser(self) -> Browser:
        """A new browser (its own cookies), closed with the fixture."""
        http = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=GATEWAY)
        self.browsers.append(http)
        return Browser(http)

    async def worker(self, email: str = "worker@example.org", **profile: Any) -> Browser:
        """A browser with a freshly signed-up worker in it (``country``, ``languages``,
        ``native`` as on the sign-up form)."""
        browser = self.browser()
        await browser.sign_up(email, **profile)
        return browser

    async def send_emails(self) -> int:
        """What the email delivery loop does, once for all that is due now (the fixture runs no
        background loop); how many were handed over."""
        postman = Postman(self.rt)
        sent = 0
        while results := await postman.send_due():
            sent += sum(r.status == "sent" for r in results)
            if any(r.status != "sent" for r in results):
                break
        return sent

    async def worker_on(self, project_id: str, **profile: Any) -> tuple[Browser, str]:
        """A freshly signed-up worker who has accepted the project's next task: their browser
        and the assignment id."""
        worker = await self.worker(**profile)
        return worker, await worker.accept(project_id)


@dataclass
class ApiClient:
    """One client account and its API key, for calling /api/v1."""

    gateway: Gateway
    made: NewClient

    @property
    def headers(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.made.api_key}"}

    async def call(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {**self.headers, **kwargs.pop("headers", {})}  # type: ignore[dict-item]
        return await self.gateway.http.request(
            method,
            f"/api/v1{path}",
            headers=headers,
            **kwargs,  # type: ignore[arg-type]
        )

    async def post_project(self, **fields: object) -> httpx.Response:
        """``POST /projects`` of a labelling project, ``fields`` (as the API takes them) over
        its defaults; the gateway's answer, whatever it is."""
        # 30 cents a minute: 18 USD an hour, above every minimum wage in the fair-pay table
        body = {"title": "Label it", "task_url": TASK_URL, "reward_cents": 30, **fields}
        return await self.call("POST", "/projects", json=body)

    async def project(self, *, tasks: int = 0, **fields: object) -> Any:
        """A new project (as ``post_project`` makes it) with ``tasks`` open tasks."""
        answer = await self.post_project(**fields)
        assert answer.status_code == 201, answer.text
        project = answer.json()
        if tasks:
            await self.tasks(project["id"], tasks)
        return project

    async def events(self, event_type: str) -> list[dict[str, Any]]:
        """The data of this client's events of one type, oldest first, as its feed has them."""
        client_id = self.made.client.id
        read = await self.gateway.rt.store.read_events(client_id, after=None, limit=1000)
        return [event.data for _, event in read if event.type == event_type]

    async def tasks(
        self, project_id: str, count: int, prefix: str = "t"
    ) -> list[dict[str, object]]:
        body = {"tasks": [{"external_id": f"{prefix}{i}", "input": {"n": i}} for i in range(count)]}
        answer = await self.call("POST", f"/projects/{project_id}/tasks", json=body)
        assert answer.status_code == 201, answer.text
        return answer.json()["tasks"]  # type: ignore[no-any-return]


@dataclass
class Browser:
    """A worker's browser: a cookie jar plus the CSRF token of the last page seen."""

    http: httpx.AsyncClient
    csrf: str = ""

    async def get(self, path: str) -> httpx.Response:
        answer = await self.http.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', answer.text)
        if found:
            self.csrf = found.group(1)
        return answer

    async def post_form(self, path: str, data: dict[str, object]) -> httpx.Response:
        return await self.http.post(path, data={"csrf": self.csrf, **data})  # type: ignore[dict-item]

    async def sign_up(
        self,
        email: str = "worker@example.org",
        *,
        country: str = "DE",
        languages: tuple[str, ...] = ("de",),
        native: str = "",
        skills: str = "",
    ) -> httpx.Response:
        await self.get("/signup")
        answer = await self.post_form(
            "/signup",
            {
                "email": email,
                "password": "correct horse",
                "country": country,
                "languages": list(languages),
                "native": native,
                "skills": skills,
            },
        )
        assert answer.status_code == 303, answer.text
        await self.get("/work")
        return answer

    async def accept(self, project_id: str) -> str:
        """Accept the next task of a project; the assignment id."""
        answer = await self.post_form(f"/work/projects/{project_id}/accept", {})
        location = answer.headers.get("location", "")
        assert location.startswith("/work/assignments/"), (answer.status_code, location)
        await self.get(location)
        return location.rsplit("/", 1)[1]

    async def submit(self, assignment_id: str, result: dict[str, Any]) -> Any:
        """Submit as the host widget does for the task page; the answer's JSON
        (``{"status", "next_url"}``)."""
        answer = await self.http.post(
            f"/work/assignments/{assignment_id}/submit",
            json={"result": result},
            headers={"x-csrf-token": self.csrf},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    async def frame_token(self, assignment_id: str) -> str:
        page = await self.get(f"/work/assignments/{assignment_id}")
        return re.search(r'data-token="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]


def settings_for(data_dir: Path, **overrides: object) -> Settings:
    return Settings.from_env({}, data_dir=data_dir, public_origin=GATEWAY, **overrides)
