"""``SqliteStore``: the default store, one SQLite file in WAL mode, zero setup.

Each operation is one short transaction run on the caller's thread (``BEGIN IMMEDIATE``, so
concurrent writers, even in other processes, queue instead of interleaving). There is no
``await`` inside a transaction, which is what makes a claim atomic within the event loop; the
database lock is what makes it atomic across processes.
"""

from __future__ import annotations

from .accounts import AccountsPart
from .assessments import AssessmentsPart
from .catalog import CatalogPart
from .compat import CompatPart
from .credentials import CredentialsPart
from .crowd_review import CrowdReviewPart
from .delivery_log import DeliveryLogPart
from .ledger import LedgerPart
from .live import LivePart
from .outbox import OutboxPart
from .quality import QualityPart
from .work import WorkPart

__all__ = ["SqliteStore"]


# CredentialsPart comes first so that its schema runs after AccountsPart's (schemas run from
# the last base to the first): its migration reads the clients table.
class SqliteStore(
    CredentialsPart,
    AccountsPart,
    CatalogPart,
    WorkPart,
    OutboxPart,
    QualityPart,
    AssessmentsPart,
    LedgerPart,
    CompatPart,
    DeliveryLogPart,
    LivePart,
    CrowdReviewPart,
):
    """The embedded store: every part's operations on one SQLite connection."""
