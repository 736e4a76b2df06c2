"""Where the worker stands, as the pages show it: the confirmation that stays after a submit
(what was earned, pending until approval, how many done today), the time left on a task in
progress, and a test's progress."""

from __future__ import annotations

import math
from dataclasses import dataclass

from starlette.requests import Request

from ...core.errors import NotFound
from ...core.records import Assignment, Project, Worker, now
from ...ledger import done_today
from ...runtime import Runtime
from ...store.base import together
from ...work import actions as work
from .. import i18n

__all__ = ["Confirmation", "confirm_next", "confirmation", "time_left"]

_DONE = "done"  # the session's key: the submission the next page confirms


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What the page after a submit confirms: the task's title, what it earns (``amount_cents``
    0: unpaid), when it is approved at the latest, and how many the worker did today."""

    title: str
    amount_cents: int
    currency: str
    approval_due_at: float
    today: int
    question: bool  # an answer in a qualification test (its grade is not told here)


def confirm_next(request: Request, assignment: Assignment) -> None:
    """Have the next page the worker opens confirm their submission ``assignment`` (its id and
    project's, kept in their session, which only the gateway can write, until a page shows
    it)."""
    request.session[_DONE] = [assignment.id, assignment.project_id]


async def confirmation(
    rt: Runtime, worker: Worker, request: Request, *, shown: Project | None = None
) -> Confirmation | None:
    """The confirmation of the worker's submission that the page ``request`` asks for shows,
    once (``confirm_next``); None when there is none. ``shown``: the project the page shows,
    just read (after a submit, the next task's frame is mostly the same project's)."""
    done = request.session.pop(_DONE, None)
    if not (isinstance(done, list) and len(done) == 2 and all(isinstance(d, str) for d in done)):
        return None
    # read together: on Redis they share one round trip (store/redis/coalescing.py)
    try:
        found, project, today = await together(
            rt.store,
            work.own_assignment(rt, worker, done[0]),
            _project(rt, done[1], shown),
            done_today(rt, worker),
        )
    except NotFound:  # not the worker's (any more)
        return None
    if found.submitted_at is None or project is None or found.project_id != project.id:
        return None
    spec = project.spec
    return Confirmation(
        title=spec.title,
        amount_cents=spec.reward_cents,
        currency=spec.currency,
        approval_due_at=spec.approval_due_at(found.submitted_at),
        today=today,
        question=spec.kind == "assessment",
    )


async def _project(rt: Runtime, project_id: str, shown: Project | None) -> Project | None:
    if shown is not None and shown.id == project_id:
        return shown
    return await rt.store.get_project(project_id)


def time_left(deadline: float) -> str:
    """``"12 minutes left"``: the time to a deadline, for the worker, in their language."""
    left = max(0, deadline - now())
    if left < 60:
        return i18n.gettext("less than a minute left")
    minutes = math.floor(left / 60)
    if minutes < 120:
        return i18n.ngettext("%(num)s minute left", "%(num)s minutes left", minutes) % {
            "num": minutes
        }
    hours = math.floor(minutes / 60)
    return i18n.ngettext("%(num)s hour left", "%(num)s hours left", hours) % {"num": hours}
