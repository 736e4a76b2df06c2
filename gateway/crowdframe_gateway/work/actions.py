"""The worker's side: what is available, preview, accept, submit, return, the next task."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any

from ..catalog import ineligibility, standing_ineligibility
from ..core.errors import Conflict, Forbidden, InvalidInput, NotFound
from ..core.page import Page
from ..core.params import Claim
from ..core.records import Assignment, Client, Project, Task, Worker, now
from ..core.validation import Body, Object, Text, read
from ..identity import worker_pseudonym
from ..quality import (
    Step,
    claim_question,
    missing_qualifications,
    record_submission,
    serve_gold,
    steps,
)
from ..review import owned_assignment
from ..store.base import together
from .rules import heartbeat_deadline

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "AfterSubmission",
    "Finished",
    "NextTask",
    "Offer",
    "Seat",
    "Submitted",
    "TestResult",
    "accept",
    "fresh_token",
    "heartbeat",
    "next_assignment",
    "offers",
    "preview",
    "return_assignment",
    "seat",
    "submit",
    "submit_for_client",
]


@dataclass(frozen=True, slots=True)
class Offer:
    """A project with work this worker can take, as the task list shows it; ``tests``, when
    there are any, are the qualification tests it is locked behind; ``in_progress``, the
    worker's task there that they accepted and have not submitted, while its time lasts."""

    project: Project
    available: int
    tests: tuple[Step, ...] = ()
    in_progress: Assignment | None = None


@dataclass(frozen=True, slots=True)
class Seat:
    """Everything the frame page needs: the project, the task, and a token to launch it."""

    project: Project
    task: Task
    token: str
    assignment: Assignment | None  # None in preview


async def offers(rt: Runtime, worker: Worker, *, after: str | None = None) -> Page[Offer]:
    """One page of the projects with work for this worker (the store's ``open_projects``
    after the cursor ``after``, in creation order), with the cursor of the next: only those
    whose rules they meet and whose client has not blocked (or stopped) them; those that need
    a qualification the worker lacks come with the tests that unlock them. The page's clients
    are read once each, and its block checks run together."""
    page = await rt.store.open_projects(worker.id, now=now(), after=after)
    eligible = [
        (project, available)
        for project, available in page.items
        if ineligibility(worker, project) is None
        and await standing_ineligibility(rt, worker, project) is None
    ]
    client_ids = list(dict.fromkeys(project.client_id for project, _ in eligible))
    clients = dict(
        zip(
            client_ids, await together(rt.store, *map(rt.store.get_client, client_ids)), strict=True
        )
    )
    listed = [(p, n, client) for p, n in eligible if (client := clients[p.client_id]) is not None]
    blocked = await together(
        rt.store, *(_blocked(rt, client, worker, p) for p, _, client in listed)
    )
    offered = [(p, n) for (p, n, _), shut in zip(listed, blocked, strict=True) if not shut]
    return Page(
        list(await together(rt.store, *(_offer(rt, worker, p, n) for p, n in offered))),
        page.next_cursor,
    )


async def _offer(rt: Runtime, worker: Worker, project: Project, available: int) -> Offer:
    missing = await missing_qualifications(rt, worker, project)
    tests = await steps(rt, worker, missing)
    if tests:  # locked behind a test: nothing of it is in progress to continue
        return Offer(project, available, tests)
    live = await rt.store.live_assignment(project.id, worker.id)
    in_progress = live if live is not None and live.deadline > now() else None
    return Offer(project, available, tests, in_progress)


async def _blocked(rt: Runtime, client: Client, worker: Worker, project: Project) -> bool:
    pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
    return await rt.store.is_blocked(client.id, worker.id, pseudonym, project.id)


async def _client_and_project(
    rt: Runtime, project_id: str, project: Project | None = None
) -> tuple[Client, Project]:
    """The project (``project``, when the caller just read it) and its client, if active."""
    if project is None:
        project = await rt.store.get_project(project_id)
    if project is None or project.status != "active":
        raise NotFound("this project is not available", field="project_id")
    client = await rt.store.get_client(project.client_id)
    if client is None:
        raise NotFound("this project is not available", field="project_id")
    return client, project


