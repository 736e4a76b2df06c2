"""Mail: the outbox of emails to workers and the loop that sends them through SMTP.

Every email the gateway writes (account links, notices) is queued here first, in the store, and
sent by the delivery loop (``delivery.py``) with retries, so a restart or an SMTP server that
is down for a while loses none. Other contexts use ``queue_email`` and ``mail_enabled``.
"""

from .outbox import mail_enabled, queue_email
from .records import Email

__all__ = ["Email", "mail_enabled", "queue_email"]
