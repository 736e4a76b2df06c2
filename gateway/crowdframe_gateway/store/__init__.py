"""Persistence plumbing: what both backends' parts build on (connections, transactions,
scripts, the key layout, codecs). The protocol each context needs is in that context's
``store`` module; ``runtime.Store`` is their union."""

from .base import StoreLifecycle

__all__ = ["StoreLifecycle"]
