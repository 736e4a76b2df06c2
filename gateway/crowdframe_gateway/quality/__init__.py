"""Quality: the process around each submission (gold, signals, blocks) and assessments
(qualification tests that unlock projects).
"""

from .assessments import Step, claim_question, missing_qualifications, steps
from .process import record_submission, serve_gold
from .rules import ALL_PROJECTS

__all__ = [
    "ALL_PROJECTS",
    "Step",
    "claim_question",
    "missing_qualifications",
    "record_submission",
    "serve_gold",
    "steps",
]
