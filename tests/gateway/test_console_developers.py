"""The console's developers' page: API keys made and shown once, revoked (never the last),
signing secrets rotated, webhook endpoints created (never to a metadata or, in production, a
private address), disabled and enabled, every delivery attempt of a message shown, replays
that reach a real receiver, what a member may not change, and nothing of another client's."""

from __future__ import annotations

import logging
import re

import httpx
import pytest

from console_world import ConsoleUser, accept, console_owner, invite_member
from crowdframe.signing import secret_kid
from delivery_harness import delivering, endpoint, messages_of, settled, submit_one, wait_until
from harness import ON_BOTH_STORES, ApiClient, Gateway
from receiver import running_receiver


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"retry_schedule": (0.05, 0.05)}  # a failing message fails for good in 3 attempts


def text_of(answer: httpx.Response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", answer.text).split())


def shown_secret(answer: httpx.Response) -> str:
    found = re.search(r'id="shown-secret" class="copy" type="text" readonly value="([^"]+)"',
                      answer.text)  # fmt: skip
    assert found is not None, answer.text
    return found.group(1)


async def developers(owner: ConsoleUser) -> httpx.Response:
    return await owner.browser.get("/console/developers")


async def test_a_new_api_key_is_shown_once_and_works_against_the_api(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    await developers(owner)
    made = await owner.browser.post_form("/console/developers/api-keys", {"name": "ci"})

    assert made.status_code == 201
    assert made.headers["cache-control"] == "no-store"
    key = shown_secret(made)
    assert key.startswith("cfk_")
    assert "shown this once" in text_of(made)
    works = await gateway.http.get("/api/v1/projects", headers={"authorization": f"Bearer {key}"})
    assert works.status_code == 200
    listed = (await api.call("GET", "/api-keys")).json()["data"]
    assert [k["name"] for k in listed] == ["ci", "default"]

    again = await developers(owner)
    assert key not in again.text, "shown once"
    assert f"<code>{key[:8]}…</code>" in again.text, "only its first characters"


async def test_a_key_is_revoked_and_the_last_live_key_is_refused_with_a_clear_message(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    await developers(owner)
    made = await owner.browser.post_form("/console/developers/api-keys", {"name": "spare"})
    spare_key = shown_secret(made)
    keys = {k["name"]: k["id"] for k in (await api.call("GET", "/api-keys")).json()["data"]}

    revoked = await owner.browser.post_form(
        f"/console/developers/api-keys/{keys['spare']}/revoke", {}
    )
    assert revoked.headers["location"] == "/console/developers?notice=revoked"
    page = await owner.browser.get(revoked.headers["location"])
    assert "API key revoked" in page.text and "revoked" in text_of(page)
    refused = await gateway.http.get(
        "/api/v1/projects", headers={"authorization": f"Bearer {spare_key}"}
    )
    assert refused.status_code == 401

    last = await owner.browser.post_form(
        f"/console/developers/api-keys/{keys['default']}/revoke", {}
    )
    assert last.status_code == 409
    assert "this is the client&#39;s last API key: create another one first" in last.text
    assert (await api.call("GET", "/projects")).status_code == 200, "the last key still works"


async def test_a_signing_secret_is_rotated_shown_once_and_the_old_one_deleted(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    old_kid = secret_kid(api.made.client.signing_secrets[0])
    await developers(owner)

    only = await owner.browser.post_form(
        f"/console/developers/signing-secrets/{old_kid}/delete", {}
    )
    assert only.status_code == 409 and "only signing secret" in only.text

    made = await owner.browser.post_form("/console/developers/signing-secrets", {})
    assert made.status_code == 201
    secret = shown_secret(made)
    new_kid = secret_kid(secret)
    listed = (await api.call("GET", "/signing-secrets")).json()["data"]
    assert [(s["kid"], s["signing"]) for s in listed] == [(new_kid, True), (old_kid, False)]
    assert secret not in (await developers(owner)).text

    deleted = await owner.browser.post_form(
        f"/console/developers/signing-secrets/{old_kid}/delete", {}
    )
    assert deleted.headers["location"] == "/console/developers?notice=secret_deleted"
    listed = (await api.call("GET", "/signing-secrets")).json()["data"]
    assert [s["kid"] for s in listed] == [new_kid]


async def test_an_endpoint_is_created_with_its_secret_shown_once_then_disabled_and_enabled(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    await developers(owner)
    made = await owner.browser.post_form(
        "/console/developers/endpoints",
        {"url": "https://hooks.example/in", "event_types": ["task.completed"]},
    )
    assert made.status_code == 201
    secret = shown_secret(made)
    assert secret.startswith("whsec_")
    [seen] = (await api.call("GET", "/webhook-endpoints")).json()["data"]
    assert (seen["url"], seen["event_types"]) == ("https://hooks.example/in", ["task.completed"])
    page = f"/console/developers/endpoints/{seen['id']}"
    assert secret not in (await owner.browser.get(page)).text

    rotated = await owner.browser.post_form(f"{page}/rotate-secret", {})
    assert rotated.status_code == 201 and shown_secret(rotated) not in (secret,)
    assert "old secret keeps signing" in rotated.text

    off = await owner.browser.post_form(f"{page}/disable", {})
    assert off.headers["location"] == f"{page}?notice=disabled"
    assert (await api.call("GET", f"/webhook-endpoints/{seen['id']}")).json()["status"] == (
        "disabled"
    )
    await owner.browser.post_form(f"{page}/enable", {})
    assert (await api.call("GET", f"/webhook-endpoints/{seen['id']}")).json()["status"] == (
        "enabled"
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://169.254.169.254/latest/meta-data", "url must not point at a link-local address"),
        ("https://metadata.google.internal/x", "url must not point at a cloud metadata service"),
    ],
)
async def test_an_endpoint_to_a_metadata_address_is_refused_by_the_apis_check(
    gateway: Gateway, api: ApiClient, url: str, message: str
) -> None:
    owner = await console_owner(api)
    await developers(owner)
    refused = await owner.browser.post_form("/console/developers/endpoints", {"url": url})
    by_api = await api.call("POST", "/webhook-endpoints", json={"url": url})

    assert refused.status_code == by_api.status_code == 422
    assert by_api.json()["error"]["message"] == message
    assert f'<p class="error" role="alert" id="developers-error">{message}</p>' in refused.text
    assert 'aria-invalid="true"' in refused.text and f'value="{url}"' in refused.text
    assert (await api.call("GET", "/webhook-endpoints")).json()["data"] == []


@pytest.mark.parametrize("gateway_settings", [{"allow_private_webhooks": False}])
async def test_in_production_an_endpoint_to_a_private_address_is_refused(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    await developers(owner)
    for url in ("https://10.0.0.7/hooks", "https://127.0.0.1/hooks"):
        refused = await owner.browser.post_form("/console/developers/endpoints", {"url": url})
        assert refused.status_code == 422
        assert "url must not point at a private or loopback address" in refused.text
    assert (await api.call("GET", "/webhook-endpoints")).json()["data"] == []


@ON_BOTH_STORES
async def test_a_failing_delivery_shows_each_attempt_and_a_replay_reaches_the_receiver(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    with running_receiver() as receiver:
        receiver.script = [500, 503, 500]  # every attempt of the first delivery fails
        hook = await endpoint(api, receiver.url, ["assignment.submitted"])
        async with delivering(gateway):
            await submit_one(gateway, api)
            await settled(api, hook["id"])
            [message] = await messages_of(api, hook["id"])
            assert message["status"] == "failed"

            listed = await owner.browser.get(
                f"/console/developers/endpoints/{hook['id']}?status=failed"
            )
            assert f'data-message="{message["id"]}"' in listed.text
            shown = await owner.browser.get(f"/console/developers/messages/{message['id']}")
            assert shown.status_code == 200
            codes = re.findall(r'<td class="status-code">(\d+)</td>', shown.text)
            assert codes == ["500", "503", "500"]
            assert re.search(r"<td>\d+ ms</td>", shown.text), "each attempt's time"
            assert '<code class="answer">ok</code>' in shown.text, "the start of each answer"
            assert "assignment.submitted" in shown.text and "Send again" in shown.text

            replayed = await owner.browser.http.post(
                f"/console/developers/messages/{message['id']}/replay",
                data={"csrf": owner.browser.csrf},
                headers={"hx-request": "true"},
            )
            assert replayed.status_code == 200 and "<html" not in replayed.text
            assert "Sent again" in replayed.text
            assert 'hx-trigger="every 3s"' in replayed.text, "polls while pending"
            await settled(api, hook["id"])
    assert len(receiver.received) == 4, "three failed attempts, then the replay"
    assert receiver.received[-1].headers["webhook-id"] == message["id"]
    after = await owner.browser.get(f"/console/developers/messages/{message['id']}/attempts")
    assert "delivered" in text_of(after)
    assert re.findall(r'<td class="status-code">(\d+)</td>', after.text)[-1] == "200"


async def test_every_failed_message_is_replayed_at_once(gateway: Gateway, api: ApiClient) -> None:
    owner = await console_owner(api)
    with running_receiver() as receiver:
        receiver.script = [500] * 6  # both messages fail: 3 attempts each
        hook = await endpoint(api, receiver.url, ["assignment.submitted"])
        async with delivering(gateway):
            await submit_one(gateway, api)
            await submit_one(gateway, api)
            await settled(api, hook["id"], count=2)
            page = f"/console/developers/endpoints/{hook['id']}"
            await owner.browser.get(page)
            replayed = await owner.browser.post_form(f"{page}/replay-failed", {"window": "3600"})
            assert replayed.status_code == 200
            assert "2 failed messages sent again." in replayed.text

            async def both_delivered() -> bool:
                statuses = [m["status"] for m in await messages_of(api, hook["id"])]
                return statuses == ["delivered", "delivered"]

            await wait_until(both_delivered, "both messages delivered when sent again")
    assert len(receiver.received) == 8


async def test_a_member_sees_keys_and_deliveries_but_only_an_owner_changes_them(
    gateway: Gateway, api: ApiClient
) -> None:
    owner = await console_owner(api)
    member_browser = await accept(gateway, await invite_member(owner, "mo@acme.example"))
    member = ConsoleUser(member_browser, api, "mo@acme.example")
    hook = await endpoint(api, "https://hooks.example/in")
    key_id = (await api.call("GET", "/api-keys")).json()["data"][0]["id"]

    seen = await developers(member)
    assert seen.status_code == 200
    assert "Only an owner of your team may change" in seen.text
    assert "Create an API key" not in seen.text and "Revoke" not in seen.text
    assert hook["url"] in seen.text and hook["secret"] not in seen.text
    assert "crowdframe listen --gateway http://127.0.0.1:8000" in seen.text
    kid = secret_kid(api.made.client.signing_secrets[0])
    for path in ("/console/developers/api-keys", f"/console/developers/api-keys/{key_id}/revoke",
                 "/console/developers/signing-secrets",
                 f"/console/developers/signing-secrets/{kid}/delete",
                 "/console/developers/endpoints",
                 f"/console/developers/endpoints/{hook['id']}/rotate-secret",
                 f"/console/developers/endpoints/{hook['id']}/disable"):  # fmt: skip
        answer = await member.browser.post_form(path, {"name": "x", "url": "https://a.example"})
        assert answer.status_code == 403, path
        assert "only an owner of the team may change API keys" in answer.text, path
    assert len((await api.call("GET", "/api-keys")).json()["data"]) == 1
    assert len((await api.call("GET", "/webhook-endpoints")).json()["data"]) == 1
    assert (await api.call("GET", f"/webhook-endpoints/{hook['id']}")).json()["status"] == (
        "enabled"
    )


@ON_BOTH_STORES
async def test_another_clients_keys_endpoints_and_messages_are_not_found_on_every_route(
    gateway: Gateway, api: ApiClient
) -> None:
    mine = await console_owner(api)
    theirs = await gateway.client("globex")
    hook = await endpoint(theirs, "https://hooks.globex.example/in")
    sent = await theirs.call("POST", f"/webhook-endpoints/{hook['id']}/test")
    message_id = sent.json()["message_id"]
    their_key = (await theirs.call("GET", "/api-keys")).json()["data"][0]["id"]
    their_kid = secret_kid(theirs.made.client.signing_secrets[0])
    await theirs.call("POST", "/signing-secrets")  # two: deleting one would be allowed

    await developers(mine)
    gets = [f"/console/developers/endpoints/{hook['id']}",
            f"/console/developers/messages/{message_id}",
            f"/console/developers/messages/{message_id}/attempts"]  # fmt: skip
    posts = [f"/console/developers/endpoints/{hook['id']}/rotate-secret",
             f"/console/developers/endpoints/{hook['id']}/disable",
             f"/console/developers/endpoints/{hook['id']}/enable",
             f"/console/developers/endpoints/{hook['id']}/replay-failed",
             f"/console/developers/messages/{message_id}/replay",
             f"/console/developers/api-keys/{their_key}/revoke",
             f"/console/developers/signing-secrets/{their_kid}/delete"]  # fmt: skip
    for path in gets:
        answer = await mine.browser.get(path)
        assert answer.status_code == 404 and "no such" in answer.text, path
    for path in posts:
        answer = await mine.browser.post_form(path, {"window": "3600"})
        assert answer.status_code == 404, path
        assert re.search(r"no such|no signing secret with this key id", answer.text), path
    overview = await developers(mine)
    assert hook["id"] not in overview.text and their_key not in overview.text
    assert (await theirs.call("GET", f"/webhook-endpoints/{hook['id']}")).json()["status"] == (
        "enabled"
    )
    assert len((await theirs.call("GET", "/signing-secrets")).json()["data"]) == 2
    keys = (await theirs.call("GET", "/api-keys")).json()["data"]
    assert keys[0]["revoked_at"] is None


async def test_no_secret_made_on_the_page_reaches_a_log_line(
    gateway: Gateway, api: ApiClient, caplog: pytest.LogCaptureFixture
) -> None:
    owner = await console_owner(api)
    await developers(owner)
    caplog.set_level(logging.DEBUG)
    key = shown_secret(await owner.browser.post_form("/console/developers/api-keys", {"name": "a"}))
    secret = shown_secret(await owner.browser.post_form("/console/developers/signing-secrets", {}))
    made = await owner.browser.post_form(
        "/console/developers/endpoints", {"url": "https://hooks.example/in"}
    )
    hook_secret = shown_secret(made)
    [hook] = (await api.call("GET", "/webhook-endpoints")).json()["data"]
    rotated = await owner.browser.post_form(
        f"/console/developers/endpoints/{hook['id']}/rotate-secret", {}
    )
    new_hook_secret = shown_secret(rotated)

    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "the requests were logged"
    for shown in (key, secret, hook_secret, new_hook_secret):
        assert shown not in logged
    for answer in (made, rotated):
        assert "location" not in answer.headers, "never in a redirect"


async def test_every_change_needs_the_sessions_csrf_token(gateway: Gateway, api: ApiClient) -> None:
    owner = await console_owner(api)
    await developers(owner)
    answer = await owner.browser.http.post(
        "/console/developers/api-keys", data={"csrf": "forged", "name": "x"}
    )
    assert answer.status_code == 403
    assert len((await api.call("GET", "/api-keys")).json()["data"]) == 1
