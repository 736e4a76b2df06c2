"""Persistence: the ``Store`` protocol and its implementations."""

from .base import Page, Store, TaskBatchResult
from .sqlite import SqliteStore

__all__ = ["Page", "SqliteStore", "Store", "TaskBatchResult", "open_store"]

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
