"""A requester's lifecycle script runs to the end against ``make demo``'s gateway: the
``crowdframe demo`` process as ``make demo`` starts it (on free ports and a data dir of its own),
the boto3 keys and endpoint_url it prints, and its demo worker doing the HITs in Chromium."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from playwright.sync_api import Page, expect

from mturk_task_site import do_the_hit, free_text, html_question, running_task_site
from mturk_world import external_question
from services import BIN, Service, free_port, start_service

pytestmark = pytest.mark.e2e

BANNER_END = "Press Ctrl-C to stop."


@dataclass
class Demo:
    """What ``crowdframe demo`` printed: the addresses, the worker's sign-in, the boto3 keys."""

    service: Service
    printed: str

    def shown(self, label: str) -> str:
        """The value printed after ``label`` (the first such line)."""
        found = re.search(rf"^  {re.escape(label)} +(\S+)", self.printed, re.MULTILINE)
        assert found is not None, f"the demo printed no {label!r}:\n{self.printed}"
        return found.group(1)

    @property
    def origin(self) -> str:
        return self.shown("Open").rstrip("/")

    @property
    def content_origin(self) -> str:
        found = re.search(r"^  HTMLQuestion +pages served from (\S+)", self.printed, re.MULTILINE)
        assert found is not None, f"the demo printed no content origin:\n{self.printed}"
        return found.group(1)

    def mturk(self) -> Any:
        """``boto3.client("mturk", ...)`` as a requester writes it from the demo's printout."""
        line = re.search(r"^  MTurk \(boto3\) +(.+)$", self.printed, re.MULTILINE)
        assert line is not None, f"the demo printed no boto3 settings:\n{self.printed}"
        settings = dict(re.findall(r"(endpoint_url|region_name)=(\S+)", line.group(1)))
        return boto3.client(
            "mturk",
            **settings,
            aws_access_key_id=self.shown("Access key"),
            aws_secret_access_key=self.shown("Secret key"),
        )


@pytest.fixture
def demo(
    tmp_path: Path, gateway_store: dict[str, str], request: pytest.FixtureRequest
) -> Iterator[Demo]:
    """``make demo``'s command, ``crowdframe demo``, on free ports and ``tmp_path``'s data dir
    (and on the store ``gateway_store`` names)."""
    port, example_port = free_port(), free_port()
    service = start_service(
        "demo",
        [
            str(BIN / "crowdframe"),
            "demo",
            "--port",
            str(port),
            "--example-port",
            str(example_port),
            "--data-dir",
            str(tmp_path / "demo"),
        ],
        f"http://127.0.0.1:{port}",
        "/signin",
        tmp_path,
        {"PYTHONUNBUFFERED": "1", **gateway_store},
    )
    try:
        deadline = time.monotonic() + 30
        while BANNER_END not in service.output():
            assert time.monotonic() < deadline, service.output()
            time.sleep(0.1)
        yield Demo(service, service.output())
    finally:
        service.stop()
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            print(f"----- demo log -----\n{service.output()}")


def test_the_demo_prints_what_a_requesters_boto3_script_needs(demo: Demo) -> None:
    mturk = demo.mturk()
    assert mturk.meta.endpoint_url == demo.origin + "/mturk"
    assert mturk.get_account_balance()["AvailableBalance"] == "10000.00"
    # HTMLQuestion pages come from another site of the same gateway
    assert demo.content_origin == demo.origin.replace("127.0.0.1", "localhost")


