"""``RedisStore``: one Redis shared by any number of gateway processes.

Each atomic operation is one Lua script over one partition (a project or a client: one hash
tag, one Cluster slot); events and outbox messages are written by the same script as the change
they announce. Pub/sub wakes every process's delivery loop. ``keys`` holds the layout and
docs/deployment.md explains it, with the few operations that cross partitions.
"""

from __future__ import annotations

from .catalog.redis import DraftsPart
from .conversations.redis import ConversationsPart
from .identity.redis import AccountLinksPart, AccountsPart, ClientUsersPart, KeyringPart
from .ledger.redis import LedgerPart
from .mail.redis import MailPart
from .mturk.redis import CompatPart, HitsPart
from .quality.redis import AssessmentsPart, QualityPart
from .review.redis import CrowdReviewPart, ProgressPart
from .store.metered import Metered
from .webhooks.redis.live import LivePart
from .webhooks.redis.log import DeliveryLogPart
from .webhooks.redis.outbox import OutboxPart
from .work.redis import WorkPart

__all__ = ["RedisStore"]


class RedisStore(
    Metered,
    AccountsPart,
    CompatPart,
    WorkPart,
    OutboxPart,
    QualityPart,
    AssessmentsPart,
    LedgerPart,
    HitsPart,
    KeyringPart,
    DeliveryLogPart,
    LivePart,
    CrowdReviewPart,
    ConversationsPart,
    ClientUsersPart,
    ProgressPart,
    DraftsPart,
    AccountLinksPart,
    MailPart,
):
    """The shared store: every part's operations on one Redis (``redis://host:port/db``)."""
