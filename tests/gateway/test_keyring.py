"""A client's keyring over the API: several API keys, shown once, stored hashed, revoked at
once; signing secrets rotated without a gap (the newest signs, every current one verifies)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from crowdframe import verify_task_token
from crowdframe._token import TokenSignatureError, decode_task_token
from crowdframe_gateway.core.records import Client, now
from crowdframe_gateway.identity.credentials import hash_api_key
from crowdframe_gateway.runtime import SqliteStore
from harness import TASK_URL, ApiClient, Browser, Gateway


def _error(answer: Any) -> dict[str, Any]:
    return answer.json()["error"]  # type: ignore[no-any-return]


async def _as(gateway: Gateway, key: str, method: str, path: str, **kwargs: Any) -> Any:
    headers = {"authorization": f"Bearer {key}"}
    return await gateway.http.request(method, f"/api/v1{path}", headers=headers, **kwargs)


# --- API keys ---------------------------------------------------------------------------------


async def test_a_new_api_key_is_shown_once_and_works_beside_the_first(
    gateway: Gateway, api: ApiClient
) -> None:
    created = await api.call("POST", "/api-keys", json={"name": "nightly export"})

    assert created.status_code == 201
    body = created.json()
    key = body["key"]
    assert key.startswith("cfk_") and len(key) > 40
    assert body["prefix"] == key[:8] and body["name"] == "nightly export"
    assert (await _as(gateway, key, "GET", "/projects")).status_code == 200
    assert (await api.call("GET", "/projects")).status_code == 200
    listed = (await api.call("GET", "/api-keys")).json()["data"]
    assert [k["name"] for k in listed] == ["nightly export", "default"]
    assert all("key" not in k for k in listed), "a key is never shown again"
    assert key not in (await api.call("GET", "/api-keys")).text


async def test_keys_are_random_and_stored_only_as_hashes(
    gateway: Gateway, api: ApiClient, tmp_path: Path
) -> None:
    keys = [(await api.call("POST", "/api-keys", json={})).json()["key"] for _ in range(3)]
    assert len({*keys, api.made.api_key}) == 4

    files = await asyncio.to_thread(lambda: list(tmp_path.rglob("crowdframe.db*")))
    stored = b"".join([await asyncio.to_thread(path.read_bytes) for path in files])
    for key in [*keys, api.made.api_key]:
        assert key.encode() not in stored
        assert hash_api_key(key).encode() in stored


async def test_a_revoked_key_is_refused_at_once(gateway: Gateway, api: ApiClient) -> None:
    made = (await api.call("POST", "/api-keys", json={"name": "leaked"})).json()
    assert (await _as(gateway, made["key"], "GET", "/projects")).status_code == 200

    revoked = await api.call("DELETE", f"/api-keys/{made['id']}")

    assert revoked.status_code == 200 and revoked.json()["revoked_at"] is not None
    refused = await _as(gateway, made["key"], "GET", "/projects")
    assert refused.status_code == 401 and _error(refused)["code"] == "unauthorized"
    assert (await api.call("GET", "/projects")).status_code == 200, "the other key still works"
    again = await api.call("DELETE", f"/api-keys/{made['id']}")
    assert again.status_code == 200, "revoking twice is harmless"


async def test_a_client_can_revoke_the_key_it_is_using(gateway: Gateway, api: ApiClient) -> None:
    spare = (await api.call("POST", "/api-keys", json={"name": "spare"})).json()
    first = next(
        k for k in (await api.call("GET", "/api-keys")).json()["data"] if k["name"] == "default"
    )

    assert (await api.call("DELETE", f"/api-keys/{first['id']}")).status_code == 200

    assert (await api.call("GET", "/projects")).status_code == 401
    assert (await _as(gateway, spare["key"], "GET", "/projects")).status_code == 200


async def test_the_last_live_key_cannot_be_revoked(api: ApiClient) -> None:
    [only] = (await api.call("GET", "/api-keys")).json()["data"]

    refused = await api.call("DELETE", f"/api-keys/{only['id']}")

    assert refused.status_code == 409 and _error(refused)["code"] == "last_api_key"
    assert (await api.call("GET", "/projects")).status_code == 200


async def test_a_client_cannot_see_or_revoke_another_clients_keys(
    gateway: Gateway, api: ApiClient
) -> None:
    mallory = await gateway.client("mallory")
    await api.call("POST", "/api-keys", json={"name": "second"})
    mine = (await api.call("GET", "/api-keys")).json()["data"]

    theirs = (await mallory.call("GET", "/api-keys")).json()["data"]
    assert {k["id"] for k in theirs}.isdisjoint({k["id"] for k in mine})
    for key in mine:
        answer = await mallory.call("DELETE", f"/api-keys/{key['id']}")
        assert answer.status_code == 404
    assert (await api.call("GET", "/projects")).status_code == 200


@pytest.mark.parametrize("name", ["", "   ", "x" * 101, 42, None])
async def test_a_bad_key_name_is_a_422_naming_the_field(api: ApiClient, name: object) -> None:
    answer = await api.call("POST", "/api-keys", json={"name": name})
    assert answer.status_code == 422 and _error(answer)["field"] == "name"


async def test_clients_from_before_the_key_table_keep_their_key(tmp_path: Path) -> None:
    # A data dir from an older gateway: the key lived only in the clients row.
    path = tmp_path / "old.db"
    store = SqliteStore(path)
    await store.open()
    client = Client("cli_old", "Old Co", ("cfts_k1_x",), "p" * 64, now())
    await store.create_client(client, hash_api_key("cfk_old"))
    with store._tx() as db:
        db.execute("DELETE FROM api_keys")
    await store.close()

    reopened = SqliteStore(path)
    await reopened.open()
    try:
        assert (await reopened.client_by_key_hash(hash_api_key("cfk_old"))) == client
        [key] = await reopened.list_api_keys(client.id)
        assert key.name == "default" and key.revoked_at is None
    finally:
        await reopened.close()


# --- signing secrets --------------------------------------------------------------------------


async def _working(gateway: Gateway, api: ApiClient) -> tuple[Browser, str, str]:
    """A worker on an assignment: the worker's browser, the assignment id, its launch token."""
    project = await api.project(task_url=TASK_URL, tasks=3)
    worker, aid = await gateway.worker_on(project["id"])
    return worker, aid, await worker.frame_token(aid)


