"""The client REST API's handlers: read the request, call a service, shape the answer."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from ...catalog import cancel as task_cancel
from ...catalog import projects
from ...catalog.fairpay import pay_report
from ...catalog.previews import task_or_preview
from ...review import assignments as review
from ...review import verdicts
from ...review.money import PAY_SAMPLE
from ...webhooks import endpoints
from ...work import actions
from .bodies import AssignmentsQuery, TokenBody
from .http import client_call, page_params, reply
from .views import assignment_view, endpoint_view, page_view, project_view, task_view

__all__ = [
    "add_tasks",
    "approve_assignment",
    "cancel_task",
    "create_endpoint",
    "create_project",
    "get_assignment",
    "get_project",
    "get_task",
    "list_assignments",
    "list_endpoints",
    "list_projects",
    "reject_assignment",
    "submit_assignment",
    "test_endpoint",
    "update_project",
    "verify_token",
]


async def create_project(request: Request) -> JSONResponse:
    call = await client_call(request)
    project = await projects.create_project(call.rt, call.client, await call.body())
    return reply(project_view(project), 201)


async def list_projects(request: Request) -> JSONResponse:
    call = await client_call(request)
    cursor, limit = page_params(request)
    page = await call.rt.store.list_projects(call.client.id, cursor=cursor, limit=limit)
    return reply(page_view(page, project_view))


async def get_project(request: Request) -> JSONResponse:
    call = await client_call(request)
    project = await projects.owned_project(call.rt, call.client, call.id)
    worked = await call.rt.store.work_seconds(project.id, limit=PAY_SAMPLE)
    return reply({**project_view(project), "pay": pay_report(project.spec, worked)})


async def update_project(request: Request) -> JSONResponse:
    call = await client_call(request)
    project = await projects.update_project(call.rt, call.client, call.id, await call.body())
    return reply(project_view(project))


async def add_tasks(request: Request) -> JSONResponse:
    call = await client_call(request)
    body = await call.body()
    key = request.headers.get("idempotency-key")
    batch = await projects.add_tasks(call.rt, call.client, call.id, body, key)
    answer = {
        "project_id": call.id,
        "created": 0 if batch.replayed else len(batch.tasks),
        "tasks": [task_view(t) for t in batch.tasks],
    }
    return reply(answer, 200 if batch.replayed else 201)


async def get_task(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(task_view(await task_or_preview(call.rt, call.client, call.id)))


async def cancel_task(request: Request) -> JSONResponse:
    """Cancel an open task: no new claims or previews; accepted assignments may still submit."""
    call = await client_call(request)
    await call.nothing()
    return reply(task_view(await task_cancel.cancel_task(call.rt, call.client, call.id)))


async def list_assignments(request: Request) -> JSONResponse:
    call = await client_call(request)
    asked = call.query(AssignmentsQuery)
    page = await review.list_assignments(
        call.rt,
        call.client,
        project_id=asked.project_id,
        status=asked.status,
        cursor=asked.cursor,
        limit=asked.limit,
        signal=asked.signal,
    )
    return reply(page_view(page, assignment_view))


async def get_assignment(request: Request) -> JSONResponse:
    call = await client_call(request)
    assignment = await review.owned_assignment(call.rt, call.client, call.id)
    verdict = await verdicts.tally(call.rt, assignment)
    crowd = None if verdict is None else verdicts.crowd_review_view(assignment, verdict)
    return reply({**assignment_view(assignment), "crowd_review": crowd})


async def approve_assignment(request: Request) -> JSONResponse:
    call = await client_call(request)
    await call.nothing()
    return reply(assignment_view(await review.approve(call.rt, call.client, call.id)))


async def reject_assignment(request: Request) -> JSONResponse:
    call = await client_call(request)
    assignment = await review.reject(call.rt, call.client, call.id, await call.body())
    return reply(assignment_view(assignment))


async def submit_assignment(request: Request) -> JSONResponse:
    call = await client_call(request)
    body = await call.body()
    assignment = await actions.submit_for_client(call.rt, call.client, call.id, body)
    return reply(assignment_view(assignment))


async def verify_token(request: Request) -> JSONResponse:
    call = await client_call(request)
    token = (await call.read(TokenBody)).token
    claims = await call.rt.tokens.verify(call.rt.store, call.client, token)
    return reply({"valid": True, "claims": claims.to_dict()})


async def create_endpoint(request: Request) -> JSONResponse:
    call = await client_call(request)
    endpoint = await endpoints.create_endpoint(call.rt, call.client, await call.body())
    return reply(endpoint_view(endpoint, with_secret=True), 201)


async def list_endpoints(request: Request) -> JSONResponse:
    call = await client_call(request)
    return reply(page_view(await call.rt.store.list_endpoints(call.client.id), endpoint_view))


async def test_endpoint(request: Request) -> JSONResponse:
    call = await client_call(request)
    await call.nothing()
    message_id = await endpoints.send_test_event(call.rt, call.client, call.id)
    return reply({"message_id": message_id}, 202)