async def _open_to(
    rt: Runtime, worker: Worker, project_id: str, project: Project | None = None
) -> tuple[Client, Project]:
    """The project, if this worker may take work from it (a worker already on a task of a
    project whose rules changed may still finish it: ``seat`` does not ask)."""
    client, project = await _client_and_project(rt, project_id, project)
    reason = ineligibility(worker, project)
    if reason is not None:
        raise Forbidden(reason, code="not_qualified")
    # read together (one round trip on Redis), then told in this order
    reason, blocked, missing = await together(
        rt.store,
        standing_ineligibility(rt, worker, project),
        _blocked(rt, client, worker, project),
        missing_qualifications(rt, worker, project),
    )
    if reason is not None:
        raise Forbidden(reason, code="not_qualified")
    if blocked:
        raise Forbidden("You can no longer take tasks from this project.", code="blocked")
    if missing:
        raise Forbidden(
            "This project needs a qualification you do not hold yet: take its test first.",
            code="not_qualified",
        )
    return client, project


async def preview(rt: Runtime, worker: Worker, project_id: str) -> Seat | None:
    """A preview of the next task the worker would get, or None when nothing is left (an
    assessment's questions are not previewed: they are shown once, in an attempt)."""
    client, project = await _open_to(rt, worker, project_id)
    if project.spec.kind == "assessment":
        return None
    task = await rt.store.peek_task(project.id, worker.id, now=now())
    if task is None:
        return None
    token = rt.tokens.issue(
        client,
        project,
        task,
        mode="preview",
        worker_pseudonym=worker_pseudonym(client.pseudonym_key, worker.id),
    )
    return Seat(project, task, token, None)


async def accept(
    rt: Runtime, worker: Worker, project_id: str, *, project: Project | None = None
) -> Assignment | None:
    """Claim the next task of a project; a worker holding one there keeps that one instead
    (as ``seat`` lets them finish it, whatever changed since they took it). ``project``: the
    project as the caller read it a moment ago, not read again (the claim itself checks that
    it is still active)."""
    live = await rt.store.live_assignment(project_id, worker.id)
    if live is not None and live.deadline > now():
        return live
    client, project = await _open_to(rt, worker, project_id, project)
    if project.spec.kind == "assessment":
        return await claim_question(rt, worker, client, project)
    pseudonym = worker_pseudonym(client.pseudonym_key, worker.id)
    claim = Claim(project.id, worker.id, pseudonym, gold=serve_gold(project))
    return await rt.store.claim(claim, now=now())


async def next_assignment(
    rt: Runtime, worker: Worker, project_id: str, *, project: Project | None = None
) -> Assignment | None:
    """After a submission: the next task of the same project, if the worker may still have one
    (``project``: as ``accept`` takes it)."""
    try:
        return await accept(rt, worker, project_id, project=project)
    except (Forbidden, NotFound):
        return None


async def own_assignment(rt: Runtime, worker: Worker, assignment_id: str) -> Assignment:
    """The worker's own assignment; anyone else's is indistinguishable from none."""
    assignment = await rt.store.get_assignment(assignment_id)
    if assignment is None or assignment.worker_id != worker.id:
        raise NotFound("no such assignment", field="assignment_id")
    return assignment


async def seat(rt: Runtime, worker: Worker, assignment_id: str) -> Seat:
    """The frame of a live assignment, with a fresh launch token."""
    assignment = await own_assignment(rt, worker, assignment_id)
    if assignment.status != "accepted" or assignment.deadline <= now():
        raise Conflict(f"this assignment is {assignment.status}", code="assignment_closed")
    (client, project), task = await together(
        rt.store,
        _client_and_project(rt, assignment.project_id),
        rt.store.get_task(assignment.task_id),
    )
    if task is None:
        raise NotFound("no such task")
    token = _work_token(rt, client, project, task, assignment)
    return Seat(project, task, token, assignment)


def _work_token(
    rt: Runtime, client: Client, project: Project, task: Task, assignment: Assignment
) -> str:
    return rt.tokens.issue(
        client,
        project,
        task,
        mode="work",
        worker_pseudonym=assignment.worker_pseudonym,
        assignment=assignment,
    )


