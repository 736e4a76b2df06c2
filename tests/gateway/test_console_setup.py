"""How a client's first console owner comes to be: ``crowdframe create-client --owner-email``
prints a one-time link beside the API key; ``make demo`` has a demo owner ready."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from starlette.applications import Starlette

from crowdframe_gateway.app import create_app
from crowdframe_gateway.demo import DEMO_OWNER_EMAIL, DEMO_PASSWORD, prepare
from harness import GATEWAY, Browser, settings_for

PASSWORD = "a long password"


def create_client(data: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "crowdframe._cli", "create-client", "Acme", "--data-dir",
         str(data), "--public-origin", GATEWAY, *options],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def browser_of(app: Starlette) -> Browser:
    return Browser(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=GATEWAY))


async def test_create_client_prints_an_owners_invitation_beside_the_api_key(
    tmp_path: Path,
) -> None:
    made = create_client(tmp_path, "--owner-email", "Ann@Acme.example", "--json")
    assert made.returncode == 0, made.stderr
    info = json.loads(made.stdout)
    assert info["api_key"].startswith("cfk_") and info["signing_secret"].startswith("cfts_")
    link = info["console_invitation"]
    assert link.startswith(f"{GATEWAY}/console/invite/cfi_")
    assert info["invitation_expires_at"].endswith("Z")

    app = create_app(settings_for(tmp_path), background=False)
    async with app.router.lifespan_context(app):
        owner = browser_of(app)
        path = urlsplit(link).path
        await owner.get(path)
        accepted = await owner.post_form(path, {"password": PASSWORD, "repeated": PASSWORD})
        assert accepted.status_code == 303
        projects = await owner.get("/console/projects")
        assert "ann@acme.example (owner)" in projects.text
        api = await owner.http.get(
            "/api/v1/projects", headers={"authorization": f"Bearer {info['api_key']}"}
        )
        assert api.status_code == 200  # the API key works as before
        await owner.http.aclose()


def test_without_an_owner_create_client_prints_as_before(tmp_path: Path) -> None:
    plain = create_client(tmp_path)
    assert plain.returncode == 0, plain.stderr
    assert "api_key" in plain.stdout and "console_invitation" not in plain.stdout
    text = create_client(tmp_path, "--owner-email", "bob@acme.example")
    assert "console_invitation" in text.stdout and "Give the console invitation to" in text.stdout
    refused = create_client(tmp_path, "--owner-email", "not an email")
    assert refused.returncode == 2 and "enter a valid email address" in refused.stderr
    assert refused.stdout == ""


async def test_the_demo_has_a_console_owner_ready(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = await prepare(settings)
    assert await prepare(settings) == first  # made once, found again

    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app):
        owner = browser_of(app)
        await owner.get("/console/signin")
        signed_in = await owner.post_form(
            "/console/signin", {"email": DEMO_OWNER_EMAIL, "password": DEMO_PASSWORD}
        )
        assert signed_in.headers["location"] == "/console/projects"
        assert (await owner.get("/console/members")).text.count(DEMO_OWNER_EMAIL) >= 1
        await owner.http.aclose()
