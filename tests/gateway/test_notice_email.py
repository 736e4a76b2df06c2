"""Email notifications through a real SMTP server (aiosmtpd on 127.0.0.1), by the outbox: a
worker with a confirmed address is emailed what their inbox says, unless they opted out of its
kind; an unconfirmed address gets none; without SMTP, the inbox only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness import ApiClient, Browser, Gateway
from smtp_server import Mailbox, free_port, smtp_server

SMTP_PORT = free_port()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    with smtp_server(SMTP_PORT) as box:
        yield box


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"smtp_url": f"smtp://127.0.0.1:{SMTP_PORT}", "smtp_from": "notices@cf.test"}


async def confirm_address(gateway: Gateway, worker: Browser, mailbox: Mailbox) -> None:
    """Open the link of the verification email the worker got after signing up."""
    await gateway.send_emails()
    welcome = mailbox.received.pop()
    assert welcome.subject == "Confirm your email address"
    assert (await worker.get(welcome.link("/verify/"))).status_code == 200


async def test_a_rejected_worker_is_emailed_the_reason_unless_opted_out(
    gateway: Gateway, api: ApiClient, mailbox: Mailbox
) -> None:
    project = await api.project(tasks=2)
    worker, first = await gateway.worker_on(project["id"], email="ada@example.org")
    await confirm_address(gateway, worker, mailbox)
    await worker.submit(first, {"label": "cat"})
    answer = await api.call("POST", f"/assignments/{first}/reject", json={"reason": "blurry"})
    assert answer.status_code == 200
    assert await gateway.send_emails() == 1
    [rejected] = mailbox.received
    assert rejected.to == ["ada@example.org"]
    assert rejected.message["From"] == "notices@cf.test"
    assert rejected.subject == "Work rejected"
    assert "was rejected: blurry" in rejected.text
    assert "http://127.0.0.1:8000/earnings" in rejected.text

    assert "and by email" in (await worker.get("/profile")).text
    kept = ["dispute_answered", "bonus", "message", "qualification"]
    await worker.post_form("/profile/notices", {"notices": kept})
    second = await worker.accept(project["id"])
    await worker.submit(second, {"label": "dog"})
    await api.call("POST", f"/assignments/{second}/reject", json={"reason": "again"})
    bonus = {"amount_cents": 5, "reason": "for the effort"}
    await api.call("POST", f"/assignments/{second}/bonus", json=bonus)
    await gateway.send_emails()
    assert [m.subject for m in mailbox.received] == ["Work rejected", "A bonus paid"]
    assert "You were paid a bonus of $0.05: for the effort" in mailbox.received[1].text


async def test_an_unconfirmed_address_gets_no_notice_email_but_the_inbox_has_it(
    gateway: Gateway, api: ApiClient, mailbox: Mailbox
) -> None:
    project = await api.project(tasks=1)
    worker, first = await gateway.worker_on(project["id"], email="bob@example.org")
    await worker.submit(first, {"label": "cat"})
    await api.call("POST", f"/assignments/{first}/reject", json={"reason": "blurry"})
    await gateway.send_emails()
    assert [m.subject for m in mailbox.received] == ["Confirm your email address"]
    assert 'data-kind="rejected"' in (await worker.get("/inbox")).text


async def test_a_worker_who_chose_german_is_emailed_in_german(
    gateway: Gateway, api: ApiClient, mailbox: Mailbox
) -> None:
    project = await api.project(tasks=1, title="Katzen")
    worker, first = await gateway.worker_on(project["id"], email="eva@example.org")
    await confirm_address(gateway, worker, mailbox)
    await worker.post_form("/language", {"locale": "de", "next": "/work"})
    await worker.submit(first, {"label": "cat"})
    await api.call("POST", f"/assignments/{first}/bonus", json={"amount_cents": 10, "reason": "x"})
    await gateway.send_emails()
    [bonus] = mailbox.received
    assert bonus.subject == "Ein Bonus wurde gezahlt"
    assert "0,10" in bonus.text and "$" in bonus.text
    assert "Im Profil wählen Sie" in bonus.text


async def test_an_smtp_server_that_is_down_costs_the_worker_only_the_email(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)  # no mailbox fixture: nothing listens on SMTP_PORT
    worker, first = await gateway.worker_on(project["id"])
    await worker.submit(first, {"label": "cat"})
    answer = await api.call("POST", f"/assignments/{first}/reject", json={"reason": "blurry"})
    assert answer.status_code == 200
    assert 'data-kind="rejected"' in (await worker.get("/inbox")).text
    assert await gateway.send_emails() == 0
    [waiting] = await gateway.rt.store.list_emails(limit=10)  # the verification email
    assert waiting.status == "pending" and waiting.attempts == 1
    assert waiting.last_error and "Connection" in waiting.last_error
