"""Server-side submit and /tokens/verify: only a valid work token for this very assignment."""

from __future__ import annotations

import dataclasses
from typing import Any

from crowdframe._token import decode_task_token, sign_task_token
from harness import ApiClient, Browser, Gateway


async def _working(gateway: Gateway, api: ApiClient) -> tuple[Browser, str, str, str]:
    """A worker with two assignments in flight; the first's id and token, the second's id."""
    project = await api.project(tasks=2)
    worker, first = await gateway.worker_on(project["id"])
    other = await gateway.worker("other@example.org")
    second = await other.accept(project["id"])
    return worker, first, await worker.frame_token(first), second


def _code(answer: Any) -> str:
    return answer.json()["error"]["code"]  # type: ignore[no-any-return]


async def test_server_side_submit_accepts_a_token_once(gateway: Gateway, api: ApiClient) -> None:
    _worker, aid, token, _ = await _working(gateway, api)
    body = {"token": token, "result": {"label": "cat"}}
    first = await api.call("POST", f"/assignments/{aid}/submit", json=body)
    assert first.status_code == 200
    assert first.json()["status"] == "submitted" and first.json()["result"] == {"label": "cat"}
    replay = await api.call(
        "POST", f"/assignments/{aid}/submit", json={**body, "result": {"label": "dog"}}
    )
    assert replay.status_code == 409 and _code(replay) == "already_submitted"
    after = await api.call("GET", f"/assignments/{aid}")
    assert after.json()["result"] == {"label": "cat"}, "a replay changes nothing"


async def test_refused_tokens_name_the_failed_check(gateway: Gateway, api: ApiClient) -> None:
    _worker, aid, token, second = await _working(gateway, api)
    secrets = api.made.client.signing_secrets
    claims = decode_task_token(token, secrets)
    payload, stamp, signature = token.split(".")
    tampered = payload[:-2] + ("A" if payload[-2] != "A" else "B") + payload[-1] + "." + stamp
    cases = {
        "token_signature": tampered + "." + signature,
        "token_expired": sign_task_token(
            dataclasses.replace(claims, iat=claims.iat - 600, exp=claims.iat - 300), secrets
        ),
        "token_mode": sign_task_token(dataclasses.replace(claims, mode="preview"), secrets),
        "token_audience": sign_task_token(
            dataclasses.replace(claims, aud="http://localhost:9999"), secrets
        ),
        "token_malformed": "garbage",
    }
    for code, bad in cases.items():
        answer = await api.call(
            "POST", f"/assignments/{aid}/submit", json={"token": bad, "result": {}}
        )
        assert answer.status_code == 422, code
        assert (_code(answer), answer.json()["error"]["field"]) == (code, "token")
    # a valid token, but for the first assignment, used on the second
    wrong = await api.call(
        "POST", f"/assignments/{second}/submit", json={"token": token, "result": {}}
    )
    assert wrong.status_code == 422 and _code(wrong) == "token_assignment"
    untouched = await api.call("GET", f"/assignments/{aid}")
    assert untouched.json()["status"] == "accepted"


async def test_another_clients_token_never_verifies(gateway: Gateway, api: ApiClient) -> None:
    _worker, aid, token, _ = await _working(gateway, api)
    mallory = await gateway.client("mallory")
    verify = await mallory.call("POST", "/tokens/verify", json={"token": token})
    assert verify.status_code == 422 and _code(verify) == "token_signature"
    submit = await mallory.call(
        "POST", f"/assignments/{aid}/submit", json={"token": token, "result": {}}
    )
    assert submit.status_code == 404
    mine = await api.call("POST", "/tokens/verify", json={"token": token})
    assert mine.status_code == 200
    assert mine.json()["claims"]["aid"] == aid and mine.json()["claims"]["mode"] == "work"