def test_a_requesters_lifecycle_script_runs_to_the_end_on_the_demo(page: Page, demo: Demo) -> None:
    """Screen, qualify, run a study (external and inline HTML) on the qualified, extend, review
    with empty feedback, bonus with an empty reason, notify the worker, expire and delete:
    MTurk's calls unchanged but for the endpoint_url and keys the demo printed."""
    mturk = demo.mturk()
    page.goto(demo.origin + "/signin")  # the demo's worker, as the printout says
    page.get_by_label("Email").fill(demo.shown("Sign in as"))
    page.get_by_label("Password").fill(demo.shown("Password"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()

    with running_task_site() as task_page:
        question = external_question(task_page, height=0)
        screening = mturk.create_hit(
            Title="Screening", Description="One question.", Reward="0.50", MaxAssignments=1,
            LifetimeInSeconds=3600, AssignmentDurationInSeconds=600, Question=question,
        )["HIT"]  # fmt: skip
        shown = [do_the_hit(page, "natural", "Screening")]
        (screened,) = mturk.list_assignments_for_hit(HITId=screening["HITId"])["Assignments"]
        mturk.approve_assignment(AssignmentId=screened["AssignmentId"], RequesterFeedback="")

        qualified = mturk.create_qualification_type(
            Name="Passed screening", Description="Did our screening HIT well",
            QualificationTypeStatus="Active",
        )["QualificationType"]["QualificationTypeId"]  # fmt: skip
        mturk.associate_qualification_with_worker(
            QualificationTypeId=qualified, WorkerId=screened["WorkerId"], IntegerValue=1
        )
        assert mturk.get_qualification_score(
            QualificationTypeId=qualified, WorkerId=screened["WorkerId"]
        )["Qualification"]["IntegerValue"] == 1  # fmt: skip
        requirements = [
            {"QualificationTypeId": qualified, "Comparator": "EqualTo", "IntegerValues": [1]},
            {"QualificationTypeId": "000000000000000000L0",
             "Comparator": "GreaterThanOrEqualTo", "IntegerValues": [90]},
        ]  # fmt: skip
        study = mturk.create_hit_type(
            Title="Main study", Description="Rate a sentence.", Reward="0.50",
            AssignmentDurationInSeconds=600, QualificationRequirements=requirements,
        )["HITTypeId"]  # fmt: skip
        hits = [
            mturk.create_hit_with_hit_type(
                HITTypeId=study, MaxAssignments=1, LifetimeInSeconds=3600, Question=question
            )["HIT"]
            for _ in range(2)
        ]
        inline = mturk.create_hit(
            Title="Follow-up", Description="One more sentence.", Reward="0.50",
            MaxAssignments=1, LifetimeInSeconds=3600, AssignmentDurationInSeconds=600,
            QualificationRequirements=requirements, Question=html_question(),
        )["HIT"]  # fmt: skip
        shown += [
            do_the_hit(page, "natural", "Main study"),
            do_the_hit(page, "odd"),  # moved on to the study's other HIT
        ]
        done = [params["hitId"] for params in shown[1:]]
        assert sorted(done) == sorted(h["HITId"] for h in hits)
        followed_up = do_the_hit(page, "natural", "Follow-up")
        assert followed_up["hitId"] == inline["HITId"]
        assert followed_up["src"].startswith(demo.content_origin + "/mturk/content/")
        for params in [*shown, followed_up]:  # as a task server checks them: botocore's patterns
            assert re.fullmatch(r"[A-Z0-9]{1,64}", params["hitId"])
            assert re.fullmatch(r"[A-Z0-9]{1,64}", params["assignmentId"])
            assert re.fullmatch(r"A[A-Z0-9]{1,63}", params["workerId"])
        assert screened["WorkerId"] == followed_up["workerId"]
        mturk.create_additional_assignments_for_hit(
            HITId=hits[0]["HITId"], NumberOfAdditionalAssignments=1
        )
        assert mturk.get_hit(HITId=hits[0]["HITId"])["HIT"]["HITStatus"] == "Assignable"

    answers = [
        a
        for hit in [*hits, inline]
        for page_of in mturk.get_paginator("list_assignments_for_hit").paginate(
            HITId=hit["HITId"], AssignmentStatuses=["Submitted"]
        )
        for a in page_of["Assignments"]
    ]
    assert len(answers) == 3
    bad = next(a for a in answers if free_text(a["Answer"])["rating"] == "odd")
    good = [a for a in answers if a is not bad]
    for each in good:
        mturk.approve_assignment(AssignmentId=each["AssignmentId"])
    mturk.reject_assignment(AssignmentId=bad["AssignmentId"], RequesterFeedback="")
    mturk.send_bonus(
        WorkerId=good[0]["WorkerId"], AssignmentId=good[0]["AssignmentId"], BonusAmount="0.25",
        Reason="",
    )  # fmt: skip
    page.goto(demo.origin + "/earnings")
    expect(page.locator(".total")).to_have_text("$1.75")  # three $0.50 approved, $0.25 bonus
    bonus = page.get_by_role("cell", name="no reason given", exact=True)
    expect(bonus).to_be_visible()  # the bonus's; the rejection's is "Rejected: no reason given"
    told = mturk.notify_workers(
        Subject="Thanks for the study", MessageText="Your answers helped.",
        WorkerIds=[good[0]["WorkerId"]],
    )  # fmt: skip
    assert told["NotifyWorkersFailureStatuses"] == []
    page.goto(demo.origin + "/inbox")
    page.get_by_role("link", name="Thanks for the study", exact=True).click()
    expect(page.get_by_text("Your answers helped.")).to_be_visible()

    for hit in [screening, *hits, inline]:
        mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
        mturk.delete_hit(HITId=hit["HITId"])
        assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Disposed"
    mturk.delete_qualification_type(QualificationTypeId=qualified)
    assert not any(h["HITId"] in done for h in mturk.list_hits()["HITs"])
