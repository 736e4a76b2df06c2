"""``RedisStore``: one Redis shared by any number of gateway processes.

Each atomic operation is one Lua script over one partition (a project or a client: one hash
tag, one Cluster slot); events and outbox messages are written by the same script as the change
they announce. Pub/sub wakes every process's delivery loop. ``keys`` holds the layout and
docs/deployment.md explains it, with the few operations that cross partitions.
"""

from __future__ import annotations

from .accounts import AccountsPart
from .assessments import AssessmentsPart
from .compat import CompatPart
from .crowd_review import CrowdReviewPart
from .delivery_log import DeliveryLogPart
from .hits import HitsPart
from .keyring import KeyringPart
from .ledger import LedgerPart
from .live import LivePart
from .outbox import OutboxPart
from .quality import QualityPart
from .review import ReviewPart

__all__ = ["RedisStore"]


class RedisStore(
    AccountsPart,
    CompatPart,
    ReviewPart,
    OutboxPart,
    QualityPart,
    AssessmentsPart,
    LedgerPart,
    HitsPart,
    KeyringPart,
    DeliveryLogPart,
    LivePart,
    CrowdReviewPart,
):
    """The shared store: every part's operations on one Redis (``redis://host:port/db``)."""
