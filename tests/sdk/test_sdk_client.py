"""The REST clients against an in-process fake gateway (``httpx.MockTransport``).

Every story runs twice, once with ``Client`` and once with ``AsyncClient``: ``call`` awaits what
needs awaiting, so one test body covers both.
"""

from __future__ import annotations

import inspect
import json
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest

import crowdframe
from crowdframe import (
    APIError,
    Assignment,
    AsyncClient,
    AuthenticationError,
    Client,
    ConflictError,
    NotFoundError,
    Page,
    PermissionDeniedError,
    Project,
    RateLimitError,
    ServerError,
    Task,
    TaskBatch,
    TaskTokenClaims,
    TokenAudienceError,
    TokenError,
    TokenExpiredError,
    TokenMalformedError,
    TokenModeError,
    TokenSignatureError,
    TransportError,
    ValidationError,
    WebhookEndpoint,
)

API_KEY = "cfk_live_s3cr3t_do_not_leak"
BASE_URL = "https://gateway.example"

PROJECT = {
    "id": "prj_1",
    "object": "project",
    "title": "Label cats",
    "task_url": "https://tasks.example.com/label",
    "instructions": "",
    "reward_cents": 5,
    "currency": "USD",
    "estimated_seconds": 60,
    "assignments_per_task": 1,
    "assignment_duration": 600,
    "task_lifetime": 604800,
    "auto_approve_delay": 259200,
    "frame_height": None,
    "allow": ["camera"],
    "status": "active",
    "created_at": "2026-11-23T18:00:00Z",
    "counts": {"tasks": 0, "open": 0, "completed": 0},
}
TASK = {
    "id": "tsk_1",
    "object": "task",
    "project_id": "prj_1",
    "external_id": "t-1",
    "input": {"image": "https://img.example/1.png"},
    "status": "open",
    "created_at": "2026-11-23T18:00:00Z",
}
ASSIGNMENT = {
    "id": "asg_1",
    "object": "assignment",
    "project_id": "prj_1",
    "task_id": "tsk_1",
    "external_id": "t-1",
    "worker_id": "wid_abc",
    "status": "submitted",
    "accepted_at": "2026-11-23T18:01:00Z",
    "deadline": "2026-11-23T18:11:00Z",
    "submitted_at": "2026-11-23T18:02:00Z",
    "result": {"label": "cat"},
    "reviewed_at": None,
    "reject_reason": None,
}
ENDPOINT = {
    "id": "whe_1",
    "object": "webhook_endpoint",
    "url": "https://client.example/hooks",
    "event_types": None,
    "status": "enabled",
    "created_at": "2026-11-23T18:00:00Z",
}
CLAIMS: dict[str, Any] = {
    "v": 1,
    "kid": "k1",
    "iss": "https://gateway.example",
    "aud": "https://tasks.example.com",
    "cid": "cli_1",
    "pid": "prj_1",
    "tid": "tsk_1",
    "aid": "asg_1",
    "wid": "wid_abc",
    "mode": "work",
    "iat": 1_790_000_000,
    "exp": 1_790_000_120,
    "jti": "jti_1",
}

Reply = httpx.Response | Callable[[httpx.Request], httpx.Response]


