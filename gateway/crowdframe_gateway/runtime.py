"""The composition root: the stores every context's parts make up, and what every request
handler and background loop shares (settings, store, token issuer).

``SqliteStore`` runs each operation as one short transaction on the caller's thread (``BEGIN
IMMEDIATE``, so concurrent writers, even in other processes, queue instead of interleaving).
There is no ``await`` inside a transaction, which is what makes a claim atomic within the event
loop; the database lock is what makes it atomic across processes. ``RedisStore`` (in
``redis_store``, imported only when a Redis store is used) shares one Redis between any number
of gateway processes.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Protocol

from .catalog.sqlite import CatalogPart, DraftsPart
from .catalog.store import CatalogStore, DraftsStore
from .conversations.sqlite import ConversationsPart
from .conversations.store import ConversationsStore
from .identity.sqlite import AccountLinksPart, AccountsPart, ClientUsersPart, CredentialsPart
from .identity.store import IdentityStore
from .ledger.sqlite import LedgerPart
from .ledger.store import LedgerStore
from .mail.sqlite import MailPart
from .mail.store import MailStore
from .mturk.sqlite import CompatPart
from .mturk.store import MTurkStore
from .quality.sqlite import AssessmentsPart, QualityPart
from .quality.store import QualityStore
from .review.sqlite import CrowdReviewPart, ProgressPart
from .review.store import ReviewStore
from .settings import Settings
from .store.base import StoreLifecycle
from .store.metered import Metered
from .webhooks.sqlite.live import LivePart
from .webhooks.sqlite.log import DeliveryLogPart
from .webhooks.sqlite.outbox import OutboxPart
from .webhooks.store import WebhookStore
from .work.sqlite import WorkPart
from .work.store import WorkStore
from .work.tokens import TokenIssuer

__all__ = ["Runtime", "SqliteStore", "Store", "open_store", "opened_store"]

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


class Store(
    StoreLifecycle,
    IdentityStore,
    CatalogStore,
    WorkStore,
    ReviewStore,
    QualityStore,
    LedgerStore,
    WebhookStore,
    MTurkStore,
    ConversationsStore,
    DraftsStore,
    MailStore,
    Protocol,
):
    """The whole store: the union of every context's part, as both backends implement it.

    Every state change that clients hear about writes its event, and one outbox message per
    subscribed endpoint, in the same transaction as the change itself."""


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    store: Store
    tokens: TokenIssuer
    secret_key: str


# CredentialsPart comes first so that its schema runs after AccountsPart's (schemas run from
# the last base to the first): its migration reads the clients table.
class SqliteStore(
    Metered,
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
    ConversationsPart,
    ClientUsersPart,
    ProgressPart,
    DraftsPart,
    AccountLinksPart,
    MailPart,
):
    """The embedded store: every part's operations on one SQLite connection."""


def open_store(url: str, *, sqlite_synchronous: str = "FULL", wait: float = 5.0) -> Store:
    """The store a ``CROWDFRAME_STORE`` URL names: ``sqlite:///path/to/file.db`` or
    ``redis://host:port/db`` (``rediss://`` for TLS); ``wait``: how long a Redis command waits
    for a lost server (``CROWDFRAME_STORE_WAIT``)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), synchronous=sqlite_synchronous)
    if url.startswith(REDIS_SCHEMES):
        from .redis_store import RedisStore  # redis-py is imported only when a Redis store is used

        return RedisStore(url, wait=wait)
    raise ValueError(f"unsupported store URL {url!r} (expected sqlite:///PATH or redis://HOST)")


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[Store]:
    """The configured store, open for a command's one piece of work; closed (and synced)
    afterwards."""
    store = open_store(
        settings.store, sqlite_synchronous=settings.sqlite_synchronous, wait=settings.store_wait
    )
    await store.open()
    try:
        yield store
    finally:
        await store.close()