async def fresh_token(rt: Runtime, worker: Worker, assignment_id: str) -> str:
    """A new token for a page that needs one (``task.getToken()``): same claims, new jti."""
    return (await seat(rt, worker, assignment_id)).token


async def heartbeat(rt: Runtime, worker: Worker, assignment_id: str) -> Assignment:
    """The worker's task page is alive (the host widget relays its heartbeat): in a project
    that extends leases, their live assignment gets the later deadline
    ``work.rules.heartbeat_deadline`` decides, or keeps its own. The assignment as it is then;
    ``Conflict`` when it is no longer live (a lease that ran out stays out)."""
    assignment = await own_assignment(rt, worker, assignment_id)
    at = now()
    if assignment.status != "accepted" or assignment.deadline < at:
        shown = "expired" if assignment.status == "accepted" else assignment.status
        raise Conflict(f"this assignment is {shown}", code="assignment_closed")
    project = await rt.store.get_project(assignment.project_id)
    if project is None or project.spec.lease_extension_seconds <= 0:
        return assignment  # the project gives no extensions: a read, no task read, no write
    task = await rt.store.get_task(assignment.task_id)
    if task is None:
        return assignment
    deadline = heartbeat_deadline(
        at,
        deadline=assignment.deadline,
        accepted_at=assignment.accepted_at,
        task_expires_at=task.expires_at,
        extension=project.spec.lease_extension_seconds,
        longest=project.spec.lease_max_seconds,
    )
    if deadline is None:
        return assignment
    return await rt.store.extend_lease(assignment.id, deadline=deadline, was=assignment.deadline)


@dataclass(frozen=True, slots=True)
class NextTask:
    """After a submission: the worker's next assignment in the same project."""

    assignment: Assignment


@dataclass(frozen=True, slots=True)
class TestResult:
    """After an assessment's last question: that test's result."""

    project_id: str


@dataclass(frozen=True, slots=True)
class Finished:
    """After a submission: nothing more in that project for this worker right now."""


AfterSubmission = NextTask | TestResult | Finished


@dataclass(frozen=True, slots=True)
class Submitted:
    """A worker's submission, kept, and what comes after it."""

    assignment: Assignment
    after: AfterSubmission


async def submit(
    rt: Runtime, worker: Worker, assignment_id: str, body: Any, *, address: str | None = None
) -> Submitted:
    """The worker's submission, relayed by the host widget from the task page (``address`` is
    the worker's IP address, for the fraud signals), then what comes after it: the next task
    of the project, else nothing; after an assessment's last question, the test's result. The
    project is read once for both."""
    assignment = await own_assignment(rt, worker, assignment_id)
    if not isinstance(body, dict) or not isinstance(body.get("result"), dict):
        raise InvalidInput("result must be a JSON object", field="result")
    project = await rt.store.get_project(assignment.project_id)
    done = await record_submission(rt, assignment, body["result"], address=address, project=project)
    following = await next_assignment(rt, worker, done.project_id, project=project)
    if following is not None:
        return Submitted(done, NextTask(following))
    if project is not None and project.spec.kind == "assessment":
        return Submitted(done, TestResult(project.id))
    return Submitted(done, Finished())


async def return_assignment(rt: Runtime, worker: Worker, assignment_id: str) -> Assignment:
    assignment = await own_assignment(rt, worker, assignment_id)
    if assignment.status != "accepted":
        raise Forbidden("only a task in progress can be returned")
    return await rt.store.return_assignment(assignment_id, now=now())


class ServerSubmit(Body):
    """``POST /assignments/{id}/submit``: the worker's task token and the result."""

    token: Annotated[str, Text(1, 4000)]
    result: Object


async def submit_for_client(
    rt: Runtime, client: Client, assignment_id: str, body: dict[str, Any]
) -> Assignment:
    """Server-to-server submit: the client's server presents the worker's task token."""
    asked = read(ServerSubmit, body)
    token, result = asked.token, asked.result
    assignment = await owned_assignment(rt, client, assignment_id)
    await rt.tokens.verify(rt.store, client, token, mode="work", assignment_id=assignment_id)
    return await record_submission(rt, assignment, result)
