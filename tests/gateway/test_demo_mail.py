"""``crowdframe demo`` needs no mail server: the emails it sends are printed in its terminal,
links and all, and the demo worker's address needs no confirming."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from crowdframe_gateway.app import create_app
from crowdframe_gateway.demo import DEMO_EMAIL, DEMO_PASSWORD, demo_settings, prepare
from crowdframe_gateway.mail.delivery import Postman
from harness import GATEWAY, Browser, settings_for


async def test_a_password_reset_in_the_demo_prints_its_email_with_the_link(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = demo_settings(settings_for(tmp_path))
    assert settings.smtp_url == "terminal:"
    await prepare(settings)
    app = create_app(settings, background=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=GATEWAY) as http,
    ):
        browser = Browser(http)
        await browser.get("/signin")
        await browser.post_form("/signin", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
        assert "Please confirm your email address" not in (await browser.get("/work")).text
        await browser.get("/password/forgot")
        await browser.post_form("/password/forgot", {"email": DEMO_EMAIL})
        capsys.readouterr()
        [sent] = await Postman(app.state.runtime).send_due()
        assert sent.status == "sent"
        printed = capsys.readouterr().out
        assert f"Email to {DEMO_EMAIL}" in printed and "Subject: Choose a new password" in printed
        path = printed.split(GATEWAY, 1)[1].split()[0]
        assert path.startswith("/password/reset/cfl_")
        assert "Choose a new password" in (await browser.get(path)).text


def test_an_smtp_server_given_to_the_demo_is_used_instead(tmp_path: Path) -> None:
    given = settings_for(tmp_path, smtp_url="smtp://127.0.0.1:2525")
    assert demo_settings(given).smtp_url == "smtp://127.0.0.1:2525"
