"""A real gateway process with a client, its boto3 credentials, and workers driven over HTTP."""

from __future__ import annotations

import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx

from services import BIN, Service, free_port, start_gateway

TASK_PAGE = "https://tasks.psychlab.example/survey"
LOCALE = "00000000000000000071"
ANSWERS_NS = (
    "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/"
    "QuestionFormAnswers.xsd}"
)
EXTERNAL_QUESTION = (
    '<ExternalQuestion xmlns="http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/'
    '2006-07-14/ExternalQuestion.xsd"><ExternalURL>{url}</ExternalURL>'
    "<FrameHeight>{height}</FrameHeight></ExternalQuestion>"
)


def external_question(url: str, height: int = 600) -> str:
    return EXTERNAL_QUESTION.format(url=url, height=height)


def post_hit(mturk: Any, **overrides: Any) -> dict[str, Any]:
    """``create_hit`` with a typical requester's settings, ``overrides`` changed."""
    params = {
        "Title": "Rate 3 short sentences",
        "Description": "Read each sentence and say how natural it sounds.",
        "Keywords": "survey, language",
        "Reward": "0.50",
        "MaxAssignments": 1,
        "LifetimeInSeconds": 3600,
        "AssignmentDurationInSeconds": 600,
        "AutoApprovalDelayInSeconds": 86400,
        "Question": external_question(TASK_PAGE),
        **overrides,
    }
    hit: dict[str, Any] = mturk.create_hit(**params)["HIT"]
    return hit


def answers(xml_text: str) -> dict[str, str]:
    """The fields of a QuestionFormAnswers document."""
    root = ET.fromstring(xml_text)  # noqa: S314 (the gateway's own answer)
    return {
        a.findtext(f"{ANSWERS_NS}QuestionIdentifier") or "": a.findtext(f"{ANSWERS_NS}FreeText")
        or ""
        for a in root.iter(f"{ANSWERS_NS}Answer")
    }


def crowdframe(data: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    made = subprocess.run(
        [BIN / "crowdframe", *args, "--data-dir", data, "--json"],
        check=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )
    return json.loads(made.stdout)  # type: ignore[no-any-return]


@dataclass
class Requester:
    """A client account: its API key, and the AWS-style credentials its boto3 scripts use."""

    client_id: str
    api_key: str
    access_key_id: str
    secret_access_key: str
    endpoint_url: str
    opened: list[Any]

    def mturk(self, **overrides: Any) -> Any:
        """``boto3.client("mturk", ...)`` exactly as a requester's script creates it."""
        settings = {
            "endpoint_url": self.endpoint_url,
            "region_name": "us-east-1",
            "aws_access_key_id": self.access_key_id,
            "aws_secret_access_key": self.secret_access_key,
            **overrides,
        }
        client = boto3.client("mturk", **settings)
        self.opened.append(client)
        return client


@dataclass
class WorkerBrowser:
    """A worker's browser without JavaScript: session cookie and CSRF token of the last page."""

    http: httpx.Client
    csrf: str = ""

    def get(self, path: str) -> httpx.Response:
        answer = self.http.get(path)
        found = re.search(r'name="csrf" value="([^"]+)"', answer.text)
        if found:
            self.csrf = found.group(1)
        return answer

    def post_form(self, path: str, data: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, data={"csrf": self.csrf, **data})

    def frame_params(self, path: str) -> dict[str, str]:
        """The query parameters the frame page gives the task page's iframe."""
        page = self.get(path)
        src = re.search(r'<iframe id="cf-task-frame"[^>]*\ssrc="([^"]+)"', page.text)
        assert src is not None, page.text
        query = urlsplit(src.group(1).replace("&amp;", "&")).query
        return {k: v[0] for k, v in parse_qs(query).items()}

    def accept(self, project_id: str) -> httpx.Response:
        return self.post_form(f"/work/projects/{project_id}/accept", {})


@dataclass
class MTurkWorld:
    gateway: Service
    data: Path
    env: dict[str, str] = field(default_factory=dict)  # CROWDFRAME_STORE for a Redis store
    opened: list[Any] = field(default_factory=list)  # browsers and boto3 clients to close

    def stop(self) -> None:
        for opened in self.opened:
            opened.close()
        self.gateway.stop()

    @property
    def origin(self) -> str:
        return self.gateway.origin

    @property
    def content_origin(self) -> str:
        """Where the gateway serves HTMLQuestion pages: another site, the same process."""
        return self.gateway.origin.replace("127.0.0.1", "localhost")

    def requester(self, name: str = "Psych Lab") -> Requester:
        client = crowdframe(self.data, "create-client", name, env=self.env)
        # the gateway's public origin, as configured for it: the endpoint_url comes from it
        configured = {**self.env, "CROWDFRAME_PUBLIC_ORIGIN": self.origin}
        keys = crowdframe(
            self.data, "create-mturk-credentials", client["client_id"], env=configured
        )
        return Requester(
            client["client_id"],
            client["api_key"],
            keys["aws_access_key_id"],
            keys["aws_secret_access_key"],
            keys["endpoint_url"],
            self.opened,
        )

    def revoke(self, access_key_id: str) -> str:
        """``crowdframe revoke-mturk-credentials``; what it prints."""
        done = subprocess.run(
            [
                BIN / "crowdframe",
                "revoke-mturk-credentials",
                access_key_id,
                "--data-dir",
                self.data,
            ],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **self.env},
        )
        return done.stdout.strip()

    def worker(self, email: str, country: str = "DE") -> WorkerBrowser:
        browser = WorkerBrowser(httpx.Client(base_url=self.origin))
        self.opened.append(browser.http)
        browser.get("/signup")
        answer = browser.post_form(
            "/signup",
            {
                "email": email,
                "password": "correct horse",
                "country": country,
                "languages": ["en"],
            },
        )
        assert answer.status_code == 303, answer.text
        browser.get("/work")
        return browser

    def external_submit(
        self, fields: dict[str, Any], query: str = "", **kwargs: Any
    ) -> httpx.Response:
        """The task page's form post: a cross-site request, so no cookie at all."""
        return httpx.post(f"{self.origin}/mturk/externalSubmit{query}", data=fields, **kwargs)


def start_mturk_world(tmp: Path, env: dict[str, str] | None = None) -> MTurkWorld:
    """The gateway on ``tmp``'s SQLite store, or the one ``env`` names (``CROWDFRAME_STORE``)."""
    env = env or {}
    data = tmp / "gateway"
    port = free_port()
    gateway = start_gateway(
        data,
        tmp,
        {
            "CROWDFRAME_RETRY_SCHEDULE": "0.2,0.5,1",
            "PYTHONUNBUFFERED": "1",
            # HTMLQuestion pages: localhost is another site than the gateway's 127.0.0.1
            "CROWDFRAME_CONTENT_ORIGIN": f"http://localhost:{port}",
            **env,
        },
        port,
    )
    return MTurkWorld(gateway, data, env)
