"""The documented limits (docs/api.md, "Limits"): a body nested too deep, a cursor out of range,
a result over 1 MB and a path nobody serves are each refused with a 4xx JSON answer naming
what; never a 500, and nothing is stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from crowdframe_gateway.core.limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, MAX_RESULT_BYTES
from crowdframe_gateway.mturk.ids import assignment_credential
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway


def error_of(answer: Any) -> dict[str, Any]:
    assert answer.headers["content-type"] == "application/json", answer.text[:200]
    body = answer.json()
    assert set(body) == {"error"}, body
    return body["error"]  # type: ignore[no-any-return]


def nested(depth: int) -> bytes:
    """A JSON object whose ``result`` is ``depth`` levels deep in all (the object included)."""
    return b'{"result": ' + b'{"a": ' * (depth - 2) + b"[]" + b"}" * (depth - 2) + b"}"


async def test_a_body_nested_deeper_than_the_limit_is_a_400_naming_it(api: ApiClient) -> None:
    for depth in (MAX_JSON_DEPTH + 1, 990, 100_000):
        answer = await api.call("POST", "/projects", content=nested(depth))
        assert answer.status_code == 400, depth
        assert error_of(answer)["code"] == "too_deep"
    at_the_limit = await api.call("POST", "/projects", content=nested(MAX_JSON_DEPTH))
    assert at_the_limit.status_code == 422, "parsed, then refused for its fields"


async def test_brackets_inside_strings_do_not_count_as_nesting(api: ApiClient) -> None:
    title = "[{" * 500 + '\\"[' * 100
    answer = await api.post_project(title=title[:200])
    assert answer.status_code == 201, answer.text


async def test_a_body_over_5_mb_is_a_413_before_it_is_read_whole(api: ApiClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: chunked, as a stream
        yield b'{"title": "'
        for _ in range(6):
            yield b"x" * 1_000_000

    for body in (b"{" + b" " * MAX_BODY_BYTES + b"}", chunks()):
        answer = await api.call("POST", "/projects", content=body)
        assert answer.status_code == 413
        assert error_of(answer) | {"message": ""} == {
            "code": "too_large",
            "field": "body",
            "message": "",
        }


async def test_brackets_in_strings_cannot_hide_real_nesting(api: ApiClient) -> None:
    # each level opens, then a string of closing brackets (and an escaped quote) that a scan
    # counting every bracket would take for the level's end
    hidden = b'{"a": ' + b'["]]\\"]", ' * 990 + b"1" + b"]" * 990 + b"}"
    answer = await api.call("POST", "/projects", content=hidden)
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "too_deep"


async def _worker_on_task(gateway: Gateway, api: ApiClient) -> tuple[Browser, str]:
    project = await api.project(tasks=1)
    return await gateway.worker_on(project["id"])


async def test_the_worker_submit_refuses_a_deep_body(gateway: Gateway, api: ApiClient) -> None:
    worker, aid = await _worker_on_task(gateway, api)
    answer = await worker.http.post(
        f"/work/assignments/{aid}/submit",
        content=nested(990),
        headers={"x-csrf-token": worker.csrf, "content-type": "application/json"},
    )
    assert answer.status_code == 400
    assert error_of(answer)["code"] == "too_deep"
    assert (await api.call("GET", f"/assignments/{aid}")).json()["status"] == "accepted"


@ON_BOTH_STORES
@pytest.mark.parametrize(
    "path",
    [
        "/projects",
        "/assignments",
        "/bonuses",
        "/projects/{assessment}/qualifications",
        "/webhook-endpoints/{endpoint}/messages",
    ],
)
@pytest.mark.parametrize("cursor", ["9223372036854775808", "9" * 40, "-1", "1e3"])
async def test_a_cursor_out_of_range_is_a_422_naming_cursor(
    api: ApiClient, path: str, cursor: str
) -> None:
    assessment = await api.project(kind="assessment", test_size=1, reward_cents=0)
    endpoint = await api.call("POST", "/webhook-endpoints", json={"url": "http://localhost:9/hook"})
    assert endpoint.status_code == 201, endpoint.text
    filled = path.format(assessment=assessment["id"], endpoint=endpoint.json()["id"])
    answer = await api.call("GET", filled, params={"cursor": cursor})
    assert answer.status_code == 422, answer.text
    assert error_of(answer)["field"] == "cursor"


def big_result() -> dict[str, str]:
    return {"text": "x" * (MAX_RESULT_BYTES + 1)}


async def test_the_worker_submit_refuses_a_result_over_1_mb(
    gateway: Gateway, api: ApiClient
) -> None:
    worker, aid = await _worker_on_task(gateway, api)
    just_over = {"text": "x" * (MAX_RESULT_BYTES - 5)}  # the body fits, the result does not
    for result in (just_over, {"text": "x" * 20_000_000}):
        answer = await worker.http.post(
            f"/work/assignments/{aid}/submit",
            json={"result": result},
            headers={"x-csrf-token": worker.csrf},
        )
        assert answer.status_code == 413
        assert error_of(answer) | {"message": ""} == {
            "code": "too_large",
            "field": "result",
            "message": "",
        }
    assert (await api.call("GET", f"/assignments/{aid}")).json()["status"] == "accepted"
    assert (await worker.submit(aid, {"text": "x" * (MAX_RESULT_BYTES - 50)}))["status"]


async def test_the_server_side_submit_refuses_a_result_over_1_mb(
    gateway: Gateway, api: ApiClient
) -> None:
    worker, aid = await _worker_on_task(gateway, api)
    token = await worker.frame_token(aid)
    answer = await api.call(
        "POST", f"/assignments/{aid}/submit", json={"token": token, "result": big_result()}
    )
    assert answer.status_code == 413
    assert error_of(answer)["field"] == "result"
    assert (await api.call("GET", f"/assignments/{aid}")).json()["status"] == "accepted"


async def test_mturk_external_submit_refuses_a_result_over_1_mb(
    gateway: Gateway, api: ApiClient
) -> None:
    _worker, aid = await _worker_on_task(gateway, api)
    credential = assignment_credential(gateway.rt.secret_key, aid)
    answer = await gateway.http.post(
        "/mturk/externalSubmit", data={"assignmentId": credential, **big_result()}
    )
    assert answer.status_code == 413
    assert "larger than 1 MB" in answer.text
    assert (await api.call("GET", f"/assignments/{aid}")).json()["status"] == "accepted"


@pytest.mark.parametrize(
    "path", ["/nothing-here", "/projects/a%0Ab", "/projects%0A/x", "/%0A", "/tasks/a%0Ab/cancel/x"]
)
async def test_every_path_under_the_api_answers_json_404(api: ApiClient, path: str) -> None:
    answer = await api.call("GET", path)
    assert answer.status_code == 404
    assert error_of(answer)["code"] == "not_found"


async def test_a_wrong_method_is_a_json_405_with_allow(api: ApiClient) -> None:
    cases = {
        "/projects": "GET, HEAD, POST",
        "/projects/prj_x": "GET, HEAD, PATCH",
        "/projects/a%0Ab": "GET, HEAD, PATCH",
        "/workers/w1/block": "DELETE, POST",
    }
    for path, allow in cases.items():
        answer = await api.call("PUT", path)
        assert answer.status_code == 405, path
        assert answer.headers["allow"] == allow
        assert error_of(answer)["code"] == "method_not_allowed"


async def test_the_live_feed_is_not_listed_as_an_http_get(gateway: Gateway) -> None:
    spec = (await gateway.http.get("/openapi.json")).json()
    assert "/api/v1/events/live" not in spec["paths"]
