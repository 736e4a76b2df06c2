"""Sign-in is rate-limited per email and per IP, with the count kept in the store: every
gateway process sharing the store sees the same attempts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack
from pathlib import Path

import httpx
import pytest
import time_machine
from starlette.applications import Starlette

from crowdframe_gateway.app import create_app
from harness import GATEWAY, ON_BOTH_STORES, Browser, Gateway, settings_for

LIMITS = {"signin_attempts_per_email": 3, "signin_attempts_per_ip": 6}
PASSWORD = "correct horse"


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return LIMITS


@pytest.fixture
async def stack() -> AsyncIterator[AsyncExitStack]:
    async with AsyncExitStack() as stack:
        yield stack


async def browser_at(stack: AsyncExitStack, app: Starlette, ip: str = "127.0.0.1") -> Browser:
    transport = httpx.ASGITransport(app=app, client=(ip, 40000))
    http = await stack.enter_async_context(httpx.AsyncClient(transport=transport, base_url=GATEWAY))
    browser = Browser(http)
    await browser.get("/signin")
    return browser


async def sign_in(browser: Browser, email: str, password: str = PASSWORD) -> httpx.Response:
    return await browser.post_form("/signin", {"email": email, "password": password})


async def guess_wrong(browser: Browser, emails: Iterable[str]) -> None:
    """A wrong password for each of ``emails`` in turn: each refused as wrong (401)."""
    for email in emails:
        assert (await sign_in(browser, email, "guess")).status_code == 401


async def test_after_too_many_attempts_on_one_email_even_the_right_password_waits(
    gateway: Gateway, stack: AsyncExitStack
) -> None:
    await gateway.worker("me@example.org")
    attacker = await browser_at(stack, gateway.app, "203.0.113.7")
    await guess_wrong(attacker, ["me@example.org"] * 3)

    refused = await sign_in(attacker, "me@example.org", "guess")
    me = await browser_at(stack, gateway.app, "198.51.100.1")
    mine = await sign_in(me, "ME@example.org")

    for answer in (refused, mine):
        assert answer.status_code == 429
        assert 890 <= int(answer.headers["retry-after"]) <= 900
        assert "Too many sign-in attempts" in answer.text
        assert "wait 15 minutes" in answer.text
    # another account, from the attacker's address, is not locked by this one
    await gateway.worker("you@example.org")
    assert (await sign_in(attacker, "you@example.org")).status_code == 303


async def test_one_ip_trying_many_emails_is_stopped_other_ips_are_not(
    gateway: Gateway, stack: AsyncExitStack
) -> None:
    await gateway.worker("me@example.org")
    sprayer = await browser_at(stack, gateway.app, "203.0.113.9")
    await guess_wrong(sprayer, [f"user{n}@example.org" for n in range(6)])

    assert (await sign_in(sprayer, "me@example.org")).status_code == 429
    elsewhere = await browser_at(stack, gateway.app, "198.51.100.2")
    assert (await sign_in(elsewhere, "me@example.org")).status_code == 303


async def test_parallel_guesses_are_each_counted(gateway: Gateway, stack: AsyncExitStack) -> None:
    await gateway.worker("me@example.org")
    attacker = await browser_at(stack, gateway.app, "203.0.113.5")

    answers = await asyncio.gather(
        *(sign_in(attacker, "me@example.org", f"guess {n}") for n in range(8))
    )

    assert sorted(a.status_code for a in answers) == [401] * 3 + [429] * 5


@ON_BOTH_STORES
async def test_the_window_reopens(gateway: Gateway, stack: AsyncExitStack) -> None:
    with time_machine.travel(1_800_000_000, tick=False) as clock:
        browser = await browser_at(stack, gateway.app)
        for _ in range(4):
            await sign_in(browser, "nobody@example.org", "guess")
        clock.shift(899)
        assert (await sign_in(browser, "nobody@example.org", "guess")).status_code == 429

        clock.shift(1)

        assert (await sign_in(browser, "nobody@example.org", "guess")).status_code == 401


async def test_two_gateway_processes_share_one_count(tmp_path: Path, stack: AsyncExitStack) -> None:
    # Two apps, each with its own store connection to one data dir, as two processes would be.
    apps = [create_app(settings_for(tmp_path, **LIMITS), background=False) for _ in range(2)]
    for app in apps:
        await stack.enter_async_context(app.router.lifespan_context(app))
    first, second = [await browser_at(stack, app, "203.0.113.3") for app in apps]

    answers = [
        await sign_in(browser, "me@example.org", "guess")
        for browser in (first, second, first, second)
    ]

    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert apps[0].state.runtime.store is not apps[1].state.runtime.store
