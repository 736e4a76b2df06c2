"""An MTurk ExternalQuestion page and a boto3 script, unchanged, run on Crowdframe in Chromium."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

import crowdframe
from mturk_task_site import frame_params, free_text, html_question, running_task_site
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
        # webhooks carry the pseudonym; the mturk protocol spells it as MTurk's WorkerId
        assert "A" + event.data["worker_id"].removeprefix("wkr_").upper() == first["workerId"]

    # ... and by list_assignments_for_hit, as QuestionFormAnswers
    (assignment,) = mturk.list_assignments_for_hit(HITId=first["hitId"])["Assignments"]
    assert assignment["AssignmentId"] == first["assignmentId"]
    assert assignment["WorkerId"] == first["workerId"]
    fields = free_text(assignment["Answer"])
    assert fields["rating"] == "natural" and fields["comments"] == "Reads fine <really>"

    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    page.goto(world.origin + "/earnings")
    expect(page.locator(".total")).to_have_text("$0.50")


def test_a_page_that_posts_the_assignment_id_in_the_query_is_received_in_chromium(
    page: Page, mturk_world: MTurkWorld
) -> None:
    world = mturk_world
    mturk = world.requester().mturk()
    with running_task_site() as task_page:
        query_page = task_page.replace("/hit", "/query")
        hit = mturk.create_hit(
            Title="Reaction experiment",
            Description="Press a button.",
            Reward="0.50",
            MaxAssignments=1,
            LifetimeInSeconds=3600,
            AssignmentDurationInSeconds=600,
            Question=external_question(query_page, height=0),
        )["HIT"]
        page.goto(world.origin + "/signup")
        page.get_by_label("Email").fill("ida@example.org")
        page.get_by_label("Password").fill("a long password")
        page.get_by_label("Country you live in").select_option("DE")
        page.get_by_label("English").check()
        page.get_by_role("button", name="Create account").click()
        page.get_by_role("listitem").filter(has_text="Reaction experiment").get_by_role(
            "button", name="Accept"
        ).click()
        page.wait_for_url(re.compile(r"/work/assignments/"))
        sent = frame_params(page)
        page.frame_locator("#cf-task-frame").get_by_role(
            "button", name="Finish the experiment"
        ).click()
        # the worker moves on exactly as after any submit: nothing is left for them here
        page.wait_for_url(re.compile(r"/work\?notice=finished"))

    (assignment,) = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert assignment["AssignmentId"] == sent["assignmentId"]
    assert free_text(assignment["Answer"]) == {"data": '[{"rt":412,"response":"space"}]'}


def sign_up(page: Page, world: MTurkWorld, email: str) -> None:
    page.goto(world.origin + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill("a long password")
    page.get_by_label("Country you live in").select_option("DE")
    page.get_by_label("English").check()
    page.get_by_role("button", name="Create account").click()


# An HTMLQuestion that tries what a hostile page would, and posts what it managed as its answer.
PROBING_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>Probe</title></head>
<body><form id="mturk_form" method="post" action="https://www.mturk.com/mturk/externalSubmit">
<input type="hidden" name="assignmentId" id="assignmentId">
<input type="hidden" name="probes" id="probes">
<input type="submit" id="submitButton" value="Send" disabled>
</form>
<script>
  var params = new URLSearchParams(location.search), found = {};
  function attempt(name, fn) {
    try { found[name] = "allowed: " + String(fn()); }
    catch (e) { found[name] = "blocked: " + e.name; }
  }
  attempt("cookie", function () { return document.cookie; });
  attempt("storage", function () { return localStorage.length; });
  attempt("parent", function () { return parent.document.title; });
  attempt("top", function () { return top.location.href; });
  document.getElementById("assignmentId").value = params.get("assignmentId");
  fetch(params.get("turkSubmitTo") + "/work", {credentials: "include"})
    .then(function (r) { return r.text(); })
    .then(function (t) { found.fetch = "read: " + t.length; },
          function (e) { found.fetch = "blocked: " + e.name; })
    .then(function () {
      document.getElementById("probes").value = JSON.stringify(found);
      document.getElementById("submitButton").disabled = false;
    });
</script></body></html>"""


def test_an_html_question_is_sandboxed_on_its_own_origin_and_posts_its_answer(
    page: Page, mturk_world: MTurkWorld
) -> None:
    world = mturk_world
    mturk = world.requester().mturk()
    question = html_question(PROBING_PAGE)
    hit = mturk.create_hit(
        Title="Inline probe", Description="d", Reward="0.50", MaxAssignments=1,
        LifetimeInSeconds=3600, AssignmentDurationInSeconds=600, Question=question,
    )["HIT"]  # fmt: skip
    sign_up(page, world, "mia@example.org")
    page.get_by_role("listitem").filter(has_text="Inline probe").get_by_role(
        "button", name="Accept"
    ).click()
    page.wait_for_url(re.compile(r"/work/assignments/"))
    assert (page.locator("#cf-task-frame").get_attribute("src") or "").startswith(
        world.content_origin + "/mturk/content/"
    )
    before = page.url
    page.frame_locator("#cf-task-frame").get_by_role("button", name="Send").click()
    page.wait_for_url(lambda url: url != before)

    (assignment,) = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    probes = json.loads(free_text(assignment["Answer"])["probes"])
    assert probes == {
        "cookie": "blocked: SecurityError",  # an opaque origin: no cookie, not even its own
        "storage": "blocked: SecurityError",
        "parent": "blocked: SecurityError",
        "top": "blocked: SecurityError",
        "fetch": "blocked: TypeError",  # the gateway answers no cross-origin read
    }
    page.goto(world.origin + "/work")  # the worker's session is untouched
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()
