"""The catalog: projects and their rules, tasks and batches, who may work on a project, fair
pay, crowd-review settings and the review project, cancelling a task, the results export.
"""

from . import requirements
from .crowd_review import check_verdict, review_task, review_task_id
from .eligibility import ineligibility
from .projects import check_fair_pay, owned_project
from .standing import standing_ineligibility

# The work context asks under the name this check had while it covered review projects only
# (work/ is being changed in another branch: the call sites move to the new name there).
reviewer_ineligibility = standing_ineligibility

__all__ = [
    "check_fair_pay",
    "check_verdict",
    "ineligibility",
    "owned_project",
    "requirements",
    "review_task",
    "review_task_id",
    "reviewer_ineligibility",
    "standing_ineligibility",
]
