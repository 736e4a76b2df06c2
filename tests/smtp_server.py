"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the tests that send email, and reading what
it received: who to, the headers, the text, the links in it."""

from __future__ import annotations

import asyncio
import email
import email.policy
import re
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import Message

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    to: list[str]
    message: Message

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def text(self) -> str:
        payload = self.message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        return payload.decode(self.message.get_content_charset() or "utf-8")

    def link(self, path: str) -> str:
        """The path (with its token) of the first link in the text that goes to ``path``."""
        found = re.search(r"https?://[^/\s]+(" + re.escape(path) + r"[^\s]*)", self.text)
        assert found, f"no link to {path} in:\n{self.text}"
        return found.group(1)


@dataclass
class Mailbox:
    """What the server received; ``refuse`` makes it answer each message with that reply
    (``"451 try later"``, ``"550 no such user"``) instead of ``250 OK``."""

    port: int = 0
    received: list[Received] = field(default_factory=list)
    refuse: str | None = None
    arrived: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse is not None:
            return self.refuse
        raw = envelope.content if isinstance(envelope.content, bytes) else b""
        with self.arrived:
            self.received.append(
                Received(
                    list(envelope.rcpt_tos),
                    email.message_from_bytes(raw, policy=email.policy.default),
                )
            )
            self.arrived.notify_all()
        return "250 OK"

    def wait(self, count: int, within: float = 20.0) -> list[Received]:
        """The first ``count`` emails, once they arrived (a gateway process sends them)."""
        with self.arrived:
            arrived = self.arrived.wait_for(lambda: len(self.received) >= count, within)
        assert arrived, f"{len(self.received)} of {count} emails arrived"
        return self.received[:count]

    async def wait_for(self, count: int, within: float = 20.0) -> list[Received]:
        """``wait``, without blocking the event loop (an in-process gateway sends them)."""
        return await asyncio.to_thread(self.wait, count, within)


@contextmanager
def smtp_server(port: int) -> Iterator[Mailbox]:
    box = Mailbox(port=port)
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()
