"""A client's people in the console, driven in-process: invited, signed in, in a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from crowdframe_gateway.identity import members
from harness import TASK_URL, ApiClient, Browser, Gateway

PASSWORD = "a long password"
# 15 cents for an estimated minute: €9.00 an hour, under Germany's €13.90
UNDERPAID = {"title": "Label it", "task_url": TASK_URL, "reward_cents": "15", "currency": "EUR",
             "estimated_seconds": "60", "countries": "de fr"}  # fmt: skip


def text_of(answer: httpx.Response) -> str:
    """The page's text as a reader sees it: tags dropped, spaces folded."""
    return " ".join(re.sub(r"<[^>]+>", " ", answer.text).split()).replace("&#96;", "`")


@dataclass
class ConsoleUser:
    """A signed-in client user's browser, and their client's API account."""

    browser: Browser
    api: ApiClient
    email: str


def invitation_path(link: str) -> str:
    return urlsplit(link).path


async def owner_invitation(api: ApiClient, email: str) -> str:
    """The path of the invitation ``crowdframe create-client --owner-email`` would print."""
    rt = api.gateway.rt
    made = await members.invite_owner(rt.store, rt.settings.public_origin, api.made.client, email)
    return invitation_path(made.link)


async def accept(gateway: Gateway, path: str, password: str = PASSWORD) -> Browser:
    """A new browser that opens an invitation and accepts it; signed in if it worked."""
    browser = gateway.browser()
    await browser.get(path)
    answer = await browser.post_form(path, {"password": password, "repeated": password})
    assert answer.status_code == 303, answer.text
    await browser.get("/console/projects")
    return browser


async def console_owner(api: ApiClient, email: str = "owner@acme.example") -> ConsoleUser:
    browser = await accept(api.gateway, await owner_invitation(api, email))
    return ConsoleUser(browser, api, email)


async def invite_member(owner: ConsoleUser, email: str) -> str:
    """The owner invites someone from the members page: the invitation's path."""
    await owner.browser.get("/console/members")
    answer = await owner.browser.post_form("/console/members", {"email": email, "role": "member"})
    assert answer.status_code == 200, answer.text
    link = answer.text.split('id="invitation-link"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    return invitation_path(link)
