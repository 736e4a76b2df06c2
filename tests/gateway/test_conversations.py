"""Clients and workers talk: a rejection's reason on /earnings and in the inbox, a dispute
once and its answer, messages to workers and their replies, mutes, rate limits, notices."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest
import time_machine

from crowdframe_gateway.conversations import report_overdue
from crowdframe_gateway.core.records import now
from harness import ON_BOTH_STORES, ApiClient, Browser, Gateway

pytestmark = ON_BOTH_STORES

DAY = 86_400.0


async def ok(answer: httpx.Response, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json()


async def rejected_work(
    gateway: Gateway,
    api: ApiClient,
    reason: str = "REASON-XYZ-123",
    email: str = "worker@example.org",
) -> tuple[Browser, str]:
    project = await api.project(reward_cents=30, tasks=1)
    worker, assignment_id = await gateway.worker_on(project["id"], email=email)
    await worker.submit(assignment_id, {"label": "cat"})
    await ok(
        await api.call("POST", f"/assignments/{assignment_id}/reject", json={"reason": reason})
    )
    return worker, assignment_id


async def dispute(worker: Browser, assignment_id: str, message: str) -> httpx.Response:
    await worker.get("/earnings")
    return await worker.http.post(
        f"/earnings/assignments/{assignment_id}/dispute",
        json={"message": message},
        headers={"x-csrf-token": worker.csrf},
    )


async def test_the_worker_reads_why_their_work_was_rejected(
    gateway: Gateway, api: ApiClient
) -> None:
    worker, _ = await rejected_work(gateway, api, reason="<b>REASON-XYZ-123</b>")
    earnings = await worker.get("/earnings")
    assert "&lt;b&gt;REASON-XYZ-123&lt;/b&gt;" in earnings.text, "the reason, as text"
    inbox = await worker.get("/inbox")
    assert 'data-kind="rejected"' in inbox.text
    assert "was rejected: &lt;b&gt;REASON-XYZ-123" in inbox.text


async def test_a_dispute_is_opened_once_and_the_client_overturns_it(
    gateway: Gateway, api: ApiClient
) -> None:
    worker, assignment_id = await rejected_work(gateway, api)
    first = await dispute(worker, assignment_id, "I did label it <script>x</script>")
    assert first.status_code == 201, first.text
    dispute_id = first.json()["id"]
    second = await dispute(worker, assignment_id, "again")
    assert second.status_code == 409
    error = second.json()["error"]
    assert error["code"] == "already_disputed" and dispute_id in error["message"]

    listed = await ok(await api.call("GET", "/disputes", params={"status": "open"}))
    assert [d["id"] for d in listed["data"]] == [dispute_id]
    assert listed["data"][0]["reject_reason"] == "REASON-XYZ-123"
    [event] = await api.events("assignment.disputed")
    assert event["message"] == "I did label it <script>x</script>"
    assert event["assignment_id"] == assignment_id and event["worker_id"].startswith("wkr_")

    overturned = await ok(await api.call("POST", f"/disputes/{dispute_id}/overturn"))
    assert overturned["status"] == "overturned"
    assert overturned["assignment"]["status"] == "approved"
    again = await ok(await api.call("POST", f"/disputes/{dispute_id}/overturn"))
    assert again["assignment"]["status"] == "approved"
    approvals = await api.events("assignment.approved")
    assert [(e["overturned"], e["dispute_id"]) for e in approvals] == [(True, dispute_id)]
    earnings = await worker.get("/earnings")
    assert re.findall(r'data-currency="USD">\$([0-9.]+)<', earnings.text) == ["0.30"]
    assert "Your dispute was accepted" in earnings.text
    upheld = await api.call("POST", f"/disputes/{dispute_id}/uphold", json={"reply": "no"})
    assert upheld.status_code == 409 and upheld.json()["error"]["code"] == "dispute_answered"
    assert 'data-kind="dispute_answered"' in (await worker.get("/inbox")).text


async def test_an_upheld_dispute_shows_the_clients_reply(gateway: Gateway, api: ApiClient) -> None:
    worker, assignment_id = await rejected_work(gateway, api)
    dispute_id = (await ok(await dispute(worker, assignment_id, "please look again"), 201))["id"]
    missing = await api.call("POST", f"/disputes/{dispute_id}/uphold", json={})
    assert missing.status_code == 422
    await ok(await api.call("POST", f"/disputes/{dispute_id}/uphold", json={"reply": "Off-topic"}))
    earnings = await worker.get("/earnings")
    assert "Your dispute was upheld" in earnings.text and "Off-topic" in earnings.text
    assert re.findall(r'data-currency="USD">\$([0-9.]+)<', earnings.text) == []
    other = await gateway.client("other")
    assert (await other.call("GET", f"/disputes/{dispute_id}")).status_code == 404


async def test_a_dispute_window_closes_and_an_unanswered_dispute_is_reported(
    gateway: Gateway, api: ApiClient
) -> None:
    window = gateway.rt.settings.dispute_window
    assert window == 14 * DAY, "the platform's default"
    project = await api.project(tasks=1)
    worker, late = await gateway.worker_on(project["id"])
    await worker.submit(late, {"label": "cat"})
    with time_machine.travel(now() - window - 60, tick=False):  # rejected 14 days ago
        await ok(await api.call("POST", f"/assignments/{late}/reject", json={"reason": "no"}))
    closed = await dispute(worker, late, "too late?")
    assert closed.status_code == 409
    assert closed.json()["error"]["code"] == "dispute_window_closed"

    worker2, assignment_id = await rejected_work(gateway, api, email="two@example.org")
    dispute_id = (await ok(await dispute(worker2, assignment_id, "please"), 201))["id"]
    assert await report_overdue(gateway.rt.store, at=now() + window - 60) == []
    reported = await report_overdue(gateway.rt.store, at=now() + window + 60)
    assert [d.id for d in reported] == [dispute_id]
    again = await report_overdue(gateway.rt.store, at=now() + window + 120)
    assert [d.id for d in again] == [dispute_id], "listed until answered"
    events = await api.events("dispute.overdue")
    assert [e["dispute_id"] for e in events] == [dispute_id], "an event once"


async def test_a_client_writes_to_a_projects_workers_who_reply(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=3)
    alice, a1 = await gateway.worker_on(project["id"])
    bob = await gateway.worker("bob@example.org")
    await bob.accept(project["id"])
    await alice.submit(a1, {"label": "cat"})
    sent = await ok(
        await api.call(
            "POST",
            "/messages",
            json={
                "project_id": project["id"],
                "subject": "A question",
                "body": "Hello <script>alert(1)</script>",
            },
        ),
        201,
    )
    assert len(sent["data"]) == 2
    assert all("@" not in str(t) for t in sent["data"]), "no email ever leaves"
    threads = []
    for worker in (alice, bob):
        inbox = await worker.get("/inbox")
        thread_id = re.search(r'href="/inbox/threads/([^"]+)"', inbox.text).group(1)  # type: ignore[union-attr]
        page = await worker.get(f"/inbox/threads/{thread_id}")
        assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;" in page.text
        assert "<script>alert(1)" not in page.text
        threads.append(thread_id)
    thread_id = threads[0]
    await alice.get(f"/inbox/threads/{thread_id}")
    replied = await alice.post_form(f"/inbox/threads/{thread_id}/reply", {"body": "Sure!"})
    assert replied.status_code == 303
    replies = await ok(await api.call("GET", "/messages", params={"author": "worker"}))
    assert [m["body"] for m in replies["data"]] == ["Sure!"]
    [event] = await api.events("message.received")
    assert event["body"] == "Sure!" and event["thread_id"] == thread_id
    thread = await ok(await api.call("GET", f"/threads/{thread_id}"))
    assert [m["author"] for m in thread["messages"]] == ["client", "worker"]


async def test_a_worker_written_to_by_pseudonym_can_mute_the_client(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)
    worker, assignment_id = await gateway.worker_on(project["id"])
    pseudonym = (await ok(await api.call("GET", f"/assignments/{assignment_id}")))["worker_id"]
    body = {"worker_ids": [pseudonym], "subject": "Hi", "body": "One"}
    [thread] = (await ok(await api.call("POST", "/messages", json=body), 201))["data"]
    assert thread["worker_id"] == pseudonym
    await worker.get(f"/inbox/threads/{thread['id']}")
    await worker.post_form(f"/inbox/threads/{thread['id']}/mute", {"muted": "1"})
    muted = await ok(await api.call("POST", "/messages", json=body), 201)
    assert muted["data"] == [], "a muted client reaches nobody"
    refused = await api.call("POST", f"/threads/{thread['id']}/messages", json={"body": "x"})
    assert refused.status_code == 403
    unknown = {**body, "worker_ids": ["wkr_nobody"]}
    assert (await api.call("POST", "/messages", json=unknown)).status_code == 404


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    """A client of these tests sends two messages in ten minutes at most, and a worker writes
    as many replies."""
    return {"messages_per_window": 2, "replies_per_window": 2, "message_window": 600.0}


async def test_a_client_sending_too_much_is_told_when_to_try_again(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)
    await gateway.worker_on(project["id"])
    body = {"project_id": project["id"], "subject": "Hi", "body": "x"}
    for _ in range(2):
        await ok(await api.call("POST", "/messages", json=body), 201)
    limited = await api.call("POST", "/messages", json=body)
    assert limited.status_code == 429
    assert limited.json()["error"]["code"] == "rate_limited"
    assert 0 < int(limited.headers["retry-after"]) <= 600


async def test_a_worker_replying_too_much_is_told_in_a_sentence_and_nothing_is_sent(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)
    worker, _ = await gateway.worker_on(project["id"])
    body = {"project_id": project["id"], "subject": "Hi", "body": "x"}
    [thread] = (await ok(await api.call("POST", "/messages", json=body), 201))["data"]
    path = f"/inbox/threads/{thread['id']}"
    await worker.get(path)
    for n in range(2):
        assert (await worker.post_form(f"{path}/reply", {"body": f"r{n}"})).status_code == 303
    limited = await worker.post_form(f"{path}/reply", {"body": "one too many"})
    assert limited.status_code == 429
    assert "Please wait 10 minutes before the next one." in limited.text
    assert "Traceback" not in limited.text
    replies = await ok(await api.call("GET", "/messages", params={"author": "worker"}))
    assert sorted(m["body"] for m in replies["data"]) == ["r0", "r1"]


async def test_a_worker_chooses_which_notices_they_get(gateway: Gateway, api: ApiClient) -> None:
    project = await api.project(tasks=2)
    worker, first = await gateway.worker_on(project["id"])
    await worker.submit(first, {"label": "cat"})
    await worker.get("/profile")
    kept = [k for k in ("rejected", "dispute_answered", "message", "qualification")]
    saved = await worker.post_form("/profile/notices", {"notices": kept})
    assert saved.status_code == 303
    profile = await worker.get("/profile")
    assert re.search(r'value="bonus"\s*>', profile.text), "bonus unticked"
    bonus = {"amount_cents": 10, "reason": "thanks"}
    await ok(await api.call("POST", f"/assignments/{first}/bonus", json=bonus), 201)
    await ok(await api.call("POST", f"/assignments/{first}/reject", json={"reason": "no"}))
    inbox = await worker.get("/inbox")
    assert 'data-kind="rejected"' in inbox.text and 'data-kind="bonus"' not in inbox.text
