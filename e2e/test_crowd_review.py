"""Crowd review as workers see it: two other workers check an answer on the client's review
page in the frame, reject it, and the answer is rejected as if by the client."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

import crowdframe
from flows import answer_a_task, sign_up
from services import World

pytestmark = pytest.mark.e2e
TITLE = "Checked by the crowd"


def rejected_webhook(world: World, assignment_id: str) -> dict[str, object]:
    """The ``assignment.rejected`` delivery the example received for the answer."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for delivery in world.example_json("/results.json")["deliveries"]:
            body = json.loads(delivery["body"])
            if body["type"] == "assignment.rejected" and (
                body["data"]["assignment_id"] == assignment_id
            ):
                return body["data"]  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("no assignment.rejected webhook arrived")


def test_two_reviewers_reject_an_answer_on_the_clients_review_page(
    page: Page, browser: Browser, world: World
) -> None:
    origin = world.example.origin
    with crowdframe.Client(world.account.api_key, base_url=world.gateway.origin) as api:
        project = api.create_project(
            title=TITLE, task_url=origin + "/task", reward_cents=10, estimated_seconds=20,
            crowd_review={"task_url": origin + "/review", "reviewers": 2, "reward_cents": 5,
                          "estimated_seconds": 10},
        )  # fmt: skip
        api.add_tasks(project.id, [{"external_id": "c-1", "input": {"text": "Lovely soap."}}])

    # worker A answers (wrongly) in the client's task page
    sign_up(page, world.gateway.origin, "alice@example.org")
    answer_id = answer_a_task(page, TITLE, "Negative")

    # workers B and C each find a review task and reject the answer on the review page
    for name, reason in (("bob", "It is praise"), ("carol", "Clearly positive")):
        context = browser.new_context()
        reviewer = context.new_page()
        sign_up(reviewer, world.gateway.origin, f"{name}@example.org")
        offer = reviewer.get_by_role("listitem").filter(has_text=f"Review: {TITLE}")
        expect(offer).to_contain_text("$0.05")
        offer.get_by_role("button", name=re.compile("Accept")).click()
        frame_src = reviewer.locator("#cf-task-frame").get_attribute("src") or ""
        assert frame_src.startswith(origin + "/review?")
        frame = reviewer.frame_locator("#cf-task-frame")
        expect(frame.locator("#review")).to_have_text("Lovely soap.")
        expect(frame.locator("#answer-given")).to_have_text("Negative")
        expect(frame.get_by_role("button", name="Submit verdict")).to_be_enabled()
        frame.get_by_label("Wrong: reject").check()
        frame.get_by_label("Why (shown to the client)").fill(reason)
        current = reviewer.url
        frame.get_by_role("button", name="Submit verdict").click()
        reviewer.wait_for_url(lambda url, before=current: url != before)
        context.close()

    data = rejected_webhook(world, answer_id)
    assert data["reviewed_by"] == "crowd" and data["status"] == "rejected"
    assert data["reject_reason"] == (
        "Rejected by crowd review (2 of 2 reviewers): It is praise; Clearly positive"
    )
    with crowdframe.Client(world.account.api_key, base_url=world.gateway.origin) as api:
        judged = api.get_assignment(answer_id)
    assert judged.status == "rejected" and judged.crowd_review is not None
    assert judged.crowd_review.status == "rejected"

    page.goto(world.gateway.origin + "/earnings")
    expect(page.get_by_role("heading", name=re.compile("Earnings"))).to_be_visible()
    line = page.locator(f'table.earnings tr[data-key="{answer_id}"]')
    expect(line).to_have_attribute("data-status", "rejected")  # not paid
    rejected = page.locator(".rejection").filter(has_text=TITLE)
    expect(rejected.locator(".reason")).to_contain_text("Rejected by crowd review")
