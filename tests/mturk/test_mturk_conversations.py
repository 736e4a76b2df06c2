"""MTurk's operations that speak to workers, mapped onto conversations (issue 16): approving a
rejected assignment with OverrideRejection overturns the rejection and credits it once, and
NotifyWorkers writes to the workers' inboxes. Real boto3 against a real gateway process."""

from __future__ import annotations

import re
from typing import Any

from mturk_world import MTurkWorld, post_hit


def test_override_rejection_approves_rejected_work_and_pays_it_once(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Overturned", Reward="0.40")
    worker = world.worker("overturned@example.org")
    params = worker.frame_params(worker.accept(hit["HITGroupId"]).headers["location"])
    world.external_submit({"assignmentId": params["assignmentId"], "a": "1"})
    mturk.reject_assignment(AssignmentId=params["assignmentId"], RequesterFeedback="too short")
    assert "too short" in worker.get("/earnings").text

    for _ in range(2):  # the second is an approval of approved work: nothing more
        mturk.approve_assignment(AssignmentId=params["assignmentId"], OverrideRejection=True)
    got = mturk.get_assignment(AssignmentId=params["assignmentId"])["Assignment"]
    assert got["AssignmentStatus"] == "Approved"
    earnings = worker.get("/earnings").text
    assert re.findall(r'data-currency="USD">\$([0-9.]+)<', earnings) == ["0.40"]


def test_notify_workers_reaches_the_inboxes_of_the_workers_it_names(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Notified", MaxAssignments=2)
    browsers = []
    for email in ("told-1@example.org", "told-2@example.org"):
        browser = world.worker(email)
        params = browser.frame_params(browser.accept(hit["HITGroupId"]).headers["location"])
        world.external_submit({"assignmentId": params["assignmentId"], "a": "1"})
        browsers.append((browser, params["workerId"]))
    stranger = "A" + "Z" * 26
    answer = mturk.notify_workers(
        Subject="A follow-up <survey>",
        MessageText="Thanks! <script>alert(1)</script> One more question for you.",
        WorkerIds=[worker_id for _, worker_id in browsers] + [stranger],
    )
    (failed,) = answer["NotifyWorkersFailureStatuses"]
    assert failed["WorkerId"] == stranger and failed["NotifyWorkersFailureCode"] == "HardFailure"
    for browser, _ in browsers:
        inbox = browser.get("/inbox").text
        assert "A follow-up &lt;survey&gt;" in inbox
        thread = re.search(r'href="(/inbox/threads/[^"]+)"', inbox).group(1)  # type: ignore[union-attr]
        page = browser.get(thread).text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; One more question" in page
