"""Clients and workers talk, in Debian's Chromium: a rejection's reason and notification, a
dispute (once) that the client overturns through the SDK, credited once; and a message to a
project's workers that two read, one answers, and the client hears as a signed webhook."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

import crowdframe
from flows import SENTIMENT, answer_a_task, sign_up
from receiver import Receiver, running_receiver
from services import World

pytestmark = pytest.mark.e2e


def wait_for_event(receiver: Receiver, type: str) -> tuple[dict[str, str], bytes]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for received in list(receiver.received):
            if json.loads(received.body)["type"] == type:
                return received.headers, received.body
        time.sleep(0.1)
    raise AssertionError(f"no {type} webhook among {len(receiver.received)} received")


def answer_the_sentiment_task(page: Page) -> None:
    """Accept and answer a task of the sentiment project itself (not a crowd review of it)."""
    page.get_by_role("button", name=f"Accept a task: {SENTIMENT}", exact=True).click()
    assignment_id = page.url.rsplit("/", 1)[1]
    task = page.frame_locator("#cf-task-frame")
    expect(task.get_by_role("button", name="Submit")).to_be_enabled()
    task.get_by_label("Negative").check()
    task.get_by_role("button", name="Submit").click()
    page.wait_for_url(lambda url: assignment_id not in url)


def test_a_rejection_is_understood_disputed_once_and_overturned(page: Page, world: World) -> None:
    gateway = world.gateway.origin
    sign_up(page, gateway, "disputing.worker@example.org")
    assignment_id = answer_a_task(page, SENTIMENT, "Positive")
    with crowdframe.Client(world.account.api_key, base_url=gateway) as api:
        assert api.reject(assignment_id, "REASON-XYZ-123").status == "rejected"

    page.goto(gateway + "/inbox")
    notice = page.locator('.notice-line[data-kind="rejected"]')
    expect(notice).to_contain_text("was rejected: REASON-XYZ-123")
    notice.get_by_role("link").click()
    page.wait_for_url(re.compile("/earnings"))
    rejection = page.locator(f'li.rejection[data-assignment="{assignment_id}"]')
    expect(rejection.locator(".reason")).to_have_text("REASON-XYZ-123")
    expect(page.locator(".total")).to_have_count(0)  # nothing earned yet

    rejection.get_by_label("Dispute this rejection (once)").fill("The review is glowing.")
    rejection.get_by_role("button", name="Send dispute").click()
    expect(page.get_by_role("status")).to_have_text("Your dispute was sent to the client.")
    expect(rejection.locator(".dispute")).to_contain_text("has not answered yet")

    # a second dispute of the same assignment (an old tab's form, say) is refused, clearly
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value") or ""
    again = page.request.post(
        f"{gateway}/earnings/assignments/{assignment_id}/dispute",
        data=json.dumps({"message": "Once more."}),
        headers={"content-type": "application/json", "x-csrf-token": csrf},
    )
    assert again.status == 409
    error = again.json()["error"]
    assert error["code"] == "already_disputed"
    assert "already disputed this rejection" in error["message"]

    with crowdframe.Client(world.account.api_key, base_url=gateway) as api:
        [dispute] = api.list_disputes(status="open").data
        assert (dispute.assignment_id, dispute.message) == (assignment_id, "The review is glowing.")
        overturned = api.overturn_dispute(dispute.id)
        assert overturned.assignment is not None
        assert overturned.assignment.status == "approved"
        api.overturn_dispute(dispute.id)  # a retry credits nothing more

    page.goto(gateway + "/earnings")
    rows = page.locator("table.earnings tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("$0.10")
    expect(page.locator(".total")).to_have_text("$0.10")
    expect(rejection.locator(".dispute")).to_contain_text("Your dispute was accepted")
    page.goto(gateway + "/inbox")
    expect(page.locator('.notice-line[data-kind="dispute_answered"]')).to_contain_text("overturned")


def test_a_message_to_a_projects_workers_and_a_reply_by_signed_webhook(
    page: Page, browser: Browser, world: World
) -> None:
    gateway = world.gateway.origin
    context = browser.new_context()
    other = context.new_page()
    with running_receiver() as receiver:
        with crowdframe.Client(world.account.api_key, base_url=gateway) as api:
            endpoint = api.create_webhook_endpoint(receiver.url, event_types=["message.received"])
        sign_up(page, gateway, "first.reader@example.org")
        answer_a_task(page, SENTIMENT, "Positive")
        sign_up(other, gateway, "second.reader@example.org")
        answer_the_sentiment_task(other)  # the list offers a crowd review of the first answer too

        body = "Thank you both! <script>window.hacked = true</script>"
        with crowdframe.Client(world.account.api_key, base_url=gateway) as api:
            [project] = [p for p in api.iter_projects() if p.title == SENTIMENT]
            threads = api.send_message("About your answers", body, project_id=project.id)
            assert len(threads) == 2

        for reader in (page, other):
            reader.goto(gateway + "/inbox")
            reader.get_by_role("link", name="About your answers", exact=True).click()
            expect(reader.locator(".message .body").first).to_have_text(body)  # as text
            assert reader.evaluate("window.hacked") is None, "the script never ran"
            assert "example.org" not in reader.locator(".messages").inner_text()

        other.get_by_label("Your reply").fill("Happy to help.")
        other.get_by_role("button", name="Send reply").click()
        expect(other.get_by_role("status")).to_have_text("Reply sent.")
        expect(other.locator('.message[data-author="worker"] .body')).to_have_text("Happy to help.")

        headers, raw = wait_for_event(receiver, "message.received")
    context.close()
    assert endpoint.secret is not None
    event = crowdframe.Webhook(endpoint.secret).verify(headers, raw)
    assert event.type == "message.received"
    assert event.data["body"] == "Happy to help."
    assert event.data["project_id"] == project.id
    assert event.data["worker_id"] in {t.worker_id for t in threads}
    assert "@" not in raw.decode(), "no worker's email in the webhook"
