"""Persistence: the ``Store`` protocol and its implementations."""

from .base import Page, Store, TaskBatchResult
from .sqlite import SqliteStore

__all__ = ["Page", "SqliteStore", "Store", "TaskBatchResult", "open_store"]


def open_store(url: str, *, sqlite_synchronous: str = "FULL") -> Store:
    """The store a ``CROWDFRAME_STORE`` URL names: ``sqlite:///path/to/file.db``."""
    if url.startswith("sqlite:///"):
        return SqliteStore(url.removeprefix("sqlite:///"), synchronous=sqlite_synchronous)
    raise ValueError(f"unsupported store URL {url!r} (expected sqlite:///PATH)")
