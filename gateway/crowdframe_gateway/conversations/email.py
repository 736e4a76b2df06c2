"""Email notices: one plain-text message per notice, through the configured SMTP server."""

from __future__ import annotations

import asyncio
import logging
import smtplib
from email.message import EmailMessage

from ..settings import Settings

__all__ = ["send_notice_email"]

log = logging.getLogger("crowdframe.conversations")


def _send(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"] = settings.smtp_from
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        smtp.send_message(message)


async def send_notice_email(settings: Settings, to: str, subject: str, body: str) -> bool:
    """Send one email (off the event loop); a failure is logged, never raised: the notice is in
    the worker's inbox either way."""
    if not settings.smtp_host:
        return False
    try:
        await asyncio.to_thread(_send, settings, to, subject, body)
    except (OSError, smtplib.SMTPException):
        log.warning("could not email a notice (SMTP %s:%d)", settings.smtp_host, settings.smtp_port)
        return False
    return True
