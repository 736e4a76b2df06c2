"""Review: a review decision whoever makes it (the client, the crowd), the client's side of
assignments and of their answers (filtered, reviewed a page at a time, each worker's record),
bonuses, what projects cost, and crowd review as a workflow.
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
