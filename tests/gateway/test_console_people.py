"""The console's people: an owner invited by the operator, members invited by an owner, sign-in
with its throttle, CSRF, a session cookie of its own."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import time_machine

from console_world import PASSWORD, accept, console_owner, invite_member, owner_invitation
from crowdframe_gateway.app import create_app
from crowdframe_gateway.settings import Settings
from harness import GATEWAY, ON_BOTH_STORES, ApiClient, Browser, Gateway


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"signin_attempts_per_email": 3, "signin_attempts_per_ip": 50}


async def sign_in(browser: Browser, email: str, password: str = PASSWORD) -> httpx.Response:
    await browser.get("/console/signin")
    return await browser.post_form("/console/signin", {"email": email, "password": password})


@ON_BOTH_STORES
async def test_the_owner_accepts_the_invitation_once_and_is_signed_in(
    gateway: Gateway, api: ApiClient
) -> None:
    path = await owner_invitation(api, "Owner@Acme.example")
    browser = gateway.browser()
    invitation = await browser.get(path)
    assert "owner@acme.example" in invitation.text and "owner" in invitation.text

    accepted = await browser.post_form(path, {"password": PASSWORD, "repeated": PASSWORD})

    assert accepted.headers["location"] == "/console/projects?notice=welcome"
    welcome = await browser.get(accepted.headers["location"])
    assert "Welcome" in welcome.text and "owner@acme.example (owner)" in welcome.text
    again = await gateway.browser().get(path)
    assert again.status_code == 409 and "has been used already" in again.text
    reused = await browser.post_form(path, {"password": PASSWORD, "repeated": PASSWORD})
    assert reused.status_code == 409 and "has been used already" in reused.text


async def test_an_invitation_expires_after_seven_days(gateway: Gateway, api: ApiClient) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        path = await owner_invitation(api, "late@acme.example")
        clock.shift(7 * 86_400 - 1)
        late = gateway.browser()
        assert (await late.get(path)).status_code == 200  # the form, opened just in time

        clock.shift(1)

        tried = await late.post_form(path, {"password": PASSWORD, "repeated": PASSWORD})
        expired = await gateway.browser().get(path)
        for answer in (tried, expired):
            assert answer.status_code == 409
            assert "This invitation link expired on 2027-01-22" in answer.text
    assert (await sign_in(gateway.browser(), "late@acme.example")).status_code == 401


async def test_a_link_that_never_was_an_invitation_says_so(gateway: Gateway) -> None:
    answer = await gateway.browser().get("/console/invite/cfi_made-up")
    assert answer.status_code == 404 and "no such invitation" in answer.text


async def test_the_two_passwords_must_match_and_nothing_is_made_until_they_do(
    gateway: Gateway, api: ApiClient
) -> None:
    path = await owner_invitation(api, "ann@acme.example")
    browser = gateway.browser()
    await browser.get(path)

    different = await browser.post_form(path, {"password": PASSWORD, "repeated": PASSWORD + "!"})
    short = await browser.post_form(path, {"password": "short", "repeated": "short"})

    assert different.status_code == 422
    assert 'id="repeated-error"' in different.text and "not the same" in different.text
    assert short.status_code == 422 and "at least 10 characters" in short.text
    assert (await browser.get("/console/projects")).status_code == 303  # still signed out
    assert (await browser.post_form(path, {"password": PASSWORD, "repeated": PASSWORD})).is_redirect


async def test_sign_in_and_out(gateway: Gateway, api: ApiClient) -> None:
    await console_owner(api, "ann@acme.example")
    browser = gateway.browser()
    wrong = await sign_in(browser, "ann@acme.example", "not the password")
    assert wrong.status_code == 401 and "wrong email or password" in wrong.text
    right = await sign_in(browser, "ANN@acme.example")
    assert right.headers["location"] == "/console/projects"
    assert (await browser.get("/console/projects")).status_code == 200

    out = await browser.post_form("/console/signout", {})

    assert out.headers["location"] == "/console/signin"
    assert (await browser.get("/console/projects")).status_code == 303


async def test_a_worker_account_does_not_open_the_console(gateway: Gateway) -> None:
    worker = await gateway.worker("same@example.org")
    assert (await worker.get("/console/projects")).status_code == 303
    assert (
        await sign_in(gateway.browser(), "same@example.org", "correct horse")
    ).status_code == 401


async def test_sign_in_is_throttled_like_the_workers(gateway: Gateway, api: ApiClient) -> None:
    await console_owner(api, "ann@acme.example")
    attacker = gateway.browser()
    for _ in range(3):
        assert (await sign_in(attacker, "ann@acme.example", "guess")).status_code == 401

    refused = await sign_in(attacker, "ann@acme.example")

    assert refused.status_code == 429 and "Too many sign-in attempts" in refused.text
    assert 890 <= int(refused.headers["retry-after"]) <= 900
    # a worker with the same email is counted apart
    await gateway.worker("ann@acme.example")
    worker = gateway.browser()
    await worker.get("/signin")
    signed_in = await worker.post_form(
        "/signin", {"email": "ann@acme.example", "password": "correct horse"}
    )
    assert signed_in.headers["location"] == "/work"


async def test_every_form_refuses_a_request_without_the_csrf_token(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    project = await api.project()
    path = await owner_invitation(api, "someone@acme.example")
    forms = [
        "/console/signin",
        "/console/signout",
        path,
        "/console/members",
        "/console/projects",
        "/console/projects/pay",
        f"/console/projects/{project['id']}/edit",
        f"/console/projects/{project['id']}/pause",
        f"/console/projects/{project['id']}/resume",
    ]
    for form in forms:
        for token in ({}, {"csrf": "guess"}):
            answer = await owner.browser.http.post(form, data={"title": "x", **token})
            assert answer.status_code == 403, form
            assert "this form has expired" in answer.text
    assert (await api.call("GET", f"/projects/{project['id']}")).json()["status"] == "active"
    assert (await api.call("GET", "/projects")).json()["data"][0]["title"] == "Label it"


async def test_the_console_has_a_cookie_of_its_own(tmp_path: Path) -> None:
    settings = Settings.from_env({}, data_dir=tmp_path, public_origin="https://gw.example.org")
    app = create_app(settings, background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
            answer = await http.get("/console/signin")
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith("cf_console=")
    assert "path=/console" in cookie and "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower() and "secure" in cookie.lower()
    assert "cf_session" not in answer.headers.get("set-cookie", "").split(";")[0]
    assert len(answer.headers.get_list("set-cookie")) == 1


async def test_a_worker_and_a_client_user_in_one_browser_stay_apart(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    await owner.browser.sign_up("worker@example.org")  # the same browser signs up as a worker
    assert (await owner.browser.get("/work")).status_code == 200
    assert (await owner.browser.get("/console/projects")).status_code == 200

    await owner.browser.get("/console/projects")
    await owner.browser.post_form("/console/signout", {})

    assert (await owner.browser.get("/console/projects")).status_code == 303
    assert (await owner.browser.get("/work")).status_code == 200


@ON_BOTH_STORES
async def test_an_owner_invites_a_member_who_joins_and_can_be_removed(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    path = await invite_member(owner, "Bob@Acme.example")
    member = await accept(gateway, path)
    team = await member.get("/console/members")
    assert "bob@acme.example (member)" in team.text and "owner@acme.example" in team.text
    assert "Make an invitation link" not in team.text  # a member does not invite
    assert (
        await member.post_form("/console/members", {"email": "eve@x.example"})
    ).status_code == 403

    listed = await owner.browser.get("/console/members")
    bob = listed.text.split('aria-label="Remove bob@acme.example"')[0].rsplit(
        "/console/members/", 1
    )
    user_id = bob[1].split("/remove", 1)[0]
    removed = await owner.browser.post_form(f"/console/members/{user_id}/remove", {})

    assert removed.headers["location"] == "/console/members?notice=removed"
    assert "bob@acme.example" not in (await owner.browser.get("/console/members")).text
    assert (await member.get("/console/projects")).status_code == 303  # signed out for good
    assert (await sign_in(gateway.browser(), "bob@acme.example")).status_code == 401


async def test_an_email_already_in_the_console_is_not_invited_twice(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    answer = await owner.browser.post_form(
        "/console/members", {"email": "owner@acme.example", "role": "member"}
    )
    assert answer.status_code == 409 and "has a console account already" in answer.text
    assert 'value="owner@acme.example"' in answer.text


async def test_an_owner_is_never_removed_and_another_clients_people_are_not_found(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    other = await console_owner(await gateway.client("globex"), "owner@globex.example")
    own_id = (await gateway.rt.store.client_user_by_email("owner@acme.example")).id  # type: ignore[union-attr]
    theirs = await gateway.rt.store.client_user_by_email("owner@globex.example")
    assert theirs is not None

    kept = await owner.browser.post_form(f"/console/members/{own_id}/remove", {})
    elsewhere = await owner.browser.post_form(f"/console/members/{theirs.id}/remove", {})

    assert kept.status_code == 409 and "an owner cannot be removed" in kept.text
    assert elsewhere.status_code == 404
    assert "owner@globex.example" not in (await owner.browser.get("/console/members")).text
    assert (await other.browser.get("/console/projects")).status_code == 200