async def test_rotation_newest_signs_old_tokens_verify_until_deleted(
    gateway: Gateway, api: ApiClient
) -> None:
    old_secret = api.made.signing_secret
    worker, aid, old_token = await _working(gateway, api)

    created = await api.call("POST", "/signing-secrets", json={})

    assert created.status_code == 201
    new_secret, new_kid = created.json()["secret"], created.json()["kid"]
    assert new_secret.startswith(f"cfts_{new_kid}_")
    listed = (await api.call("GET", "/signing-secrets")).json()["data"]
    assert (listed[0]["kid"], listed[0]["signing"]) == (new_kid, True)
    assert new_secret not in (await api.call("GET", "/signing-secrets")).text
    # tokens issued from now on carry the new kid and verify with the new secret alone
    fresh = await worker.frame_token(aid)
    assert decode_task_token(fresh, [new_secret]).kid == new_kid
    with pytest.raises(TokenSignatureError):
        decode_task_token(fresh, [old_secret])
    # the token issued before the rotation still verifies at the gateway
    assert (await api.call("POST", "/tokens/verify", json={"token": old_token})).status_code == 200

    old_kid = listed[1]["kid"]
    deleted = await api.call("DELETE", f"/signing-secrets/{old_kid}")

    assert deleted.status_code == 200
    assert [s["kid"] for s in deleted.json()["data"]] == [new_kid]
    refused = await api.call("POST", "/tokens/verify", json={"token": old_token})
    assert refused.status_code == 422 and _error(refused)["code"] == "token_signature"
    submit = await api.call(
        "POST", f"/assignments/{aid}/submit", json={"token": fresh, "result": {"ok": 1}}
    )
    assert submit.status_code == 200
    claims = verify_task_token(fresh, new_secret, audience=TASK_URL)
    assert claims.aid == aid


async def test_the_only_signing_secret_cannot_be_deleted(api: ApiClient) -> None:
    [only] = (await api.call("GET", "/signing-secrets")).json()["data"]

    refused = await api.call("DELETE", f"/signing-secrets/{only['kid']}")

    assert refused.status_code == 409 and _error(refused)["code"] == "last_signing_secret"
    assert len((await api.call("GET", "/signing-secrets")).json()["data"]) == 1


async def test_deleting_an_unknown_kid_is_a_404(gateway: Gateway, api: ApiClient) -> None:
    mallory = await gateway.client("mallory")
    [theirs] = (await mallory.call("GET", "/signing-secrets")).json()["data"]
    await api.call("POST", "/signing-secrets", json={})

    for kid in ("nope", theirs["kid"]):
        answer = await api.call("DELETE", f"/signing-secrets/{kid}")
        assert answer.status_code == 404 and _error(answer)["field"] == "kid"
    assert len((await mallory.call("GET", "/signing-secrets")).json()["data"]) == 1


async def test_a_client_keeps_at_most_five_signing_secrets(api: ApiClient) -> None:
    for _ in range(4):
        assert (await api.call("POST", "/signing-secrets", json={})).status_code == 201

    refused = await api.call("POST", "/signing-secrets", json={})

    assert refused.status_code == 409 and _error(refused)["code"] == "too_many_signing_secrets"


async def test_two_deletions_at_once_still_leave_one_secret(api: ApiClient) -> None:
    await api.call("POST", "/signing-secrets", json={})
    kids = [s["kid"] for s in (await api.call("GET", "/signing-secrets")).json()["data"]]

    answers = await asyncio.gather(*(api.call("DELETE", f"/signing-secrets/{kid}") for kid in kids))

    assert sorted(a.status_code for a in answers) == [200, 409]
    assert len((await api.call("GET", "/signing-secrets")).json()["data"]) == 1
