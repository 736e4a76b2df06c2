"""What a worker sees of bonuses, earnings and blocks, in Debian's Chromium: approved work and
a bonus on /earnings with their total; then the client blocks them on its results page, and
the project is gone from their task list and refused by URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

import crowdframe
from flows import answer_a_task, sign_up, wait_for_results
from services import World

pytestmark = pytest.mark.e2e
TITLE = "Sentiment of short reviews"


def test_a_worker_sees_reward_and_bonus_then_a_block(
    page: Page, browser: Browser, world: World
) -> None:
    gateway = world.gateway.origin
    sign_up(page, gateway, "careful.worker@example.org")
    assignment_id = answer_a_task(page, TITLE, "Positive")

    # the client approves the answer and pays a bonus on it, through the SDK
    with crowdframe.Client(world.account.api_key, base_url=gateway) as api:
        [project] = [p for p in api.iter_projects() if p.title == TITLE]
        assert api.approve(assignment_id).status == "approved"
        bonus = api.bonus(assignment_id, 25, "Careful work, thank you", idempotency_key="b-1")
        assert bonus.amount_cents == 25
        worker_id = api.get_assignment(assignment_id).worker_id

    page.goto(gateway + "/earnings")
    rows = page.locator("table.earnings tbody tr")
    expect(rows).to_have_count(2)
    reward = rows.filter(has_text=TITLE)
    expect(reward).to_contain_text("Approved")
    expect(reward).to_contain_text("$0.10")
    extra = rows.filter(has_text="Careful work, thank you")
    expect(extra).to_contain_text("Bonus")
    expect(extra).to_contain_text("$0.25")
    expect(page.locator(".total")).to_have_text("$0.35")  # 0.10 + 0.25

    # the client blocks the worker from the example's results page (its admin page)
    wait_for_results(world, 1)
    context = browser.new_context()
    admin = context.new_page()
    admin.goto(world.example.origin + "/results")
    row = admin.locator(f'tr[data-assignment-id="{assignment_id}"]')
    expect(row).to_contain_text(worker_id)
    row.get_by_role("button", name=re.compile("Block this worker")).click()
    expect(admin.locator("#notice")).to_have_text(f"Blocked {worker_id}.")
    context.close()

    page.goto(gateway + "/work")
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()
    expect(page.get_by_role("listitem").filter(has_text=TITLE)).to_have_count(0)
    refused = page.goto(f"{gateway}/work/projects/{project.id}/preview")
    assert refused is not None and refused.status == 403
    expect(page.get_by_role("alert")).to_have_text(
        "You can no longer take tasks from this project."
    )
