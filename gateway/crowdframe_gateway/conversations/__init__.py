"""Conversations: what clients and workers say to each other. Rejections the worker
understands, disputes of a rejection and their answers, messages in threads, and the notices
that tell a worker what happened to their work.
"""

from .disputes import open_dispute, overturn, overturn_rejection, report_overdue, uphold
from .messages import Letter, known_workers, write_to_workers
from .notices import tell_bonus, tell_qualified, tell_rejected
from .records import NOTICE_KINDS, Dispute, Notice, Thread, ThreadMessage
from .rules import reason_text

__all__ = [
    "NOTICE_KINDS",
    "Dispute",
    "Letter",
    "Notice",
    "Thread",
    "ThreadMessage",
    "known_workers",
    "open_dispute",
    "overturn",
    "overturn_rejection",
    "reason_text",
    "report_overdue",
    "tell_bonus",
    "tell_qualified",
    "tell_rejected",
    "uphold",
    "write_to_workers",
]
