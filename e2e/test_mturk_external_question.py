"""An MTurk ExternalQuestion page and a boto3 script, unchanged, run on Crowdframe in Chromium."""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect

import crowdframe
from mturk_task_site import running_task_site
from mturk_world import MTurkWorld, external_question, start_mturk_world
from receiver import Receiver, running_receiver

pytestmark = pytest.mark.e2e


@pytest.fixture
def mturk_world(tmp_path: Path, gateway_store: dict[str, str]) -> Iterator[MTurkWorld]:
    world = start_mturk_world(tmp_path, gateway_store)
    try:
        yield world
    finally:
        world.stop()


def frame_params(page: Page) -> dict[str, str]:
    src = page.locator("#cf-task-frame").get_attribute("src") or ""
    return {k: v[0] for k, v in parse_qs(urlsplit(src).query).items()}


def wait_for_event(receiver: Receiver, type: str) -> tuple[dict[str, str], bytes]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        for received in receiver.received:
            if json.loads(received.body)["type"] == type:
                return received.headers, received.body
        time.sleep(0.1)
    raise AssertionError(f"no {type} webhook among {len(receiver.received)} received")


def test_an_external_question_hit_from_boto3_is_done_in_chromium_and_paid(
    page: Page, mturk_world: MTurkWorld
) -> None:
    world = mturk_world
    lab = world.requester()
    mturk = lab.mturk()
    with running_task_site() as task_page, running_receiver() as receiver:
        endpoint = httpx.post(
            f"{world.origin}/api/v1/webhook-endpoints",
            headers={"authorization": f"Bearer {lab.api_key}"},
            json={"url": receiver.url, "event_types": ["assignment.submitted"]},
        ).json()
        # the requester's script, unchanged but for endpoint_url and the keys
        type_id = mturk.create_hit_type(
            Title="Rate a sentence",
            Description="Say whether one sentence sounds natural.",
            Reward="0.50",
            AssignmentDurationInSeconds=600,
            AutoApprovalDelayInSeconds=86400,
        )["HITTypeId"]
        hits = [
            mturk.create_hit_with_hit_type(
                HITTypeId=type_id,
                MaxAssignments=1,
                LifetimeInSeconds=3600,
                Question=external_question(task_page, height=0),
            )["HIT"]
            for _ in range(2)
        ]

        page.goto(world.origin + "/signup")
        page.get_by_label("Email").fill("hana@example.org")
        page.get_by_label("Password").fill("a long password")
        page.get_by_label("Country you live in").select_option("DE")
        page.get_by_label("English").check()
        page.get_by_role("button", name="Create account").click()
        offer = page.get_by_role("listitem").filter(has_text="Rate a sentence")
        expect(offer).to_contain_text("$0.50")

        # preview: the page sees ASSIGNMENT_ID_NOT_AVAILABLE and disables its own button
        offer.get_by_role("link", name="Preview").click()
        task = page.frame_locator("#cf-task-frame")
        expect(task.locator("#submitButton")).to_be_disabled()
        expect(task.locator("#submitButton")).to_have_value(re.compile("must ACCEPT"))
        assert frame_params(page)["assignmentId"] == "ASSIGNMENT_ID_NOT_AVAILABLE"

        # accept: the frame fills the window (FrameHeight 0) and the page gets its parameters
        page.get_by_role("button", name="Accept this task").click()
        page.wait_for_url(re.compile(r"/work/assignments/"))
        first = frame_params(page)
        assert first["hitId"] in {h["HITId"] for h in hits}
        assert first["turkSubmitTo"] == world.origin
        box = page.locator("#cf-task-frame").bounding_box()
        assert box is not None and box["height"] >= 300
        task.get_by_label("Natural").check()
        task.get_by_label("Comments").fill("Reads fine <really>")
        task.locator("#submitButton").click()

        # the top page moves on to the other HIT, exactly as after a native submit
        page.wait_for_url(re.compile(r"/work/assignments/"))
        expect(page.locator("#cf-task-frame")).to_have_attribute(
            "src", re.compile(r"hitId=(?!" + re.escape(first["hitId"]) + ")")
        )
        second = frame_params(page)
        assert second["hitId"] != first["hitId"] and second["workerId"] == first["workerId"]
        expect(task.locator("#submitButton")).to_be_enabled()

        # the answer arrives by webhook, signed ...
        headers, body = wait_for_event(receiver, "assignment.submitted")
        event = crowdframe.Webhook(endpoint["secret"]).verify(headers, body)
        assert event.data["result"] == {
            "hitId": first["hitId"],
            "rating": "natural",
            "comments": "Reads fine <really>",
        }
        assert event.data["worker_id"] == first["workerId"]

    # ... and by list_assignments_for_hit, as QuestionFormAnswers
    (assignment,) = mturk.list_assignments_for_hit(HITId=first["hitId"])["Assignments"]
    assert assignment["AssignmentId"] == first["assignmentId"]
    assert assignment["WorkerId"] == first["workerId"]
    fields = free_text(assignment["Answer"])
    assert fields["rating"] == "natural" and fields["comments"] == "Reads fine <really>"

    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    page.goto(world.origin + "/earnings")
    expect(page.locator(".total")).to_have_text("$0.50")


def free_text(answer_xml: str) -> dict[str, Any]:
    ns = "{http://mechanicalturk.amazonaws.com/AWSMechanicalTurkDataSchemas/2005-10-01/QuestionFormAnswers.xsd}"
    root = ET.fromstring(answer_xml)  # noqa: S314 (the gateway's own answer)
    return {
        a.findtext(f"{ns}QuestionIdentifier"): a.findtext(f"{ns}FreeText")
        for a in root.iter(f"{ns}Answer")
    }
