"""A new worker does real tasks of the sentiment example, end to end, in Debian's Chromium."""

from __future__ import annotations

import dataclasses
import json
import re
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Page, expect
from standardwebhooks.webhooks import Webhook as ReferenceWebhook

import crowdframe
from crowdframe._token import sign_task_token
from flows import expect_the_next_task, sentiment_offer, sign_up, wait_for_results
from services import World

pytestmark = pytest.mark.e2e


def test_a_new_worker_does_a_task_and_the_client_receives_a_verified_webhook(
    page: Page, world: World
) -> None:
    offer = sentiment_offer(page, world, "new.worker@example.org")
    expect(offer).to_contain_text("$0.10")
    offer.get_by_role("button", name=re.compile("Accept")).click()

    # the client's page, from another origin (and site) than the gateway, inside the frame
    frame_element = page.locator("#cf-task-frame")
    src = frame_element.get_attribute("src") or ""
    assert src.startswith(world.example.origin + "/task?")
    assert urlsplit(world.example.origin).hostname != urlsplit(world.gateway.origin).hostname
    first_assignment = page.url.rsplit("/", 1)[1]
    task = page.frame_locator("#cf-task-frame")
    text = task.locator("blockquote, .review, #review").first
    expect(text).not_to_be_empty()
    review_text = text.inner_text()
    submit = task.get_by_role("button", name="Submit")
    expect(submit).to_be_enabled()  # the widget connected: the handshake is done
    task.get_by_label("Positive").check()
    submit.click()

    # straight on to the next task: a new assignment, a different text
    expect_the_next_task(page, first_assignment)
    next_text = page.frame_locator("#cf-task-frame").locator("blockquote, .review, #review").first
    expect(next_text).not_to_have_text(review_text)

    # the client received the submission by webhook, verified with its SDK ...
    seen = wait_for_results(world, 1)
    result = seen["results"][0]
    assert result["sentiment"] == "positive"
    # ... and the reference Standard Webhooks library accepts the very same bytes
    secret = world.example_webhook_secret()
    for delivery in seen["deliveries"]:
        headers = delivery["headers"]
        body = delivery["body"]
        assert isinstance(headers, dict) and isinstance(body, str)
        ReferenceWebhook(secret).verify(body, headers)
        crowdframe.Webhook(secret).verify(headers, body)
    submitted = [json.loads(str(d["body"])) for d in seen["deliveries"]]
    assert any(
        event["type"] == "assignment.submitted"
        and event["data"]["assignment_id"] == first_assignment
        and event["data"]["result"]["sentiment"] == "positive"
        for event in submitted
    )


def test_tampered_expired_and_other_assignment_tokens_are_refused(page: Page, world: World) -> None:
    sign_up(page, world.gateway.origin, "token.tester@example.org")
    page.get_by_role("button", name=re.compile("Accept")).first.click()
    src = page.locator("#cf-task-frame").get_attribute("src") or ""
    token = parse_qs(urlsplit(src).query)["cf_token"][0]
    aid = page.url.rsplit("/", 1)[1]
    secret = world.account.signing_secret
    audience = world.example.origin
    claims = crowdframe.verify_task_token(token, secret, audience=audience)
    assert claims.aid == aid and claims.mode == "work"

    payload, rest = token.split(".", 1)
    tampered = payload[:-3] + ("x" if payload[-3] != "x" else "y") + payload[-2:] + "." + rest
    expired = sign_task_token(
        dataclasses.replace(claims, iat=claims.iat - 900, exp=claims.iat - 600), [secret]
    )
    other = sign_task_token(dataclasses.replace(claims, aid="asg_someone_else"), [secret])
    with pytest.raises(crowdframe.TokenSignatureError):
        crowdframe.verify_task_token(tampered, secret, audience=audience)
    with pytest.raises(crowdframe.TokenExpiredError):
        crowdframe.verify_task_token(expired, secret, audience=audience)
    with pytest.raises(crowdframe.TokenAudienceError):
        crowdframe.verify_task_token(token, secret, audience="http://localhost:1")

    api = crowdframe.Client(world.account.api_key, base_url=world.gateway.origin)
    with api:
        for bad, code in (
            (tampered, "token_signature"),
            (expired, "token_expired"),
            (other, "token_assignment"),
        ):
            with pytest.raises(crowdframe.ValidationError) as refused:
                api.submit(aid, bad, {"sentiment": "negative"})
            assert refused.value.code == code
        assert api.get_assignment(aid).status == "accepted", "nothing changed"
        done = api.submit(aid, token, {"sentiment": "neutral"})
        assert done.status == "submitted"
        with pytest.raises(crowdframe.ConflictError):
            api.submit(aid, token, {"sentiment": "negative"})
        assert api.get_assignment(aid).result == {"sentiment": "neutral"}
    assert httpx.get(world.gateway.origin + "/signin").status_code == 200
