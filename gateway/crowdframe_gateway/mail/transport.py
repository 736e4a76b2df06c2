"""Where emails go: an SMTP server (``CROWDFRAME_SMTP_URL``), or the terminal (``terminal:``,
what ``crowdframe demo`` uses: each email is printed where the demo runs, no mail server needed).

``smtp://[user:password@]host[:port]`` sends in the clear (port 25 by default: a relay on the
same host or network), ``smtp+starttls://`` upgrades with STARTTLS before anything else (587),
``smtps://`` speaks TLS from the start (465). A user and password in the URL log in (percent-
encode ``@``, ``:`` and ``/`` in them).
"""

from __future__ import annotations

import smtplib
import ssl
import sys
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol, TextIO
from urllib.parse import unquote, urlsplit

from .records import Email

__all__ = [
    "SMTP_SCHEMES",
    "SendFailed",
    "Sink",
    "SmtpServer",
    "SmtpSink",
    "TerminalSink",
    "parse_smtp_url",
    "sink_for",
]

SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
TERMINAL = "terminal:"
SMTP_TIMEOUT = 10.0


class SendFailed(Exception):
    """An attempt that did not hand the email over; ``smtp_code`` is the server's reply code
    when it answered (5xx: refused for good), None when it could not be reached."""

    def __init__(self, message: str, smtp_code: int | None = None) -> None:
        super().__init__(message)
        self.smtp_code = smtp_code


class Sink(Protocol):
    def send(self, email: Email, sender: str) -> None:
        """Hand ``email`` over (blocking: called in a thread); ``SendFailed`` if not."""
        ...


@dataclass(frozen=True, slots=True)
class SmtpServer:
    scheme: str
    host: str
    port: int
    user: str = ""
    password: str = ""


def parse_smtp_url(url: str) -> SmtpServer:
    """The server a ``CROWDFRAME_SMTP_URL`` names; ``ValueError`` (saying why) if it names none."""
    parts = urlsplit(url)
    if parts.scheme not in SMTP_SCHEMES:
        raise ValueError(
            "CROWDFRAME_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://"
        )
    try:
        port = parts.port or SMTP_SCHEMES[parts.scheme]
    except ValueError:
        raise ValueError("CROWDFRAME_SMTP_URL has a port that is not a number") from None
    if not parts.hostname:
        raise ValueError("CROWDFRAME_SMTP_URL names no host, as in smtp://mail.example.org")
    return SmtpServer(
        parts.scheme,
        parts.hostname,
        port,
        unquote(parts.username or ""),
        unquote(parts.password or ""),
    )


def message_of(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Date"] = formatdate(email.created_at, usegmt=True)
    # the outbox's id in the Message-ID: a retry after a lost answer repeats the same one, so a
    # receiving system can tell the repeat
    message["Message-ID"] = make_msgid(idstring=email.id.replace("_", ""), domain="crowdframe")
    message.set_content(email.body)
    return message


class SmtpSink:
    def __init__(self, server: SmtpServer) -> None:
        self.server = server

    def send(self, email: Email, sender: str) -> None:
        server = self.server
        try:
            smtp: smtplib.SMTP
            if server.scheme == "smtps":
                context = ssl.create_default_context()
                smtp = smtplib.SMTP_SSL(
                    server.host, server.port, timeout=SMTP_TIMEOUT, context=context
                )
            else:
                smtp = smtplib.SMTP(server.host, server.port, timeout=SMTP_TIMEOUT)
            with smtp:
                if server.scheme == "smtp+starttls":
                    smtp.starttls(context=ssl.create_default_context())
                if server.user:
                    smtp.login(server.user, server.password)
                smtp.send_message(message_of(email, sender))
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise SendFailed(
                f"recipient refused ({codes[0] if codes else '?'})", min(codes or [550])
            ) from None
        except smtplib.SMTPResponseException as exc:
            said = (
                exc.smtp_error.decode("utf-8", "replace")
                if isinstance(exc.smtp_error, bytes)
                else str(exc.smtp_error)
            )
            raise SendFailed(f"{exc.smtp_code} {said}"[:500], exc.smtp_code) from None
        except (OSError, smtplib.SMTPException) as exc:
            raise SendFailed(f"{type(exc).__name__}: {exc}"[:500]) from None


class TerminalSink:
    """Prints each email (the demo's mailbox): nothing leaves the machine."""

    def __init__(self, out: TextIO | None = None) -> None:
        self.out = out

    def send(self, email: Email, sender: str) -> None:
        rule = "-" * 64
        text = "\n".join(
            [rule, f"Email to {email.to} (from {sender})", f"Subject: {email.subject}", "",
             email.body.rstrip(), rule]
        )  # fmt: skip
        print(text, file=self.out or sys.stdout, flush=True)


def sink_for(url: str) -> Sink | None:
    """The sink a ``CROWDFRAME_SMTP_URL`` names; None for none (mail is off)."""
    if not url:
        return None
    if url == TERMINAL:
        return TerminalSink()
    return SmtpSink(parse_smtp_url(url))
