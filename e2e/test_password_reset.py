"""A worker who forgot their password, in Debian's Chromium, with the gateway sending real
email to an SMTP server on loopback (aiosmtpd): the sign-in page's "Forgot your password?", the
email's link, a new password, signed in; the link works once. A deep link opened signed out
comes back after sign-in."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from flows import sign_up
from services import Service, free_port, start_gateway
from smtp_server import Mailbox, smtp_server

pytestmark = pytest.mark.e2e

EMAIL = "ada@example.org"
NEW_PASSWORD = "a brand new password"


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server(free_port()) as box:
        yield box


@pytest.fixture
def gateway(
    tmp_path: Path, mailbox: Mailbox, gateway_store: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[Service]:
    env = {"CROWDFRAME_SMTP_URL": f"smtp://127.0.0.1:{mailbox.port}", "PYTHONUNBUFFERED": "1",
           "CROWDFRAME_SMTP_FROM": "accounts@cf.test", **gateway_store}  # fmt: skip
    service = start_gateway(tmp_path / "gateway", tmp_path, env)
    try:
        yield service
    finally:
        service.stop()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(f"----- gateway log -----\n{service.output()}")


def sign_in(page: Page, password: str) -> None:
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def test_a_forgotten_password_is_replaced_through_the_emailed_link_which_works_once(
    page: Page, gateway: Service, mailbox: Mailbox
) -> None:
    sign_up(page, gateway.origin, EMAIL)
    expect(page.get_by_text("Please confirm your email address.")).to_be_visible()
    [welcome] = mailbox.wait(1)
    assert welcome.subject == "Confirm your email address"
    page.get_by_role("button", name="Sign out").click()

    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text(f"If an account uses {EMAIL}")
    reset = mailbox.wait(2)[1]
    assert reset.to == [EMAIL] and reset.subject == "Choose a new password"
    assert reset.message["From"] == "accounts@cf.test"
    link = reset.link("/password/reset/")

    page.goto(gateway.origin + link)
    expect(page.get_by_text(f"For the account of {EMAIL}")).to_be_visible()
    page.get_by_label("New password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", name="Password changed")).to_be_visible()
    expect(page.get_by_text("Please confirm your email address.")).to_have_count(0)
    page.get_by_role("link", name="Go to your tasks").click()
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()

    page.goto(gateway.origin + link)  # the same link again
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("has been used already")

    page.get_by_role("button", name="Sign out").click()
    page.goto(gateway.origin + "/earnings")  # a deep link, signed out
    expect(page).to_have_url(gateway.origin + "/signin?next=%2Fearnings")
    sign_in(page, "a long password")  # the old one
    expect(page.get_by_role("alert")).to_be_visible()
    sign_in(page, NEW_PASSWORD)
    expect(page).to_have_url(gateway.origin + "/earnings")

    logged = gateway.output()  # the access log has the paths, never the tokens in them
    assert "/password/reset/cfl_[redacted]" in logged
    for token in (link.rsplit("/", 1)[1], welcome.link("/verify/").rsplit("/", 1)[1]):
        assert token.removeprefix("cfl_") not in logged
