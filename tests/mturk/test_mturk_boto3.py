"""A requester's boto3 ``mturk`` script, unchanged but for the endpoint and keys, against a real
gateway process; workers do the HITs through the gateway's pages and externalSubmit."""

from __future__ import annotations

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.session
import pytest
from botocore.exceptions import ClientError

import redis
from mturk_world import (
    LOCALE,
    TASK_PAGE,
    MTurkWorld,
    Requester,
    answers,
    external_question,
    post_hit,
)

PERCENT_APPROVED = "000000000000000000L0"
_MODEL = botocore.session.get_session().get_service_model("mturk")
ENTITY_ID = _MODEL.shape_for("EntityId").metadata["pattern"]  # HITId, AssignmentId
WORKER_ID = _MODEL.shape_for("CustomerId").metadata["pattern"]  # WorkerId


def test_a_script_posts_a_hit_a_worker_answers_it_and_the_script_pays_for_it(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, RequesterAnnotation="batch-7")
    assert hit["HITStatus"] == "Assignable"
    assert hit["Reward"] == "0.50" and hit["MaxAssignments"] == 1
    assert hit["NumberOfAssignmentsAvailable"] == 1
    assert hit["Expiration"] > datetime.now(UTC) + timedelta(minutes=59)

    worker = world.worker("ada@example.org")
    preview = worker.frame_params(f"/work/projects/{hit['HITGroupId']}/preview")
    assert preview == {
        "assignmentId": "ASSIGNMENT_ID_NOT_AVAILABLE",
        "hitId": hit["HITId"],
        "turkSubmitTo": world.origin,
    }
    accepted = worker.accept(hit["HITGroupId"])
    params = worker.frame_params(accepted.headers["location"])
    assert params["hitId"] == hit["HITId"] and params["turkSubmitTo"] == world.origin
    # shaped as botocore's model says, where task servers written for MTurk check them
    assert re.match(ENTITY_ID, params["hitId"]) and re.match(ENTITY_ID, params["assignmentId"])
    assert re.match(WORKER_ID, params["workerId"]) and hit["HITId"] == params["hitId"]
    assert all(len(params[k]) <= 64 for k in ("hitId", "assignmentId", "workerId"))
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Unassignable"

    submitted = world.external_submit(
        {"assignmentId": params["assignmentId"], "q1": "natural", "q2": "odd & <broken>"}
    )
    assert submitted.status_code == 200
    assert "Your answer was received" in submitted.text

    listed = mturk.list_assignments_for_hit(HITId=hit["HITId"], AssignmentStatuses=["Submitted"])
    (assignment,) = listed["Assignments"]
    assert assignment["AssignmentId"] == params["assignmentId"]
    assert assignment["WorkerId"] == params["workerId"]
    assert answers(assignment["Answer"]) == {"q1": "natural", "q2": "odd & <broken>"}
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Reviewable"

    assert "0.00" not in worker.get("/earnings").text
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])
    mturk.approve_assignment(AssignmentId=assignment["AssignmentId"])  # harmless twice
    got = mturk.get_assignment(AssignmentId=assignment["AssignmentId"])
    assert got["Assignment"]["AssignmentStatus"] == "Approved"
    assert got["HIT"]["HITId"] == hit["HITId"]
    assert 'data-currency="USD">$0.50<' in worker.get("/earnings").text

    bonus = {
        "WorkerId": params["workerId"],
        "AssignmentId": assignment["AssignmentId"],
        "BonusAmount": "0.25",
        "Reason": "Careful answers",
        "UniqueRequestToken": "bonus-ada-1",
    }
    mturk.send_bonus(**bonus)
    mturk.send_bonus(**bonus)  # the same request token pays once
    assert 'data-currency="USD">$0.75<' in worker.get("/earnings").text
    paid = mturk.list_bonus_payments(HITId=hit["HITId"])["BonusPayments"]
    assert [(p["WorkerId"], p["BonusAmount"]) for p in paid] == [(params["workerId"], "0.25")]


