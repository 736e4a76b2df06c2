"""``SqliteStore``: the default store, one SQLite file in WAL mode, zero setup.

Each operation is one short transaction run on the caller's thread (``BEGIN IMMEDIATE``, so
concurrent writers, even in other processes, queue instead of interleaving). There is no
``await`` inside a transaction, which is what makes a claim atomic within the event loop; the
database lock is what makes it atomic across processes.
"""

from __future__ import annotations

from .accounts import AccountsPart
from .catalog import CatalogPart
from .delivery_log import DeliveryLogPart
from .live import LivePart
from .outbox import OutboxPart
from .work import WorkPart

__all__ = ["SqliteStore"]


class SqliteStore(AccountsPart, CatalogPart, WorkPart, OutboxPart, DeliveryLogPart, LivePart):
    """The embedded store: every part's operations on one SQLite connection."""
