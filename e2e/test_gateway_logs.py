"""A real gateway process, through a whole flow: its log output never holds a token or secret.

The flow touches every place a credential passes: launch and fresh tokens, a task page linking
back to the gateway with its launch URL (``/work?cf_token=…``, which uvicorn's access log would
print), token verification, server-side submit, API keys and signing secrets made and dropped
with the SDK's blocking ``Client``.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Page, expect

import crowdframe
from flows import sign_up, wait_for_results
from services import World

pytestmark = pytest.mark.e2e


def test_gateway_logs_never_contain_a_token_or_a_secret(page: Page, world: World) -> None:
    sign_up(page, world.gateway.origin, "log.watcher@example.org")
    page.get_by_role("button", name=re.compile("Accept")).first.click()
    src = page.locator("#cf-task-frame").get_attribute("src") or ""
    launch_token = parse_qs(urlsplit(src).query)["cf_token"][0]
    task = page.frame_locator("#cf-task-frame")
    expect(task.get_by_role("button", name="Submit")).to_be_enabled()  # connected
    fresh_token = task.locator("body").evaluate(
        "() => Crowdframe.connect().then((t) => t.getToken())"
    )
    task.get_by_label("Positive").check()
    task.get_by_role("button", name="Submit").click()
    page.wait_for_url(re.compile(r"/work/assignments/"))
    wait_for_results(world, 1)
    # a task page that links back to the gateway with its own launch URL
    page.goto(f"{world.gateway.origin}/work?lang=en&cf_token={launch_token}&cf_mode=work")
    expect(page.get_by_role("heading", name="Available tasks")).to_be_visible()

    made: list[str] = []
    with crowdframe.Client(world.account.api_key, base_url=world.gateway.origin) as api:
        assert api.verify_token(fresh_token).mode == "work"
        with pytest.raises(crowdframe.TokenSignatureError):
            api.verify_token(launch_token[:-4] + "AAAA")
        key = api.create_api_key("rotation drill")
        assert key.key is not None
        made.append(key.key)
        with crowdframe.Client(key.key, base_url=world.gateway.origin) as second:
            second.list_projects()
        api.revoke_api_key(key.id)
        secret = api.create_signing_secret()
        assert secret.secret is not None
        made.append(secret.secret)
        api.delete_signing_secret(secret.kid)
    world.gateway.stop()  # every line flushed

    log = world.gateway.output()
    assert "POST /api/v1/signing-secrets" in log, "the flow was logged"
    assert "cf_token=[redacted]" in log, "the linked-back launch URL was logged, redacted"
    credentials = [
        launch_token,
        fresh_token,
        world.account.api_key,
        world.account.signing_secret,
        *made,
    ]
    for credential in credentials:
        assert credential not in log
    for token in (launch_token, fresh_token):
        payload, _stamp, signature = token.split(".")
        assert payload not in log and signature not in log
