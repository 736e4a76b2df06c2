"""What real requesters' scripts and pages do that the first pass refused (issue 17): the
assignmentId in externalSubmit's query, empty reasons, underpaid HITs told at once, and the
endpoint_url the credentials command prints. Real boto3 against a real gateway process."""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any

import pytest
from botocore.exceptions import ClientError

from mturk_world import LOCALE, MTurkWorld, answers, post_hit
from services import BIN


def accepted(world: MTurkWorld, email: str, hit: dict[str, Any], country: str = "DE") -> Any:
    worker = world.worker(email, country=country)
    params = worker.frame_params(worker.accept(hit["HITGroupId"]).headers["location"])
    return worker, params


def test_a_page_that_posts_the_assignment_id_in_the_query_is_received(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Query submit", MaxAssignments=2)
    _, params = accepted(world, "query@example.org", hit)
    query = f"?assignmentId={params['assignmentId']}"
    done = world.external_submit({"rating": "odd"}, query=query)
    assert done.status_code == 200 and "Your answer was received" in done.text
    (stored,) = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert answers(stored["Answer"]) == {"rating": "odd"}  # the query is no answer

    # the form's field wins over the query's
    _, other = accepted(world, "form-first@example.org", hit)
    both = world.external_submit(
        {"assignmentId": other["assignmentId"], "rating": "natural"},
        query="?assignmentId=ASSIGNMENT_ID_NOT_AVAILABLE",
    )
    assert both.status_code == 200
    forged = world.external_submit({"rating": "x"}, query="?assignmentId=asg_x.forged")
    assert forged.status_code == 404


def test_empty_feedback_and_an_empty_bonus_reason_work_as_on_mturk(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Empty reasons", MaxAssignments=2)
    kept, first = accepted(world, "kept@example.org", hit)
    _, second = accepted(world, "dropped@example.org", hit)
    for params in (first, second):
        world.external_submit({"assignmentId": params["assignmentId"], "a": "1"})

    mturk.reject_assignment(AssignmentId=second["assignmentId"], RequesterFeedback="")
    rejected = mturk.get_assignment(AssignmentId=second["assignmentId"])["Assignment"]
    assert rejected["AssignmentStatus"] == "Rejected"
    assert rejected.get("RequesterFeedback", "") == ""

    mturk.approve_assignment(AssignmentId=first["assignmentId"])
    mturk.send_bonus(
        WorkerId=first["workerId"],
        AssignmentId=first["assignmentId"],
        BonusAmount="0.10",
        Reason="",
    )
    (bonus,) = mturk.list_bonus_payments(AssignmentId=first["assignmentId"])["BonusPayments"]
    assert (bonus["BonusAmount"], bonus["Reason"]) == ("0.10", "")
    earnings = kept.get("/earnings").text
    assert "<td>no reason given</td>" in earnings
    assert 'data-currency="USD">$0.60<' in earnings


@pytest.mark.parametrize(
    ("reward", "countries", "said"),
    [
        ("0.05", ["US"], "pays 3.00 USD per hour for the estimated 60 s, below the minimum wage"
         " in US (7.25 USD per hour"),
        ("0.25", ["DE"], "below the minimum wage in DE (13.9 EUR per hour"),
    ],
)  # fmt: skip
def test_a_hit_nobody_targeted_could_see_is_refused_with_the_rate_and_the_minimum(
    mturk: Any, reward: str, countries: list[str], said: str
) -> None:
    locale = {
        "QualificationTypeId": LOCALE,
        "Comparator": "In",
        "LocaleValues": [{"Country": c} for c in countries],
    }
    for create in (
        lambda: post_hit(mturk, Reward=reward, QualificationRequirements=[locale]),
        lambda: mturk.create_hit_type(
            Title="Cheap",
            Description="d",
            Reward=reward,
            AssignmentDurationInSeconds=600,
            QualificationRequirements=[locale],
        ),
    ):
        with pytest.raises(ClientError) as refused:
            create()
        error = refused.value.response["Error"]
        assert error["Code"] == "RequestError"
        assert said in error["Message"] and "Raise the Reward" in error["Message"]
    # untargeted, the same reward is shown wherever it meets the minimum
    assert post_hit(mturk, Reward=reward)["HITStatus"] == "Assignable"


def test_the_credentials_command_prints_the_configured_public_origin(world: MTurkWorld) -> None:
    client = world.requester("Origin Lab").client_id

    def endpoint(*extra: str, origin: str | None = None) -> tuple[str, str]:
        env = {**os.environ, **world.env}
        env.pop("CROWDFRAME_PUBLIC_ORIGIN", None)
        if origin is not None:
            env["CROWDFRAME_PUBLIC_ORIGIN"] = origin
        made = subprocess.run(
            [BIN / "crowdframe", "create-mturk-credentials", client, "--data-dir", world.data,
             "--json", *extra],
            check=True, capture_output=True, text=True, env=env,
        )  # fmt: skip
        return json.loads(made.stdout)["endpoint_url"], made.stderr

    assert endpoint(origin="https://gateway.example/")[0] == "https://gateway.example/mturk"
    flagged = endpoint("--public-origin", "https://crowd.lab.example")
    assert flagged[0] == "https://crowd.lab.example/mturk"
    unset, warning = endpoint()
    assert unset == "http://127.0.0.1:8000/mturk" and "no public origin configured" in warning


def test_a_hit_has_no_review_policy_results_since_it_can_have_no_policy(mturk: Any) -> None:
    hit = post_hit(mturk, Title="No policy")
    results = mturk.list_review_policy_results_for_hit(
        HITId=hit["HITId"], PolicyLevels=["Assignment", "HIT"], RetrieveResults=True
    )
    assert results["HITId"] == hit["HITId"]
    assert "AssignmentReviewReport" not in results and "NextToken" not in results


def test_a_reviewable_hit_is_marked_reviewing_and_back(world: MTurkWorld, mturk: Any) -> None:
    hit = post_hit(mturk, Title="Under review")
    _, params = accepted(world, "rev@example.org", hit)
    world.external_submit({"assignmentId": params["assignmentId"], "a": "1"})
    assert "Reviewable" in refused_message(
        lambda: mturk.update_hit_review_status(HITId=hit["HITId"], Revert=True)
    )
    mturk.update_hit_review_status(HITId=hit["HITId"])
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewing"
    listed = mturk.get_paginator("list_reviewable_hits").paginate(Status="Reviewing")
    assert hit["HITId"] in {h["HITId"] for h in listed.build_full_result()["HITs"]}
    mturk.update_hit_review_status(HITId=hit["HITId"], Revert=True)
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"


def refused_message(call: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    assert refused.value.response["Error"]["Code"] == "RequestError"
    return str(refused.value.response["Error"]["Message"])
