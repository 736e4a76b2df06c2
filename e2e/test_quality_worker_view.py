"""What a worker sees of the quality process: rules hide projects, gold answers stop them."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

import crowdframe
from flows import sign_up
from services import World

pytestmark = pytest.mark.e2e


def test_rules_hide_projects_and_wrong_gold_answers_stop_a_worker(page: Page, world: World) -> None:
    task_url = world.example.origin + "/task"
    with crowdframe.Client(world.account.api_key, base_url=world.gateway.origin) as api:
        us_only = api.create_project(
            title="Reviews for US readers", task_url=task_url, reward_cents=10,
            estimated_seconds=20, countries=["US"],
        )  # fmt: skip
        api.add_tasks(us_only.id, [{"external_id": "us-1", "input": {"text": "Howdy"}}])
        checked = api.create_project(
            title="Checked sentiment", task_url=task_url, reward_cents=10, estimated_seconds=20,
            gold_ratio=1.0, gold_min_answers=2, gold_min_accuracy=0.6,
        )  # fmt: skip
        api.add_tasks(
            checked.id,
            [
                {"external_id": f"gold-{i}", "input": {"text": text},
                 "gold": {"sentiment": "positive"}}
                for i, text in enumerate(["I love it", "Wonderful", "Best ever"])
            ]
            + [{"external_id": "real-1", "input": {"text": "It is a chair"}}],
        )  # fmt: skip

    sign_up(page, world.gateway.origin, "careless@example.org", country="DE")
    offers = page.get_by_role("listitem")
    expect(offers.filter(has_text="Checked sentiment")).to_have_count(1)
    expect(offers.filter(has_text="Sentiment of short reviews")).to_have_count(1)
    expect(offers.filter(has_text="Reviews for US readers")).to_have_count(0)

    offers.filter(has_text="Checked sentiment").get_by_role(
        "button", name=re.compile("Accept")
    ).click()
    for _ in range(2):  # two gold tasks, answered wrong
        frame = page.frame_locator("#cf-task-frame")
        expect(frame.get_by_role("button", name="Submit")).to_be_enabled()
        frame.get_by_label("Negative").check()
        current = page.url
        frame.get_by_role("button", name="Submit").click()
        page.wait_for_url(lambda url, before=current: url != before)

    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("no more tasks")
    expect(offers.filter(has_text="Checked sentiment")).to_have_count(0)
    expect(offers.filter(has_text="Sentiment of short reviews")).to_have_count(1)
