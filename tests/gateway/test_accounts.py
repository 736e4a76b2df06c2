"""A worker's account, as they use it, with a real SMTP server (aiosmtpd on 127.0.0.1): the
address confirmed by the link emailed after sign-up (the workplace asks until then), a
forgotten password replaced through a link that works once and expires, the same answer for
an address nobody uses, and sign-in going on to the page asked for."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

import pytest
import time_machine

from harness import ON_BOTH_STORES, Browser, Gateway
from smtp_server import Mailbox, Received, free_port, smtp_server

pytestmark = ON_BOTH_STORES

SMTP_PORT = free_port()
PASSWORD = "correct horse"  # the harness signs workers up with it
NEW_PASSWORD = "battery staple"
ASKS = "Please confirm your email address."


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server(SMTP_PORT) as box:
        yield box


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {
        "smtp_url": f"smtp://127.0.0.1:{SMTP_PORT}",
        "smtp_from": "accounts@cf.test",
        "signin_attempts_per_email": 3,
    }


async def emails(gateway: Gateway, mailbox: Mailbox) -> list[Received]:
    """The emails the outbox sends now, taken out of the mailbox."""
    await gateway.send_emails()
    sent, mailbox.received[:] = list(mailbox.received), []
    return sent


def the(subject: str, sent: list[Received]) -> Received:
    [found] = [r for r in sent if r.subject == subject]
    return found


async def sign_in(browser: Browser, email: str, password: str, **more: str) -> int:
    await browser.get("/signin")
    answer = await browser.post_form("/signin", {"email": email, "password": password, **more})
    return answer.status_code


async def ask_for_reset(gateway: Gateway, email: str) -> tuple[Browser, str]:
    browser = gateway.browser()
    await browser.get("/password/forgot")
    answer = await browser.post_form("/password/forgot", {"email": email})
    assert answer.status_code == 200
    return browser, answer.text


async def test_a_new_worker_confirms_their_address_with_the_link_emailed_after_sign_up(
    gateway: Gateway, mailbox: Mailbox
) -> None:
    worker = await gateway.worker("ada@example.org")
    assert ASKS in (await worker.get("/work")).text
    [welcome] = await emails(gateway, mailbox)
    assert welcome.to == ["ada@example.org"] and welcome.message["From"] == "accounts@cf.test"
    assert welcome.subject == "Confirm your email address"
    assert "ada@example.org is your address" in welcome.text
    link = welcome.link("/verify/")

    confirmed = await worker.get(link)
    assert confirmed.status_code == 200 and "is confirmed as your address" in confirmed.text
    assert ASKS not in confirmed.text and ASKS not in (await worker.get("/earnings")).text

    again = await worker.get(link)  # once is enough: the page says so, kindly
    assert again.status_code == 200 and "is confirmed" in again.text
    stranger = await gateway.browser().get(link)
    assert stranger.status_code == 409 and "has been used already" in stranger.text


async def test_an_unconfirmed_worker_works_as_usual_and_can_have_the_link_sent_again(
    gateway: Gateway, mailbox: Mailbox
) -> None:
    worker = await gateway.worker("bob@example.org")
    first = (await emails(gateway, mailbox))[0].link("/verify/")
    page = await worker.get("/work")
    assert page.status_code == 200 and ASKS in page.text
    sent = await worker.post_form("/verify/again", {})
    assert sent.status_code == 200 and "We have sent a new link to bob@example.org" in sent.text
    [again] = await emails(gateway, mailbox)
    second = again.link("/verify/")
    assert second != first
    assert (await worker.get(second)).status_code == 200
    assert ASKS not in (await worker.get("/work")).text
    confirmed = await worker.post_form("/verify/again", {})  # from a tab left open
    assert confirmed.status_code == 303 and confirmed.headers["location"] == "/work"
    assert await emails(gateway, mailbox) == []


async def test_a_forgotten_password_is_replaced_through_a_link_that_works_once(
    gateway: Gateway, mailbox: Mailbox
) -> None:
    await gateway.worker("ada@example.org")
    await emails(gateway, mailbox)  # the welcome
    browser, answer = await ask_for_reset(gateway, "Ada@Example.org ")
    assert "If an account uses Ada@Example.org, we have sent a link" in answer
    [reset] = await emails(gateway, mailbox)
    assert reset.to == ["ada@example.org"] and reset.subject == "Choose a new password"
    link = reset.link("/password/reset/")
    assert "works once, for one hour" in reset.text

    form = await browser.get(link)
    assert form.status_code == 200 and "For the account of ada@example.org" in form.text
    assert form.headers["cache-control"] == "no-store"
    short = await browser.post_form(link, {"password": "short"})
    assert short.status_code == 422 and "at least 10 characters" in short.text
    saved = await browser.post_form(link, {"password": NEW_PASSWORD})
    assert saved.status_code == 303 and saved.headers["location"] == "/password/changed"
    done = await browser.get("/password/changed")
    assert "you are signed in" in done.text and ASKS not in done.text  # the link reached it

    assert await sign_in(gateway.browser(), "ada@example.org", PASSWORD) == 401
    assert await sign_in(gateway.browser(), "ada@example.org", NEW_PASSWORD) == 303
    for tried in (
        await gateway.browser().get(link),
        await browser.post_form(link, {"password": "x" * 12}),
    ):
        assert tried.status_code == 409 and "has been used already" in tried.text
    assert await sign_in(gateway.browser(), "ada@example.org", NEW_PASSWORD) == 303


async def test_a_new_password_makes_the_other_reset_links_in_the_mailbox_useless(
    gateway: Gateway, mailbox: Mailbox
) -> None:
    await gateway.worker("ada@example.org")
    browser, _ = await ask_for_reset(gateway, "ada@example.org")
    await ask_for_reset(gateway, "ada@example.org")
    links = [r.link("/password/") for r in await emails(gateway, mailbox) if "reset" in r.text]
    assert len(set(links)) == 2
    used, other = links
    assert (await browser.post_form(used, {"password": NEW_PASSWORD})).status_code == 303
    late = await gateway.browser().get(other)
    assert late.status_code == 409 and "has been used already" in late.text


async def test_asking_for_an_address_nobody_uses_gets_the_same_answer_and_no_email(
    gateway: Gateway, mailbox: Mailbox
) -> None:
    await gateway.worker("ada@example.org")
    await emails(gateway, mailbox)
    _, known = await ask_for_reset(gateway, "ada@example.org")
    _, unknown = await ask_for_reset(gateway, "nobody@example.org")

    def said(page: str) -> str:  # each browser has its own CSRF token
        text = html.unescape(page).replace("nobody@example.org", "ada@example.org")
        return re.sub(r'name="csrf" value="[^"]+"', "", text)

    assert said(unknown) == said(known)
    assert [r.to for r in await emails(gateway, mailbox)] == [["ada@example.org"]]


async def test_asking_again_and_again_for_a_link_is_throttled_as_sign_in_is(
    gateway: Gateway, mailbox: Mailbox
) -> None:
    await gateway.worker("ada@example.org")
    for _ in range(3):
        await ask_for_reset(gateway, "ada@example.org")
    browser = gateway.browser()
    await browser.get("/password/forgot")
    refused = await browser.post_form("/password/forgot", {"email": "ada@example.org"})
    assert refused.status_code == 429 and "Too many" in refused.text
    assert int(refused.headers["retry-after"]) > 0
    assert len(await emails(gateway, mailbox)) == 1 + 3  # the welcome and three links


async def test_a_reset_link_expires_after_an_hour(gateway: Gateway, mailbox: Mailbox) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        await gateway.worker("ada@example.org")
        browser, _ = await ask_for_reset(gateway, "ada@example.org")
        link = the("Choose a new password", await emails(gateway, mailbox)).link("/password/")
        clock.shift(3600 - 1)
        assert (await browser.get(link)).status_code == 200  # just in time for the form
        clock.shift(1)
        late = await browser.post_form(link, {"password": NEW_PASSWORD})
        assert late.status_code == 409 and "This link has expired" in late.text
    assert await sign_in(gateway.browser(), "ada@example.org", PASSWORD) == 303


async def test_a_made_up_link_says_it_is_not_valid(gateway: Gateway) -> None:
    for path in ("/password/reset/cfl_made-up", "/verify/cfl_made-up"):
        answer = await gateway.browser().get(path)
        assert answer.status_code == 404 and "This link is not valid" in answer.text


async def test_a_deep_link_opened_signed_out_comes_back_after_sign_in(gateway: Gateway) -> None:
    await gateway.worker("ada@example.org")
    browser = gateway.browser()
    sent = await browser.http.get("/earnings?tab=pending")
    assert sent.status_code == 303
    assert sent.headers["location"] == "/signin?next=%2Fearnings%3Ftab%3Dpending"
    form = await browser.get(sent.headers["location"])
    assert 'name="next" value="/earnings?tab=pending"' in form.text
    answer = await browser.post_form(
        "/signin",
        {"email": "ada@example.org", "password": PASSWORD, "next": "/earnings?tab=pending"},
    )
    assert answer.headers["location"] == "/earnings?tab=pending"


@pytest.mark.parametrize("asked", ["//evil.example/work", "https://evil.example", "/\\evil"])
async def test_a_next_that_leaves_the_site_lands_on_the_task_list(
    gateway: Gateway, asked: str
) -> None:
    await gateway.worker("ada@example.org")
    browser = gateway.browser()
    form = await browser.get(f"/signin?next={asked}")
    assert 'href="/signup"' in form.text  # no next carried on
    assert f'name="next" value="{html.escape(asked)}"' not in form.text
    answer = await browser.post_form(
        "/signin", {"email": "ada@example.org", "password": PASSWORD, "next": asked}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/work"


async def test_sign_up_from_a_deep_link_goes_on_to_it(gateway: Gateway) -> None:
    browser = gateway.browser()
    sent = await browser.http.get("/inbox")
    signin = await browser.get(sent.headers["location"])
    assert 'href="/signup?next=/inbox"' in signin.text
    await browser.get("/signup?next=/inbox")
    answer = await browser.post_form(
        "/signup",
        {"email": "new@example.org", "password": PASSWORD, "country": "DE",
         "languages": ["de"], "next": "/inbox"},
    )  # fmt: skip
    assert answer.status_code == 303 and answer.headers["location"] == "/inbox"


async def test_the_emails_of_a_german_page_are_german(gateway: Gateway, mailbox: Mailbox) -> None:
    browser = gateway.browser()
    browser.http.headers["accept-language"] = "de-DE,de;q=0.9"
    await browser.get("/signup")
    await browser.post_form(
        "/signup",
        {"email": "eva@example.org", "password": PASSWORD, "country": "DE", "languages": ["de"]},
    )
    page = await browser.get("/work")
    assert "Bitte bestätigen Sie Ihre E-Mail-Adresse." in page.text
    await ask_for_reset(gateway, "eva@example.org")  # another browser, in English
    sent = await emails(gateway, mailbox)
    welcome, reset = (
        the("Bestätigen Sie Ihre E-Mail-Adresse", sent),
        the("Choose a new password", sent),
    )
    assert "Willkommen bei Crowdframe!" in welcome.text
    assert "works once, for one hour" in reset.text  # the page it was asked from was English
    forgot = await browser.get("/password/forgot")
    assert "Passwort vergessen?" in forgot.text


async def test_switching_language_on_the_sign_in_page_keeps_where_it_goes_next(
    gateway: Gateway,
) -> None:
    browser = gateway.browser()
    await browser.get("/signin?next=%2Fearnings")
    switched = await browser.post_form(
        "/language", {"locale": "de", "next": "/signin?next=%2Fearnings"}
    )
    assert switched.headers["location"] == "/signin?next=%2Fearnings"
    german = await browser.get(switched.headers["location"])
    assert "Passwort vergessen?" in german.text
    assert 'name="next" value="/earnings"' in german.text
    assert 'name="next" value="/signin?next=%2Fearnings"' in german.text  # the switch, again