def test_external_submit_refuses_previews_forgeries_repeats_and_closed_assignments(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, MaxAssignments=2)
    worker = world.worker("bea@example.org")
    params = worker.frame_params(worker.accept(hit["HITGroupId"]).headers["location"])
    aid = params["assignmentId"]

    preview = world.external_submit({"assignmentId": "ASSIGNMENT_ID_NOT_AVAILABLE", "q": "x"})
    assert preview.status_code == 403 and "This is a preview" in preview.text
    # another MAC (one credential in 256 ends in "AA": then "AA" would be no forgery)
    forged_id = aid[:-2] + ("AA" if not aid.endswith("AA") else "BA")
    forged = world.external_submit({"assignmentId": forged_id, "q": "x"})
    assert forged.status_code == 404 and "not one Crowdframe issued" in forged.text
    bare = world.external_submit({"assignmentId": aid[:-26], "q": "x"})  # no MAC
    assert bare.status_code == 404
    upload = world.external_submit({"assignmentId": aid}, files={"f": ("a.txt", b"data")})
    assert upload.status_code == 400 and "File uploads are not supported" in upload.text
    missing = world.external_submit({"q": "x"})
    assert missing.status_code == 400 and "included an assignmentId" in missing.text
    assert mturk.list_assignments_for_hit(HITId=hit["HITId"])["NumResults"] == 0

    # multipart, as a page with enctype="multipart/form-data" sends it; then a double click
    first = world.external_submit({"assignmentId": aid, "colour": "blue"}, files={"x": ("", b"")})
    again = world.external_submit({"assignmentId": aid, "colour": "red"})
    assert first.status_code == 200
    assert again.status_code == 409 and "already received" in again.text
    (stored,) = mturk.list_assignments_for_hit(HITId=hit["HITId"])["Assignments"]
    assert answers(stored["Answer"]) == {"colour": "blue", "x": ""}  # an empty file input

    # a returned assignment cannot be submitted any more
    other = world.worker("cem@example.org")
    location = other.accept(hit["HITGroupId"]).headers["location"]
    returned_id = other.frame_params(location)["assignmentId"]
    assert other.post_form(f"{location}/return", {}).status_code == 303
    late = world.external_submit({"assignmentId": returned_id, "colour": "green"})
    assert late.status_code == 409 and "returned" in late.text
    assert mturk.list_assignments_for_hit(HITId=hit["HITId"])["NumResults"] == 1


def test_identical_hit_types_are_one_and_locale_requirements_choose_the_workers(
    world: MTurkWorld, mturk: Any
) -> None:
    settings = {
        "Title": "US-only pilot",
        "Description": "Five questions about your commute.",
        "Reward": "1.00",
        "AssignmentDurationInSeconds": 900,
        "QualificationRequirements": [
            {
                "QualificationTypeId": LOCALE,
                "Comparator": "In",
                "LocaleValues": [{"Country": "US"}, {"Country": "CA", "Subdivision": "ON"}],
            },
            {
                "QualificationTypeId": PERCENT_APPROVED,
                "Comparator": "GreaterThanOrEqualTo",
                "IntegerValues": [95],
            },
        ],
    }
    type_id = mturk.create_hit_type(**settings)["HITTypeId"]
    assert mturk.create_hit_type(**settings)["HITTypeId"] == type_id
    assert mturk.create_hit_type(**{**settings, "Reward": "1.01"})["HITTypeId"] != type_id
    hit = mturk.create_hit_with_hit_type(
        HITTypeId=type_id, LifetimeInSeconds=600, Question=external_question(TASK_PAGE)
    )["HIT"]
    assert hit["HITTypeId"] == type_id and hit["Title"] == "US-only pilot"
    # echoed as given, enforced where Crowdframe can (docs/migrate-from-mturk.md)
    assert hit["QualificationRequirements"] == settings["QualificationRequirements"]

    german = world.worker("dora@example.org", country="DE")
    assert "US-only pilot" not in german.get("/work").text
    assert german.accept(hit["HITGroupId"]).status_code == 403
    american = world.worker("eve@example.org", country="US")
    assert "US-only pilot" in american.get("/work").text
    assert american.accept(hit["HITGroupId"]).headers["location"].startswith("/work/assignments/")


def test_paginators_walk_every_page(world: MTurkWorld) -> None:
    mturk = world.requester("Paging Lab").mturk()
    posted = {post_hit(mturk, Title=f"Item {i}")["HITId"] for i in range(5)}
    pages = list(mturk.get_paginator("list_hits").paginate(PaginationConfig={"PageSize": 2}))
    assert len(pages) == 3
    assert {h["HITId"] for page in pages for h in page["HITs"]} == posted

    for n in range(3):
        mturk.create_worker_block(WorkerId=f"ASOMEONE{n}", Reason="spam")
    blocks = mturk.get_paginator("list_worker_blocks").paginate(PaginationConfig={"PageSize": 2})
    assert [b["WorkerId"] for b in blocks.build_full_result()["WorkerBlocks"]] == [
        "ASOMEONE0",
        "ASOMEONE1",
        "ASOMEONE2",
    ]


