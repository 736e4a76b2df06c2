"""Work: the worker's side (what is open, preview, accept, submit, return, the next task), task
tokens, and the lifecycle of assignments in the store.
"""

from .actions import Seat, next_assignment

__all__ = ["Seat", "next_assignment"]
