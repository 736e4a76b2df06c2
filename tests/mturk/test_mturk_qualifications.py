"""A requester's qualification types, the scores they grant, the requirements their HITs set on
them and on the worker's record, and HITs given more assignments: real boto3 against a real
gateway process, on both stores; the workers do the HITs through the gateway's pages."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from mturk_world import MTurkWorld, Requester, WorkerBrowser, post_hit

PERCENT_APPROVED = "000000000000000000L0"
NUMBER_APPROVED = "00000000000000000040"


@pytest.fixture(scope="module")
def screened(world: MTurkWorld, mturk: Any) -> dict[str, tuple[WorkerBrowser, str]]:
    """Three workers who each did one screening HIT: the requester knows their WorkerIds."""
    hit = post_hit(mturk, Title="Screening", MaxAssignments=3)
    found = {}
    for name in ("ana", "ben", "cy"):
        worker = world.worker(f"{name}@screen.example")
        params = worker.frame_params(worker.accept(hit["HITGroupId"]).headers["location"])
        world.external_submit({"assignmentId": params["assignmentId"], "fit": "yes"})
        found[name] = (worker, params["workerId"])
    return found


def refused(call: Any) -> dict[str, str]:
    with pytest.raises(ClientError) as error:
        call()
    assert error.value.response["Error"]["Code"] == "RequestError"
    return error.value.response["Error"]  # type: ignore[no-any-return]


def sees(worker: WorkerBrowser, title: str) -> bool:
    return title in worker.get("/work").text


def requiring(mturk: Any, title: str, *requirements: dict[str, Any], seats: int = 3) -> Any:
    return post_hit(
        mturk, Title=title, MaxAssignments=seats, QualificationRequirements=list(requirements)
    )


def test_a_qualification_type_is_created_found_listed_updated_and_deleted(mturk: Any) -> None:
    made = mturk.create_qualification_type(
        Name="Native German speaker",
        Description="Passed our German screening",
        Keywords="german, screening",
        QualificationTypeStatus="Active",
    )["QualificationType"]
    type_id = made["QualificationTypeId"]
    assert type_id.isalnum() and type_id.isupper() and len(type_id) == 30
    assert (
        mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]["Name"]
        == "Native German speaker"
    )
    assert (
        "already created"
        in refused(
            lambda: mturk.create_qualification_type(
                Name="Native German speaker", Description="again", QualificationTypeStatus="Active"
            )
        )["Message"]
    )
    assert (
        "does not host QuestionForm tests"
        in refused(
            lambda: mturk.create_qualification_type(
                Name="With a test", Description="d", QualificationTypeStatus="Active", Test="<x/>"
            )
        )["Message"]
    )

    listed = mturk.list_qualification_types(
        Query="german", MustBeRequestable=False, MustBeOwnedByCaller=True
    )["QualificationTypes"]
    assert [q["QualificationTypeId"] for q in listed] == [type_id]
    updated = mturk.update_qualification_type(
        QualificationTypeId=type_id, QualificationTypeStatus="Inactive", Description="Old"
    )["QualificationType"]
    assert (updated["QualificationTypeStatus"], updated["Description"]) == ("Inactive", "Old")

    mturk.delete_qualification_type(QualificationTypeId=type_id)
    gone = mturk.get_qualification_type(QualificationTypeId=type_id)["QualificationType"]
    assert gone["QualificationTypeStatus"] == "Disposing"
    assert type_id not in {
        q["QualificationTypeId"]
        for q in mturk.list_qualification_types(MustBeRequestable=False)["QualificationTypes"]
    }
    assert "does not exist" in refused(
        lambda: requiring(mturk, "On a deleted type", {
            "QualificationTypeId": type_id, "Comparator": "Exists"
        })
    )["Message"]  # fmt: skip
    system = mturk.get_qualification_type(QualificationTypeId=PERCENT_APPROVED)
    assert system["QualificationType"]["Name"] == "Worker_PercentAssignmentsApproved"


def test_granted_scores_decide_who_sees_and_takes_a_hit(
    world: MTurkWorld, mturk: Any, screened: dict[str, tuple[WorkerBrowser, str]]
) -> None:
    skill = mturk.create_qualification_type(
        Name="Annotation skill", Description="Our score, 0-100", QualificationTypeStatus="Active"
    )["QualificationType"]["QualificationTypeId"]
    (ana, ana_id), (ben, ben_id), (cy, _) = screened.values()
    mturk.associate_qualification_with_worker(
        QualificationTypeId=skill, WorkerId=ana_id, IntegerValue=85, SendNotification=False
    )
    mturk.associate_qualification_with_worker(
        QualificationTypeId=skill, WorkerId=ben_id, IntegerValue=40
    )
    score = mturk.get_qualification_score(QualificationTypeId=skill, WorkerId=ana_id)
    assert (score["Qualification"]["IntegerValue"], score["Qualification"]["Status"]) == (
        85,
        "Granted",
    )
    pages = mturk.get_paginator("list_workers_with_qualification_type").paginate(
        QualificationTypeId=skill, PaginationConfig={"PageSize": 1}
    )
    holders = pages.build_full_result()["Qualifications"]
    assert sorted((q["WorkerId"], q["IntegerValue"]) for q in holders) == sorted(
        [(ana_id, 85), (ben_id, 40)]
    )

    hit = requiring(mturk, "Skilled annotation", {
        "QualificationTypeId": skill, "Comparator": "GreaterThanOrEqualTo",
        "IntegerValues": [80], "ActionsGuarded": "Accept",
    })  # fmt: skip
    assert sees(ana, "Skilled annotation")
    assert not sees(ben, "Skilled annotation") and not sees(cy, "Skilled annotation")
    assert ben.accept(hit["HITGroupId"]).status_code == 403
    assert cy.get(f"/work/projects/{hit['HITGroupId']}/preview").status_code == 403
    assert ana.accept(hit["HITGroupId"]).headers["location"].startswith("/work/assignments/")

    mturk.disassociate_qualification_from_worker(
        QualificationTypeId=skill, WorkerId=ben_id, Reason=""
    )
    assert (
        "does not exist"
        in refused(
            lambda: mturk.get_qualification_score(QualificationTypeId=skill, WorkerId=ben_id)
        )["Message"]
    )
    # the classic screen-out: nobody who already holds the type (did an earlier study)
    fresh = requiring(mturk, "Only newcomers", {
        "QualificationTypeId": skill, "Comparator": "DoesNotExist"
    })  # fmt: skip
    assert not sees(ana, "Only newcomers")
    assert sees(ben, "Only newcomers") and sees(cy, "Only newcomers")
    assert cy.accept(fresh["HITGroupId"]).status_code == 303


def test_an_auto_granted_type_is_held_by_everyone_at_its_value(
    world: MTurkWorld, mturk: Any, screened: dict[str, tuple[WorkerBrowser, str]]
) -> None:
    level = mturk.create_qualification_type(
        Name="Level", Description="d", QualificationTypeStatus="Active", AutoGranted=True,
        AutoGrantedValue=2,
    )["QualificationType"]["QualificationTypeId"]  # fmt: skip
    (ana, ana_id), (ben, _), _ = screened.values()
    mturk.associate_qualification_with_worker(
        QualificationTypeId=level, WorkerId=ana_id, IntegerValue=5
    )
    requiring(mturk, "Level two", {
        "QualificationTypeId": level, "Comparator": "In", "IntegerValues": [1, 2]
    })  # fmt: skip
    assert sees(ben, "Level two") and not sees(ana, "Level two")
    pages = mturk.get_paginator("list_hits_for_qualification_type").paginate(
        QualificationTypeId=level, PaginationConfig={"PageSize": 2}
    )
    assert [h["Title"] for h in pages.build_full_result()["HITs"]] == ["Level two"]


def test_the_record_on_this_gateway_decides_approval_rate_requirements(
    world: MTurkWorld, lab: Requester
) -> None:
    mturk = lab.mturk()
    first = post_hit(mturk, Title="First job", MaxAssignments=2)
    good, bad = world.worker("good@record.example"), world.worker("bad@record.example")
    ids = []
    for worker in (good, bad):
        params = worker.frame_params(worker.accept(first["HITGroupId"]).headers["location"])
        world.external_submit({"assignmentId": params["assignmentId"], "a": "1"})
        ids.append(params["assignmentId"])
    good_id, bad_id = ids
    newcomer = world.worker("new@record.example")
    proven = requiring(mturk, "Proven workers", {
        "QualificationTypeId": NUMBER_APPROVED, "Comparator": "GreaterThan", "IntegerValues": [0]
    }, {
        "QualificationTypeId": PERCENT_APPROVED, "Comparator": "GreaterThanOrEqualTo",
        "IntegerValues": [95],
    })  # fmt: skip
    assert not any(sees(w, "Proven workers") for w in (good, bad, newcomer))

    mturk.approve_assignment(AssignmentId=good_id)
    mturk.approve_assignment(AssignmentId=good_id)  # counted once
    mturk.reject_assignment(AssignmentId=bad_id, RequesterFeedback="")
    assert sees(good, "Proven workers") and not sees(bad, "Proven workers")
    assert bad.accept(proven["HITGroupId"]).status_code == 403
    # no review yet: 100 %, as on MTurk
    requiring(mturk, "Rate only", {
        "QualificationTypeId": PERCENT_APPROVED, "Comparator": "GreaterThan",
        "IntegerValues": [90],
    })  # fmt: skip
    assert sees(newcomer, "Rate only") and not sees(bad, "Rate only")


@pytest.mark.parametrize(
    ("type_id", "named"),
    [
        ("00000000000000000000", "PercentAssignmentsSubmitted (Crowdframe counts reviews only)"),
        ("000000000000000000E0", "PercentAssignmentsReturned (Crowdframe counts reviews only)"),
        ("00000000000000000070", "PercentAssignmentsAbandoned (Crowdframe counts reviews only)"),
        ("00000000000000000060", "Adult (Crowdframe does not record workers' ages)"),
    ],
)
def test_a_requirement_on_a_record_crowdframe_does_not_keep_is_refused_with_the_reason(
    mturk: Any, type_id: str, named: str
) -> None:
    untracked = {
        "QualificationTypeId": type_id, "Comparator": "GreaterThan", "IntegerValues": [90]
    }  # fmt: skip
    for create in (
        lambda: requiring(mturk, "Untracked rate", untracked),
        lambda: mturk.create_hit_type(
            Title="Untracked rate", Description="d", Reward="0.50",
            AssignmentDurationInSeconds=600, QualificationRequirements=[untracked],
        ),
    ):  # fmt: skip
        message = refused(create)["Message"]
        assert f"QualificationRequirements[0]: Crowdframe cannot enforce {named}" in message
    assert "Untracked rate" not in str(mturk.list_hits(MaxResults=100)["HITs"])


def test_a_hit_given_more_assignments_opens_again_for_other_workers(
    world: MTurkWorld, mturk: Any
) -> None:
    hit = post_hit(mturk, Title="Extendable", MaxAssignments=1)
    first = world.worker("first@extend.example")
    params = first.frame_params(first.accept(hit["HITGroupId"]).headers["location"])
    world.external_submit({"assignmentId": params["assignmentId"], "a": "1"})
    done = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert (done["HITStatus"], done["NumberOfAssignmentsAvailable"]) == ("Reviewable", 0)

    mturk.create_additional_assignments_for_hit(HITId=hit["HITId"], NumberOfAdditionalAssignments=2)
    extended = mturk.get_hit(HITId=hit["HITId"])["HIT"]
    assert (extended["HITStatus"], extended["MaxAssignments"]) == ("Assignable", 3)
    assert extended["NumberOfAssignmentsAvailable"] == 2
    assert not sees(first, "Extendable")  # the same worker never gets a HIT twice
    second = world.worker("second@extend.example")
    location = second.accept(hit["HITGroupId"]).headers["location"]
    assert second.frame_params(location)["hitId"] == hit["HITId"]

    mturk.update_expiration_for_hit(HITId=hit["HITId"], ExpireAt=0)
    assert (
        "has expired"
        in refused(
            lambda: mturk.create_additional_assignments_for_hit(
                HITId=hit["HITId"], NumberOfAdditionalAssignments=1
            )
        )["Message"]
    )


def test_a_script_polling_for_qualification_requests_finds_none(mturk: Any) -> None:
    made = mturk.create_qualification_type(
        Name="Screened for requests", Description="granted by us", QualificationTypeStatus="Active"
    )["QualificationType"]
    listed = mturk.list_qualification_requests(QualificationTypeId=made["QualificationTypeId"])
    assert (listed["NumResults"], listed["QualificationRequests"]) == (0, [])
    assert mturk.list_qualification_requests(MaxResults=5)["QualificationRequests"] == []
    refused(lambda: mturk.list_qualification_requests(QualificationTypeId="3" + "X" * 29))
