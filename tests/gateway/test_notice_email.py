"""Email notifications through a real SMTP server (aiosmtpd on 127.0.0.1): a worker is emailed
what their inbox says, unless they opted out of its kind; without SMTP, the inbox only."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from harness import ApiClient, Gateway


class Mailbox:
    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        self.received.append((list(envelope.rcpt_tos), email.message_from_bytes(raw)))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


SMTP_PORT = free_port()


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=SMTP_PORT)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"smtp_host": "127.0.0.1", "smtp_port": SMTP_PORT, "smtp_from": "notices@cf.test"}


async def test_a_rejected_worker_is_emailed_the_reason_unless_opted_out(
    gateway: Gateway, api: ApiClient, mailbox: Mailbox
) -> None:
    project = await api.project(tasks=2)
    worker, first = await gateway.worker_on(project["id"], email="ada@example.org")
    await worker.submit(first, {"label": "cat"})
    answer = await api.call("POST", f"/assignments/{first}/reject", json={"reason": "blurry"})
    assert answer.status_code == 200
    [(to, message)] = mailbox.received
    assert to == ["ada@example.org"]
    assert message["From"] == "notices@cf.test"
    assert message["Subject"] == "Work rejected"
    text = message.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert "was rejected: blurry" in text and "http://127.0.0.1:8000/earnings" in text

    await worker.get("/profile")
    assert "and by email" in (await worker.get("/profile")).text
    kept = ["dispute_answered", "bonus", "message", "qualification"]
    await worker.post_form("/profile/notices", {"notices": kept})
    second = await worker.accept(project["id"])
    await worker.submit(second, {"label": "dog"})
    await api.call("POST", f"/assignments/{second}/reject", json={"reason": "again"})
    bonus = {"amount_cents": 5, "reason": "for the effort"}
    await api.call("POST", f"/assignments/{second}/bonus", json=bonus)
    assert [m["Subject"] for _, m in mailbox.received] == ["Work rejected", "A bonus paid"]


async def test_an_smtp_server_that_is_down_costs_the_worker_only_the_email(
    gateway: Gateway, api: ApiClient
) -> None:
    project = await api.project(tasks=1)  # no mailbox fixture: nothing listens on SMTP_PORT
    worker, first = await gateway.worker_on(project["id"])
    await worker.submit(first, {"label": "cat"})
    answer = await api.call("POST", f"/assignments/{first}/reject", json={"reason": "blurry"})
    assert answer.status_code == 200
    assert 'data-kind="rejected"' in (await worker.get("/inbox")).text
