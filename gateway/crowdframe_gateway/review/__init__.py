"""Review: a review decision whoever makes it (the client, the crowd), the client's side of
assignments, and crowd review as a workflow.
"""

from .assignments import approve, owned_assignment, reject, reject_because
from .decisions import after_decision
from .verdicts import after_review, after_submission

__all__ = [
    "after_decision",
    "after_review",
    "after_submission",
    "approve",
    "owned_assignment",
    "reject",
    "reject_because",
]