def test_a_blocked_worker_gets_none_of_the_clients_work_until_unblocked(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Blockable", MaxAssignments=3)
    worker = world.worker("finn@example.org")
    first = worker.frame_params(worker.accept(hit["HITGroupId"]).headers["location"])
    world.external_submit({"assignmentId": first["assignmentId"], "a": "junk"})
    mturk.create_worker_block(WorkerId=first["workerId"], Reason="Copy-pasted answers")
    assert first["workerId"] in [
        b["WorkerId"] for b in mturk.list_worker_blocks(MaxResults=100)["WorkerBlocks"]
    ]
    second = post_hit(mturk, Title="Blockable too")
    assert "Blockable too" not in worker.get("/work").text
    assert worker.accept(second["HITGroupId"]).status_code == 403
    mturk.delete_worker_block(WorkerId=first["workerId"])
    assert worker.accept(second["HITGroupId"]).status_code == 303


def test_expiring_and_deleting_hits(world: MTurkWorld, mturk: Any) -> None:
    hit = post_hit(mturk, Title="Short-lived")
    with pytest.raises(ClientError) as refused:
        mturk.delete_hit(HITId=hit["HITId"])
    assert refused.value.response["Error"]["Code"] == "RequestError"
    assert "expired or is complete" in refused.value.response["Error"]["Message"]

    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=datetime(2015, 1, 1))
    expired = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert expired["HITStatus"] == "Reviewable"
    assert expired["NumberOfAssignmentsAvailable"] == 0
    worker = world.worker("gus@example.org")
    assert "Short-lived" not in worker.get("/work").text

    mturk.delete_hit(HITId=hit["HITId"])
    assert hit["HITId"] not in {
        h["HITId"] for page in mturk.get_paginator("list_hits").paginate() for h in page["HITs"]
    }
    assert mturk.get_hit(HITId=hit["HITId"])["HIT"]["HITStatus"] == "Disposed"


@pytest.mark.parametrize(
    ("question", "message"),
    [
        (
            "<HTMLQuestion xmlns='x'><HTMLContent><![CDATA[<crowd-form><crowd-input name='a'>"
            "</crowd-input></crowd-form>]]></HTMLContent><FrameHeight>0</FrameHeight>"
            "</HTMLQuestion>",
            "crowd-html-elements (crowd-form, ...) is not supported",
        ),
        ("<QuestionForm xmlns='x'/>", "QuestionForm is not supported"),
        ("<ExternalQuestion><FrameHeight>0", "not well-formed XML"),
        (
            '<!DOCTYPE x [<!ENTITY a "aaaa">]><ExternalQuestion/>',
            "must not contain a DOCTYPE",
        ),
        (external_question("http://tasks.example/x"), "must be https"),
        (  # a DOCTYPE hidden from a text search by a CDATA opened in a comment
            "<!-- <![CDATA[ --><!DOCTYPE x [<!ENTITY a 'b'>]><!-- ]]> -->"
            "<ExternalQuestion><ExternalURL>https://t.example</ExternalURL></ExternalQuestion>",
            "must not contain a DOCTYPE",
        ),
    ],
)
def test_questions_crowdframe_cannot_show_are_refused_clearly(
    mturk: Any, question: str, message: str
) -> None:
    with pytest.raises(ClientError) as refused:
        post_hit(mturk, Question=question)
    error = refused.value.response["Error"]
    assert error["Code"] == "RequestError"
    assert message in error["Message"]


