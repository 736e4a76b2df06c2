"""Persistence: the ``Store`` protocol and its implementations."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ..settings import Settings
from .base import Page, Store, TaskBatchResult
from .sqlite import SqliteStore

__all__ = ["Page", "SqliteStore", "Store", "TaskBatchResult", "open_store", "opened_store"]

REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


def open_store(url: str, *, sqlite_synchronous: str = "FULL") -> Store:
    """The store a ``CROWDFRAME_STORE`` URL names: ``sqlite:///path/to/file.db`` or
    ``redis://host:port/db`` (``rediss://`` for TLS)."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), synchronous=sqlite_synchronous)
    if url.startswith(REDIS_SCHEMES):
        from .redis import RedisStore  # redis-py is imported only when a Redis store is used

        return RedisStore(url)
    raise ValueError(f"unsupported store URL {url!r} (expected sqlite:///PATH or redis://HOST)")


@asynccontextmanager
async def opened_store(settings: Settings) -> AsyncIterator[Store]:
    """The configured store, open for a command's one piece of work; closed (and synced)
    afterwards."""
    store = open_store(settings.store, sqlite_synchronous=settings.sqlite_synchronous)
    await store.open()
    try:
        yield store
    finally:
        await store.close()
