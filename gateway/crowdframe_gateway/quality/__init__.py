"""Quality: the process around each submission (gold, signals, blocks) and assessments
(qualification tests that unlock projects).
"""

from .assessments import Step, claim_question, missing_qualifications, steps
from .process import record_submission, serve_gold
from .rules import ALL_PROJECTS, approval_due_at

__all__ = [
    "ALL_PROJECTS",
    "Step",
    "approval_due_at",
    "claim_question",
    "missing_qualifications",
    "record_submission",
    "serve_gold",
    "steps",
]