def test_bad_input_and_unsupported_operations_are_request_errors(
    world: MTurkWorld, mturk: Any
) -> None:
    cases = [
        (lambda: post_hit(mturk, Reward="0.555"), "Reward must be an amount"),
        (lambda: post_hit(mturk, AssignmentDurationInSeconds=200_000), "between 30 and 86400"),
        (lambda: mturk.get_hit(HITId="tsk_nothing"), "does not exist"),
        (lambda: mturk.get_assignment(AssignmentId="asg_x.forged"), "does not exist"),
        (lambda: mturk.list_hits(MaxResults=500), "MaxResults must be between 1 and 100"),
        (
            lambda: mturk.accept_qualification_request(QualificationRequestId="QR1"),
            "AcceptQualificationRequest is not supported by Crowdframe",
        ),
    ]
    for call, message in cases:
        with pytest.raises(ClientError) as refused:
            call()
        assert refused.value.response["Error"]["Code"] == "RequestError"
        assert message in refused.value.response["Error"]["Message"]
    # another client's HIT is invisible
    mine = post_hit(mturk)
    other = world.requester("Other Lab").mturk()
    with pytest.raises(ClientError, match="does not exist"):
        other.get_hit(HITId=mine["HITId"])
    assert mturk.get_account_balance()["AvailableBalance"] == "10000.00"


def test_signatures_are_checked_and_credentials_can_be_revoked(
    world: MTurkWorld, lab: Requester
) -> None:
    wrong_secret = lab.mturk(aws_secret_access_key="x" * 40)
    wrong_region = lab.mturk(region_name="eu-west-1")
    unknown = lab.mturk(aws_access_key_id="AKCFNOTAREALKEY00000")
    for client, code in (
        (wrong_secret, "InvalidSignatureException"),
        (wrong_region, "InvalidSignatureException"),
        (unknown, "UnrecognizedClientException"),
    ):
        with pytest.raises(ClientError) as refused:
            client.get_account_balance()
        assert refused.value.response["Error"]["Code"] == code

    spare = world.requester("Revocable Lab")
    script = spare.mturk()
    assert script.get_account_balance()["AvailableBalance"] == "10000.00"
    revoked = world.revoke(spare.access_key_id)
    assert revoked == f"revoked {spare.access_key_id}"
    with pytest.raises(ClientError) as refused:
        script.get_account_balance()
    assert refused.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_the_secret_is_encrypted_at_rest_and_never_logged(
    world: MTurkWorld, lab: Requester, mturk: Any
) -> None:
    mturk.get_account_balance()
    secret = lab.secret_access_key.encode()
    if "CROWDFRAME_STORE" in world.env:
        with redis.Redis.from_url(world.env["CROWDFRAME_STORE"]) as r:
            stored = [
                r.dump(key) or b"" for key in r.scan_iter(count=1000)
            ]  # every value, in Redis's own serialisation
            assert stored and not any(secret in value for value in stored)
            sealed = r.hget(
                f"cf:{{{lab.client_id}}}:mturk-key:{lab.access_key_id}", "secret_encrypted"
            )
        assert sealed and secret not in sealed
        assert secret not in world.gateway.output().encode()
        return
    for suffix in ("-wal", ""):
        path = world.data / f"crowdframe.db{suffix}"
        if path.exists():
            assert secret not in path.read_bytes()
    with sqlite3.connect(world.data / "crowdframe.db") as db:
        (sealed,) = db.execute(
            "SELECT secret_encrypted FROM mturk_credentials WHERE access_key_id = ?",
            (lab.access_key_id,),
        ).fetchone()
    assert sealed and lab.secret_access_key not in sealed
    assert lab.secret_access_key not in world.gateway.output()


def test_the_rest_api_sees_a_hit_types_project_and_an_edit_keeps_its_mturk_settings(
    world: MTurkWorld, lab: Requester, mturk: Any
) -> None:
    import httpx

    hit = post_hit(
        mturk,
        Title="Editable",
        QualificationRequirements=[
            {
                "QualificationTypeId": LOCALE,
                "Comparator": "NotIn",
                "LocaleValues": [{"Country": "FR"}],
            }
        ],
    )
    api = httpx.Client(
        base_url=f"{world.origin}/api/v1", headers={"authorization": f"Bearer {lab.api_key}"}
    )
    world.opened.append(api)
    project = api.get(f"/projects/{hit['HITGroupId']}").json()
    assert (project["protocol"], project["excluded_countries"]) == ("mturk", ["FR"])
    edited = api.patch(f"/projects/{hit['HITGroupId']}", json={"title": "Edited"})
    assert edited.status_code == 200, edited.text
    assert (edited.json()["protocol"], edited.json()["excluded_countries"]) == ("mturk", ["FR"])
    bad = api.post(
        "/projects",
        json={"title": "x", "task_url": TASK_PAGE, "reward_cents": 1, "countries": ["usa"]},
    )
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "countries"

    worker = world.worker("ines@example.org", country="FR")
    assert worker.accept(hit["HITGroupId"]).status_code == 403
