"""A worker unlocks the sentiment project by its English reading test, in Debian's Chromium:
locked, the test in the frame on the client's page, a failure, the cool-down (which the client
then lifts through its API, rather than the test waiting it out), a retry with new questions, a
pass, and the project offers work."""

from __future__ import annotations

import re

import httpx
import pytest
from playwright.sync_api import Page, expect

from flows import ANSWERS, answer_the_test, sentiment_offer
from services import World

pytestmark = pytest.mark.e2e


@pytest.fixture
def example_options() -> list[str]:
    return []  # the reading test, with its hour-long cool-down


def lift_the_cool_down(world: World) -> None:
    """The client sets its assessment's cool-down to nothing, through the API."""
    headers = {"authorization": f"Bearer {world.account.api_key}"}
    with httpx.Client(base_url=world.gateway.origin + "/api/v1", headers=headers) as api:
        projects = api.get("/projects").raise_for_status().json()["data"]
        [test] = [p for p in projects if p["kind"] == "assessment"]
        api.patch(f"/projects/{test['id']}", json={"retry_after_seconds": 0}).raise_for_status()


def test_a_worker_fails_the_reading_test_waits_retries_passes_and_gets_work(
    page: Page, world: World
) -> None:
    offer = sentiment_offer(page, world, "reader@example.org")
    expect(offer).to_contain_text("Locked")
    expect(offer.get_by_role("button", name=re.compile("Accept"))).to_have_count(0)
    offer.get_by_role("link", name="Take the qualification test").click()

    expect(page.get_by_role("heading", name="English reading test")).to_be_visible()
    expect(page.locator(".facts")).to_contain_text("5 questions · pass with 4 right")
    page.get_by_role("button", name="Start the test").click()
    frame_src = page.locator("#cf-task-frame").get_attribute("src") or ""
    assert frame_src.startswith(world.example.origin + "/task?"), "the client's own page"
    first = answer_the_test(page, right=False)
    assert len(first) == 5

    result = page.get_by_role("status")
    expect(result).to_contain_text("You did not pass")
    expect(result).to_contain_text("0 of 5 right (0%)")
    expect(page.locator(".next")).to_contain_text("You can try again at")
    expect(page.get_by_role("button", name="Try again")).to_have_count(0)
    page.goto(world.gateway.origin + "/work")
    expect(offer).to_contain_text("you can retry the test at")

    lift_the_cool_down(world)
    offer.get_by_role("link", name="See your result").click()
    page.get_by_role("button", name="Try again").click()
    second = answer_the_test(page, right=True)
    assert len(second) == 5 and not set(first) & set(second), "new questions on the retry"

    expect(result).to_contain_text("You passed")
    expect(result).to_contain_text("5 of 5 right (100%)")
    page.get_by_role("link", name="Find work").click()
    expect(offer).not_to_contain_text("Locked")
    offer.get_by_role("button", name=re.compile("Accept")).click()
    task = page.frame_locator("#cf-task-frame")
    expect(task.get_by_role("button", name="Submit")).to_be_enabled()
    assert task.locator("#review").inner_text() not in ANSWERS, "real work now"
