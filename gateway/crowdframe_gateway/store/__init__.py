"""Persistence plumbing: the ``Store`` protocol, and what both backends' parts build on."""

from .base import Page, Store, TaskBatchResult

__all__ = ["Page", "Store", "TaskBatchResult"]