class FakeGateway:
    """Answers with the queued replies in order and remembers every request it saw."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self._replies: list[Reply] = []

    def reply(self, status: int, body: Any = None, *, text: str | None = None) -> None:
        if text is not None:
            self._replies.append(httpx.Response(status, text=text))
        else:
            self._replies.append(httpx.Response(status, json=body))

    def reply_with(self, reply: Callable[[httpx.Request], httpx.Response]) -> None:
        self._replies.append(reply)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        reply = self._replies.pop(0)
        return reply(request) if callable(reply) else reply

    @property
    def last(self) -> httpx.Request:
        return self.requests[-1]


def body_of(request: httpx.Request) -> Any:
    return json.loads(request.content)


async def call(value: Any) -> Any:
    """The value of a client call, awaited when the client is an AsyncClient."""
    return await value if inspect.isawaitable(value) else value


async def collect(items: Any) -> list[Any]:
    if hasattr(items, "__aiter__"):
        return [item async for item in items]
    return list(items)


@pytest.fixture
def gateway() -> FakeGateway:
    return FakeGateway()


@pytest.fixture(params=["sync", "async"])
async def client(
    request: pytest.FixtureRequest, gateway: FakeGateway
) -> AsyncIterator[Client | AsyncClient]:
    transport = httpx.MockTransport(gateway.handle)
    if request.param == "sync":
        with Client(API_KEY, BASE_URL, transport=transport) as sync_client:
            yield sync_client
    else:
        async with AsyncClient(API_KEY, BASE_URL, transport=transport) as async_client:
            yield async_client


# -- requests and typed answers ------------------------------------------------------------


async def test_create_project_sends_authenticated_json_and_returns_a_project(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(201, PROJECT)

    project = await call(
        client.create_project(
            title="Label cats", task_url="https://tasks.example.com/label", reward_cents=5
        )
    )

    request = gateway.last
    assert request.method == "POST"
    assert request.url == "https://gateway.example/api/v1/projects"
    assert request.headers["authorization"] == f"Bearer {API_KEY}"
    assert request.headers["user-agent"] == f"crowdframe-python/{crowdframe.__version__}"
    assert request.headers["content-type"] == "application/json"
    assert body_of(request) == {
        "title": "Label cats",
        "task_url": "https://tasks.example.com/label",
        "reward_cents": 5,
    }
    assert isinstance(project, Project)
    assert project.id == "prj_1"
    assert project.frame_height is None
    assert project.allow == ["camera"]
    assert project.counts == {"tasks": 0, "open": 0, "completed": 0}


async def test_get_and_update_project(client: Client | AsyncClient, gateway: FakeGateway) -> None:
    gateway.reply(200, PROJECT)
    gateway.reply(200, {**PROJECT, "status": "paused", "reward_cents": 7})

    fetched = await call(client.get_project("prj_1"))
    updated = await call(client.update_project("prj_1", status="paused", reward_cents=7))

    first, second = gateway.requests
    assert (first.method, first.url.path) == ("GET", "/api/v1/projects/prj_1")
    assert first.content == b""
    assert (second.method, second.url.path) == ("PATCH", "/api/v1/projects/prj_1")
    assert body_of(second) == {"status": "paused", "reward_cents": 7}
    assert fetched == Project.from_json(PROJECT)
    assert (updated.status, updated.reward_cents) == ("paused", 7)


async def test_ids_cannot_escape_their_path_segment(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(404, {"error": {"code": "not_found", "message": "no such project"}})

    with pytest.raises(NotFoundError):
        await call(client.get_project("../tasks/tsk_1"))

    assert gateway.last.url.raw_path == b"/api/v1/projects/..%2Ftasks%2Ftsk_1"
    for bad_id in ("", ".", ".."):
        with pytest.raises(ValueError):
            await call(client.get_project(bad_id))


async def test_add_tasks_sends_the_given_idempotency_key_on_every_try(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    answer = {"project_id": "prj_1", "created": 1, "tasks": [TASK]}
    gateway.reply(201, answer)
    gateway.reply(200, answer)  # the gateway's replay of the first answer
    tasks = [{"external_id": "t-1", "input": {"image": "https://img.example/1.png"}}]

    first = await call(client.add_tasks("prj_1", tasks, idempotency_key="batch-2026-11-23"))
    again = await call(client.add_tasks("prj_1", tasks, idempotency_key="batch-2026-11-23"))

    for request in gateway.requests:
        assert (request.method, request.url.path) == ("POST", "/api/v1/projects/prj_1/tasks")
        assert request.headers["idempotency-key"] == "batch-2026-11-23"
        assert body_of(request) == {"tasks": tasks}
    assert first == again
    assert isinstance(first, TaskBatch)
    assert first.created == 1
    assert first.tasks == [Task.from_json(TASK)]
    assert first.tasks[0].input == {"image": "https://img.example/1.png"}


async def test_add_tasks_without_a_key_sends_a_fresh_uuid4(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    answer = {"project_id": "prj_1", "created": 1, "tasks": [TASK]}
    gateway.reply(201, answer)
    gateway.reply(201, answer)
    tasks = [{"external_id": "t-1", "input": {}}]

    await call(client.add_tasks("prj_1", tasks))
    await call(client.add_tasks("prj_1", tasks))

    keys = [request.headers["idempotency-key"] for request in gateway.requests]
    assert all(uuid.UUID(key).version == 4 for key in keys)
    assert keys[0] != keys[1]


async def test_get_task(client: Client | AsyncClient, gateway: FakeGateway) -> None:
    gateway.reply(200, TASK)

    task = await call(client.get_task("tsk_1"))

    assert (gateway.last.method, gateway.last.url.path) == ("GET", "/api/v1/tasks/tsk_1")
    assert task == Task.from_json(TASK)


async def test_list_assignments_sends_only_the_filters_given(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(200, {"data": [ASSIGNMENT], "next_cursor": "c2"})
    gateway.reply(200, {"data": [], "next_cursor": None})

    page = await call(
        client.list_assignments(project_id="prj_1", status="submitted", limit=20, cursor="c1")
    )
    empty = await call(client.list_assignments())

    first, second = gateway.requests
    assert first.url.path == "/api/v1/assignments"
    assert dict(first.url.params) == {
        "project_id": "prj_1",
        "status": "submitted",
        "limit": "20",
        "cursor": "c1",
    }
    assert dict(second.url.params) == {}
    assert isinstance(page, Page)
    assert page.data == [Assignment.from_json(ASSIGNMENT)]
    assert page.next_cursor == "c2"
    assert list(empty) == []
    assert empty.next_cursor is None


async def test_iter_projects_follows_next_cursor_to_the_last_page(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(200, {"data": [{**PROJECT, "id": "prj_1"}], "next_cursor": "c1"})
    gateway.reply(200, {"data": [{**PROJECT, "id": "prj_2"}], "next_cursor": "c2"})
    gateway.reply(200, {"data": [{**PROJECT, "id": "prj_3"}], "next_cursor": None})

    projects = await collect(client.iter_projects(limit=1))

    assert [project.id for project in projects] == ["prj_1", "prj_2", "prj_3"]
    assert [dict(r.url.params) for r in gateway.requests] == [
        {"limit": "1"},
        {"limit": "1", "cursor": "c1"},
        {"limit": "1", "cursor": "c2"},
    ]


async def test_iter_assignments_keeps_its_filters_on_every_page(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(200, {"data": [ASSIGNMENT, {**ASSIGNMENT, "id": "asg_2"}], "next_cursor": "c"})
    gateway.reply(200, {"data": [{**ASSIGNMENT, "id": "asg_3"}], "next_cursor": None})

    assignments = await collect(client.iter_assignments(project_id="prj_1", status="submitted"))

    assert [a.id for a in assignments] == ["asg_1", "asg_2", "asg_3"]
    assert all(isinstance(a, Assignment) for a in assignments)
    assert [dict(r.url.params) for r in gateway.requests] == [
        {"project_id": "prj_1", "status": "submitted"},
        {"project_id": "prj_1", "status": "submitted", "cursor": "c"},
    ]


async def test_iteration_is_lazy(client: Client | AsyncClient, gateway: FakeGateway) -> None:
    client.iter_projects()

    assert gateway.requests == []


async def test_review_and_submit_post_to_the_assignment(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(200, {**ASSIGNMENT, "status": "approved"})
    gateway.reply(200, {**ASSIGNMENT, "status": "rejected", "reject_reason": "blurry"})
    gateway.reply(200, ASSIGNMENT)

    approved = await call(client.approve("asg_1"))
    rejected = await call(client.reject("asg_1", "blurry"))
    submitted = await call(client.submit("asg_1", "tok.en.sig", {"label": "cat"}))

    approve, reject, submit = gateway.requests
    assert (approve.method, approve.url.path) == ("POST", "/api/v1/assignments/asg_1/approve")
    assert (reject.method, reject.url.path) == ("POST", "/api/v1/assignments/asg_1/reject")
    assert body_of(reject) == {"reason": "blurry"}
    assert (submit.method, submit.url.path) == ("POST", "/api/v1/assignments/asg_1/submit")
    assert body_of(submit) == {"token": "tok.en.sig", "result": {"label": "cat"}}
    assert approved.status == "approved"
    assert (rejected.status, rejected.reject_reason) == ("rejected", "blurry")
    assert submitted.result == {"label": "cat"}


async def test_a_second_submit_is_a_conflict(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(409, {"error": {"code": "already_submitted", "message": "already submitted"}})

    with pytest.raises(ConflictError) as caught:
        await call(client.submit("asg_1", "tok.en.sig", {"label": "cat"}))

    assert caught.value.code == "already_submitted"


async def test_submit_with_a_bad_token_is_a_validation_error(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    error = {"code": "token_expired", "message": "token expired", "field": "token"}
    gateway.reply(422, {"error": error})

    with pytest.raises(ValidationError) as caught:
        await call(client.submit("asg_1", "tok.en.sig", {}))

    assert (caught.value.code, caught.value.field) == ("token_expired", "token")


async def test_verify_token_returns_the_claims(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(200, {"valid": True, "claims": CLAIMS})

    claims = await call(client.verify_token("tok.en.sig"))

    assert (gateway.last.method, gateway.last.url.path) == ("POST", "/api/v1/tokens/verify")
    assert body_of(gateway.last) == {"token": "tok.en.sig"}
    assert claims == TaskTokenClaims(**CLAIMS)


@pytest.mark.parametrize(
    ("code", "error_type"),
    [
        ("token_signature", TokenSignatureError),
        ("token_expired", TokenExpiredError),
        ("token_audience", TokenAudienceError),
        ("token_mode", TokenModeError),
        ("token_malformed", TokenMalformedError),
        ("token_assignment", TokenMalformedError),
        ("token_from_the_future", TokenError),
    ],
)
async def test_verify_token_raises_the_error_of_the_failed_check(
    client: Client | AsyncClient, gateway: FakeGateway, code: str, error_type: type[TokenError]
) -> None:
    gateway.reply(422, {"error": {"code": code, "message": "nope", "field": "token"}})

    with pytest.raises(TokenError) as caught:
        await call(client.verify_token("tok.en.sig"))

    assert type(caught.value) is error_type
    assert str(caught.value) == "nope"


async def test_verify_token_expired_says_when_if_the_gateway_does(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(422, {"error": {"code": "token_expired", "message": "expired"}})
    error = {"code": "token_expired", "message": "expired", "expired_at": 1_790_000_120}
    gateway.reply(422, {"error": error})

    with pytest.raises(TokenExpiredError) as unknown:
        await call(client.verify_token("tok.en.sig"))
    with pytest.raises(TokenExpiredError) as known:
        await call(client.verify_token("tok.en.sig"))

    assert unknown.value.expired_at == 0
    assert known.value.expired_at == 1_790_000_120


async def test_verify_token_other_errors_stay_api_errors(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(422, {"error": {"code": "validation_error", "message": "x", "field": "token"}})
    gateway.reply(200, {"valid": False})

    with pytest.raises(ValidationError):
        await call(client.verify_token(""))
    with pytest.raises(TokenError):
        await call(client.verify_token("tok.en.sig"))


async def test_webhook_endpoints(client: Client | AsyncClient, gateway: FakeGateway) -> None:
    gateway.reply(201, {**ENDPOINT, "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})
    gateway.reply(201, {**ENDPOINT, "event_types": ["task.completed"], "secret": "whsec_AAAA"})
    gateway.reply(200, {"data": [ENDPOINT], "next_cursor": None})
    gateway.reply(202, {"message_id": "msg_1"})

    created = await call(client.create_webhook_endpoint("https://client.example/hooks"))
    narrowed = await call(
        client.create_webhook_endpoint(
            "https://client.example/hooks", event_types=["task.completed"]
        )
    )
    listed = await call(client.list_webhook_endpoints())
    message_id = await call(client.send_test_event("whe_1"))

    create, create_narrow, list_, test = gateway.requests
    assert (create.method, create.url.path) == ("POST", "/api/v1/webhook-endpoints")
    assert body_of(create) == {"url": "https://client.example/hooks", "event_types": None}
    assert body_of(create_narrow)["event_types"] == ["task.completed"]
    assert (list_.method, list_.url.path) == ("GET", "/api/v1/webhook-endpoints")
    assert (test.method, test.url.path) == ("POST", "/api/v1/webhook-endpoints/whe_1/test")
    assert isinstance(created, WebhookEndpoint)
    assert created.secret == "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    assert narrowed.event_types == ["task.completed"]
    assert listed.data == [WebhookEndpoint.from_json(ENDPOINT)]
    assert listed.data[0].secret is None
    assert message_id == "msg_1"


# -- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error_type"),
    [
        (400, ValidationError),
        (401, AuthenticationError),
        (403, PermissionDeniedError),
        (404, NotFoundError),
        (409, ConflictError),
        (422, ValidationError),
        (429, RateLimitError),
        (500, ServerError),
        (503, ServerError),
        (418, APIError),
    ],
)
async def test_error_status_maps_to_its_exception(
    client: Client | AsyncClient,
    gateway: FakeGateway,
    status: int,
    error_type: type[APIError],
) -> None:
    error = {"code": "some_code", "message": "what went wrong", "field": "tasks[3].external_id"}
    gateway.reply(status, {"error": error})

    with pytest.raises(APIError) as caught:
        await call(client.get_project("prj_1"))

    exc = caught.value
    assert type(exc) is error_type
    assert exc.status_code == status
    assert (exc.code, exc.message, exc.field) == ("some_code", "what went wrong", error["field"])
    assert exc.body == {"error": error}
    assert str(exc) == f"{status} some_code: what went wrong (field: tasks[3].external_id)"


async def test_an_error_without_field_has_field_none(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    gateway.reply(401, {"error": {"code": "unauthorized", "message": "unknown API key"}})

    with pytest.raises(AuthenticationError) as caught:
        await call(client.list_projects())

    assert caught.value.field is None


@pytest.mark.parametrize(
    "body",
    ["<html><body>502 Bad Gateway</body></html>", "", '["not", "an", "error"]', '{"error": 1}'],
)
async def test_an_error_body_that_is_not_the_api_shape_still_maps(
    client: Client | AsyncClient, gateway: FakeGateway, body: str
) -> None:
    gateway.reply(502, text=body)

    with pytest.raises(ServerError) as caught:
        await call(client.get_project("prj_1"))

    assert caught.value.status_code == 502
    assert caught.value.code == "error"
    assert caught.value.message == "Bad Gateway"
    assert caught.value.field is None


@pytest.mark.parametrize(
    "answer",
    [
        {"text": "not json"},
        {"json": ["a", "list"]},
        {"json": {"id": "prj_1"}},
        {"json": {**PROJECT, "reward_cents": "5"}},
        {"json": {**PROJECT, "object": "task"}},
    ],
)
async def test_an_answer_of_the_wrong_shape_is_an_api_error(
    client: Client | AsyncClient, gateway: FakeGateway, answer: dict[str, Any]
) -> None:
    gateway.reply_with(lambda request: httpx.Response(200, **answer))

    with pytest.raises(APIError) as caught:
        await call(client.get_project("prj_1"))

    assert caught.value.code == "invalid_response"
    assert "GET /projects/prj_1" in caught.value.message


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ConnectError("connection refused"),
        httpx.ConnectTimeout("timed out"),
        httpx.ReadTimeout("timed out"),
        httpx.RemoteProtocolError("peer closed connection"),
    ],
)
async def test_transport_failures_become_transport_errors(
    client: Client | AsyncClient, gateway: FakeGateway, failure: httpx.RequestError
) -> None:
    def fail(request: httpx.Request) -> httpx.Response:
        raise failure

    gateway.reply_with(fail)

    with pytest.raises(TransportError) as caught:
        await call(client.get_project("prj_1"))

    assert caught.value.__cause__ is failure
    assert "https://gateway.example/api/v1/projects/prj_1" in str(caught.value)
    assert API_KEY not in str(caught.value)


async def test_the_api_key_never_shows_in_repr_or_errors(
    client: Client | AsyncClient, gateway: FakeGateway
) -> None:
    def echo_headers(request: httpx.Request) -> httpx.Response:
        # A debug proxy that echoes the request back, Authorization header included.
        echoed = request.headers["authorization"]
        return httpx.Response(400, json={"error": {"code": "bad", "message": echoed}})

    gateway.reply_with(echo_headers)
    gateway.reply_with(lambda request: httpx.Response(500, text=str(request.headers)))

    with pytest.raises(ValidationError) as echoed_json:
        await call(client.get_project("prj_1"))
    with pytest.raises(ServerError) as echoed_text:
        await call(client.get_project("prj_1"))

    assert repr(client) == f"<crowdframe.{type(client).__name__} base_url='{BASE_URL}/api/v1'>"
    for exc in (echoed_json.value, echoed_text.value):
        for text in (str(exc), repr(exc), exc.message, json.dumps(exc.body)):
            assert API_KEY not in text
    assert "[redacted]" in echoed_json.value.message


# -- construction --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "base_url",
    [
        "https://gateway.example",
        "https://gateway.example/",
        "https://gateway.example/api/v1",
        "https://gateway.example/api/v1/",
    ],
)
def test_base_url_is_the_gateway_origin_with_or_without_the_api_root(base_url: str) -> None:
    gateway = FakeGateway()
    gateway.reply(200, PROJECT)

    with Client(API_KEY, base_url, transport=httpx.MockTransport(gateway.handle)) as client:
        client.get_project("prj_1")

    assert gateway.last.url == "https://gateway.example/api/v1/projects/prj_1"


def test_default_base_url_is_the_local_gateway() -> None:
    gateway = FakeGateway()
    gateway.reply(200, {"data": [], "next_cursor": None})

    with Client(API_KEY, transport=httpx.MockTransport(gateway.handle)) as client:
        client.list_projects()

    assert gateway.last.url == "http://127.0.0.1:8000/api/v1/projects"


@pytest.mark.parametrize("client_type", [Client, AsyncClient])
@pytest.mark.parametrize("api_key", ["", "   "])
def test_an_empty_api_key_is_refused(client_type: type[Client | AsyncClient], api_key: str) -> None:
    with pytest.raises(ValueError):
        client_type(api_key)


def test_close_closes_the_connections() -> None:
    client = Client(API_KEY, transport=httpx.MockTransport(FakeGateway().handle))

    client.close()

    with pytest.raises(RuntimeError):
        client.list_projects()


async def test_aclose_closes_the_connections() -> None:
    client = AsyncClient(API_KEY, transport=httpx.MockTransport(FakeGateway().handle))

    await client.aclose()

    with pytest.raises(RuntimeError):
        await client.list_projects()


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member
        for name, member in vars(cls).items()
        if not name.startswith("_") and callable(member)
    }


def test_both_clients_offer_the_same_documented_methods() -> None:
    sync_methods = public_methods(Client)
    async_methods = public_methods(AsyncClient)

    assert set(sync_methods) - {"close"} == set(async_methods) - {"aclose"}
    for name, method in [*sync_methods.items(), *async_methods.items()]:
        assert inspect.getdoc(method), f"{name} has no docstring"
    for name, method in async_methods.items():
        if name.startswith("iter_"):
            assert not inspect.iscoroutinefunction(method)
        else:
            assert inspect.iscoroutinefunction(method), f"AsyncClient.{name} is not async"


# -- models --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "obj"),
    [
        (Project, PROJECT),
        (Task, TASK),
        (Assignment, ASSIGNMENT),
        (WebhookEndpoint, ENDPOINT),
    ],
)
def test_models_tolerate_fields_they_do_not_know(model: Any, obj: dict[str, Any]) -> None:
    newer = {**obj, "added_in_v2": {"anything": [1, 2]}}

    assert model.from_json(newer) == model.from_json(obj)


def test_an_assignment_not_yet_submitted_has_none_for_later_fields() -> None:
    accepted = {**ASSIGNMENT, "status": "accepted", "submitted_at": None, "result": None}
    del accepted["reviewed_at"]

    assignment = Assignment.from_json(accepted)

    assert (assignment.submitted_at, assignment.result, assignment.reviewed_at) == (
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "obj",
    [
        {**PROJECT, "frame_height": True},
        {**PROJECT, "allow": "camera"},
        {**PROJECT, "counts": {"tasks": "3"}},
        {k: v for k, v in PROJECT.items() if k != "title"},
        ["not", "an", "object"],
    ],
)
def test_a_model_of_the_wrong_shape_raises_value_error(obj: Any) -> None:
    with pytest.raises(ValueError):
        Project.from_json(obj)


def test_models_are_frozen() -> None:
    task = Task.from_json(TASK)

    with pytest.raises(AttributeError):
        task.status = "completed"  # type: ignore[misc]
