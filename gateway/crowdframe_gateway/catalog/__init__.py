"""The catalog: projects and their rules, tasks and batches, who may work on a project, fair
pay, crowd-review settings and the review project, cancelling a task, the results export.
"""

from . import requirements
from .crowd_review import check_verdict, review_task, review_task_id
from .eligibility import ineligibility
from .fairpay import PayPreview, measured_pay
from .projects import check_fair_pay, owned_project
from .standing import standing_ineligibility

__all__ = [
    "PayPreview",
    "check_fair_pay",
    "check_verdict",
    "ineligibility",
    "measured_pay",
    "owned_project",
    "requirements",
    "review_task",
    "review_task_id",
    "standing_ineligibility",
]
