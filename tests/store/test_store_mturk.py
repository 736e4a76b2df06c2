"""What MTurk compatibility keeps: credentials, HIT types and their projects, HITs."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crowdframe_gateway.core.errors import Conflict, InvalidInput, NotFound
from crowdframe_gateway.core.params import Claim, ReviewDecision, Submission, TaskAssignmentsQuery
from crowdframe_gateway.core.records import Client, Project, ProjectSpec, Task, new_id, now
from crowdframe_gateway.mturk.records import (
    Hit,
    HitType,
    MTurkCredential,
    QualificationScore,
    QualificationType,
)
from crowdframe_gateway.runtime import Store
from store_world import make_client, make_project

TASK_PAGE = "https://tasks.example/survey"


def hit_type(client: Client, fingerprint: str = "fp1", title: str = "Rate it") -> HitType:
    return HitType(
        id=new_id("htp"),
        client_id=client.id,
        fingerprint=fingerprint,
        title=title,
        description="Rate a sentence",
        keywords="rating, text",
        reward_cents=12,
        assignment_duration=600,
        auto_approve_delay=3600,
        countries=("DE", "AT"),
        excluded_countries=(),
        requirements=[{"QualificationTypeId": "00000000000000000071", "Comparator": "In"}],
        created_at=now(),
    )


def project_for(kind: HitType) -> Project:
    spec = ProjectSpec(
        title=kind.title, task_url=TASK_PAGE, reward_cents=kind.reward_cents, protocol="mturk",
        countries=kind.countries,
    )  # fmt: skip
    return Project(new_id("prj"), kind.client_id, spec, "active", now())


def new_hit(
    project: Project, kind: HitType, *, seats: int = 2, lifetime: float = 3600, note: str = ""
) -> Hit:
    at = now()
    task_id = new_id("tsk")
    task = Task(task_id, project.id, task_id, {"requester_annotation": note}, "open", at,
                at + lifetime)  # fmt: skip
    return Hit(
        task=task,
        client_id=project.client_id,
        hit_type_id=kind.id,
        question="<ExternalQuestion>…</ExternalQuestion>",
        external_url=TASK_PAGE,
        frame_height=0,
        annotation=note,
        max_assignments=seats,
        created_at=at,
    )


async def test_a_credential_is_found_by_its_key_and_revoked_once(store: Store) -> None:
    client = await make_client(store)
    credential = MTurkCredential("AKCFEXAMPLE", client.id, "sealed-secret", "active", now())
    await store.create_mturk_credential(credential)
    assert await store.get_mturk_credential("AKCFEXAMPLE") == credential
    assert await store.get_mturk_credential("AKCFUNKNOWN") is None
    assert await store.revoke_mturk_credential("AKCFEXAMPLE")
    assert not await store.revoke_mturk_credential("AKCFEXAMPLE"), "revoked already"
    assert not await store.revoke_mturk_credential("AKCFUNKNOWN")
    revoked = await store.get_mturk_credential("AKCFEXAMPLE")
    assert revoked == replace(credential, status="revoked")


async def test_one_workers_score_is_read_alone_and_goes_with_its_type(store: Store) -> None:
    client = await make_client(store)
    kind = QualificationType(
        id="3" + "A" * 29, client_id=client.id, name="Screened", description="d", keywords="",
        status="Active", retry_delay=None, auto_granted=False, auto_granted_value=1,
        created_at=now(),
    )  # fmt: skip
    await store.create_qualification_type(kind)
    ana = QualificationScore(kind.id, "wkr_ana", 7, now())
    await store.set_qualification_score(client.id, ana)
    await store.set_qualification_score(client.id, QualificationScore(kind.id, "wkr_ben", 3, now()))
    assert await store.qualification_score(client.id, kind.id, "wkr_ana") == ana
    assert await store.qualification_score(client.id, kind.id, "wkr_cem") is None
    assert await store.qualification_score(client.id, "3" + "B" * 29, "wkr_ana") is None
    changed = replace(ana, value=9)
    await store.set_qualification_score(client.id, changed)
    assert await store.qualification_score(client.id, kind.id, "wkr_ana") == changed
    assert await store.remove_qualification_score(client.id, kind.id, "wkr_ana")
    assert await store.qualification_score(client.id, kind.id, "wkr_ana") is None
    await store.update_qualification_type(replace(kind, status="Disposing"))
    assert await store.qualification_score(client.id, kind.id, "wkr_ben") is None


async def test_identical_parameters_give_one_hit_type_per_client(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    first = hit_type(client)
    assert await store.hit_type_for(first) == first
    losers = [hit_type(client) for _ in range(5)]
    racing = await asyncio.gather(*(store.hit_type_for(t) for t in losers))
    assert {t.id for t in racing} == {first.id}
    assert await store.get_hit_type(first.id) == first
    assert [await store.get_hit_type(t.id) for t in losers] == [None] * 5, "never registered"
    different = await store.hit_type_for(hit_type(client, "fp2", "Another"))
    theirs = await store.hit_type_for(hit_type(other))
    assert len({first.id, different.id, theirs.id}) == 3
    assert await store.get_hit_type("htp_unknown") is None


async def test_a_hit_type_runs_as_one_project_per_origin(store: Store) -> None:
    client = await make_client(store)
    kind = await store.hit_type_for(hit_type(client))
    made = await asyncio.gather(
        *(store.hit_type_project(kind.id, "https://tasks.example", project_for(kind))
          for _ in range(5))
    )  # fmt: skip
    assert len({p.id for p in made}) == 1, "one project, however many ask at once"
    project = made[0]
    assert project.spec.protocol == "mturk" and project.spec.countries == ("DE", "AT")
    assert await store.get_project(project.id) == project
    elsewhere = await store.hit_type_project(kind.id, "https://other.example", project_for(kind))
    assert elsewhere.id != project.id
    listed = await store.list_projects(client.id, cursor=None, limit=10)
    assert [p.id for p in listed.items] == [project.id, elsewhere.id]


async def test_a_hit_is_a_task_with_its_question_and_counts(store: Store) -> None:
    client = await make_client(store)
    kind = await store.hit_type_for(hit_type(client))
    project = await store.hit_type_project(kind.id, "https://tasks.example", project_for(kind))
    hit = new_hit(project, kind, seats=3, note="batch 7")
    assert await store.create_hit(hit, None) == hit
    assert await store.get_hit(hit.task.id) == hit
    assert await store.get_task(hit.task.id) == hit.task
    at = now()
    claims = [await store.claim(Claim(project.id, f"w{i}", f"p{i}"), now=at) for i in range(4)]
    assert claims[3] is None, "MaxAssignments seats, not the project's"
    first, second, third = claims[:3]
    assert first is not None and second is not None and third is not None
    await store.submit(first.id, Submission({"a": 1}), now=at)
    await store.submit(second.id, Submission({"a": 2}), now=at)
    await store.review(first.id, ReviewDecision(approve=True), now=at)
    counted = await store.get_hit(hit.task.id)
    assert counted is not None
    assert (counted.pending, counted.submitted, counted.reviewed) == (1, 1, 1)
    assert counted.max_assignments == 3 and counted.task.status == "open"
    assert await store.get_hit("tsk_unknown") is None
    counts = await store.get_project(project.id)
    assert counts is not None and counts.counts == {
        "tasks": 1,
        "open": 1,
        "completed": 0,
        "expired": 0,
    }


async def test_a_request_token_creates_one_hit(store: Store) -> None:
    client = await make_client(store)
    kind = await store.hit_type_for(hit_type(client))
    project = await store.hit_type_project(kind.id, "https://tasks.example", project_for(kind))
    first = new_hit(project, kind)
    await store.create_hit(first, "token-1")
    with pytest.raises(Conflict) as again:
        await store.create_hit(new_hit(project, kind), "token-1")
    assert again.value.code == "hit_exists" and first.task.id in again.value.message
    racing = await asyncio.gather(
        *(store.create_hit(new_hit(project, kind), "token-2") for _ in range(4)),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in racing) == ["Conflict", "Conflict", "Conflict", "Hit"]
    await store.create_hit(new_hit(project, kind), None)
    await store.create_hit(new_hit(project, kind), None)
    page = await store.list_hits(client.id, cursor=None, limit=10)
    assert len(page.items) == 4 and page.items[0] == first
    assert (await store.get_project(project.id)).counts["tasks"] == 4  # type: ignore[union-attr]


async def test_hits_are_listed_page_by_page_without_disposed_ones(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    kind = await store.hit_type_for(hit_type(client))
    project = await store.hit_type_project(kind.id, "https://tasks.example", project_for(kind))
    hits = [new_hit(project, kind, lifetime=60 if i % 2 else 3600) for i in range(5)]
    for hit in hits:
        await store.create_hit(hit, None)
    theirs = await store.hit_type_for(hit_type(other))
    await store.create_hit(
        new_hit(
            await store.hit_type_project(theirs.id, "https://t.example", project_for(theirs)),
            theirs,
        ),
        None,
    )
    later = now() + 120
    for hit in hits[1::2]:  # the expired ones
        disposed = await store.dispose_hit(hit.task.id, now=later)
        assert disposed.disposed
    found, cursor = [], None
    while True:
        page = await store.list_hits(client.id, cursor=cursor, limit=2)
        found.extend(h.task.id for h in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert found == [h.task.id for h in hits[::2]]
    with pytest.raises(InvalidInput):
        await store.list_hits(client.id, cursor="x", limit=2)


async def test_only_a_finished_hit_with_every_submission_reviewed_can_be_disposed(
    store: Store,
) -> None:
    client = await make_client(store)
    kind = await store.hit_type_for(hit_type(client))
    project = await store.hit_type_project(kind.id, "https://tasks.example", project_for(kind))
    hit = new_hit(project, kind, seats=1)
    await store.create_hit(hit, None)
    with pytest.raises(Conflict) as open_for_work:
        await store.dispose_hit(hit.task.id, now=now())
    assert open_for_work.value.code == "hit_not_disposable"
    claimed = await store.claim(Claim(project.id, "w1", "p1"), now=now())
    assert claimed is not None
    after = hit.task.expires_at + 1
    with pytest.raises(Conflict):
        await store.dispose_hit(hit.task.id, now=after)  # expired, but still being worked on
    await store.submit(claimed.id, Submission({"a": 1}), now=now())  # completes it
    with pytest.raises(Conflict):
        await store.dispose_hit(hit.task.id, now=now())  # not reviewed yet
    await store.review(claimed.id, ReviewDecision(approve=False, reason="no"), now=now())
    disposed = await store.dispose_hit(hit.task.id, now=now())
    assert disposed.disposed and disposed.reviewed == 1
    assert await store.dispose_hit(hit.task.id, now=now()) == disposed, "twice is harmless"
    assert (await store.list_hits(client.id, cursor=None, limit=5)).items == []
    with pytest.raises(NotFound):
        await store.dispose_hit("tsk_unknown", now=now())


async def test_a_tasks_expiry_moves_and_its_assignments_are_listed_by_status(
    store: Store,
) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=5)
    kind = await store.hit_type_for(hit_type(client))
    hit = new_hit(project, kind, seats=5)
    await store.create_hit(hit, None)
    at = now()
    made = [await store.claim(Claim(project.id, f"w{i}", "p"), now=at) for i in range(5)]
    for claimed in made[:3]:
        assert claimed is not None
        await store.submit(claimed.id, Submission({}), now=at)
    assert made[3] is not None
    await store.return_assignment(made[3].id, now=at)
    found, cursor = [], None
    while True:
        query = TaskAssignmentsQuery(("submitted", "accepted"), 2, cursor)
        page = await store.list_task_assignments(hit.task.id, query)
        found.extend(a.id for a in page.items)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert found == [a.id for a in made if a is not None and a.id != made[3].id]
    assert (await store.list_task_assignments(hit.task.id, TaskAssignmentsQuery((), 5))).items == []
    ended = await store.set_task_expiry(hit.task.id, at - 1)
    assert ended == replace(hit.task, expires_at=at - 1)
    assert await store.get_task(hit.task.id) == ended
    assert await store.claim(Claim(project.id, "w9", "p"), now=at) is None, (
        "expired: nothing to claim"
    )
    await store.set_task_expiry(hit.task.id, at + 600)
    assert await store.claim(Claim(project.id, "w9", "p"), now=at) is not None, "open again"
    with pytest.raises(NotFound):
        await store.set_task_expiry("tsk_unknown", at)


async def test_a_hit_the_sweep_expired_opens_again_when_extended(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=1)
    kind = await store.hit_type_for(hit_type(client))
    hit = new_hit(project, kind, seats=1)
    await store.create_hit(hit, None)
    later = hit.task.expires_at + 1
    assert await store.expire_tasks(now=later) == 1
    assert (await store.get_task(hit.task.id)).status == "expired"  # type: ignore[union-attr]
    kept = await store.set_task_expiry(hit.task.id, later + 600)
    assert kept.status == "expired", "extended without reopen: it stays expired"
    opened = await store.set_task_expiry(hit.task.id, later + 600, reopen=True)
    assert opened.status == "open" and opened.expires_at == later + 600
    counts = (await store.get_project(project.id)).counts  # type: ignore[union-attr]
    assert counts.get("open") == 1 and counts.get("expired", 0) == 0
    assert await store.claim(Claim(project.id, "w1", "p"), now=later) is not None
    again = await store.set_task_expiry(hit.task.id, later + 900, reopen=True)
    assert again.status == "open", "an open task stays as it is"
