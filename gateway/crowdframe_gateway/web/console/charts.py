"""The project's charts: submissions per hour, time per task, agreement per task
(docs/console.md, "Charts"). The numbers are ``review.activity``'s; this module labels them,
serves them as JSON for the charts (uPlot, vendored in ``static/vendor/uplot/``, drawn by
``static/charts.js``) and as tables, the charts' text for screen readers and without
JavaScript. Another client's project is ``NotFound``, as in the API.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ...core.records import ClientUser, Project, iso, now
from ...review.activity import AGREEMENT_EDGES, TIME_EDGES, Activity, activity
from .. import i18n
from .render import page
from .session import runtime, signed_in_project

__all__ = ["agreement_labels", "charts_data", "charts_page", "time_labels"]


def _seconds(value: float) -> str:
    if value >= 60:
        return i18n.gettext("%(num)s min") % {"num": i18n.number(round(value / 60, 1))}
    return i18n.gettext("%(num)s s") % {"num": i18n.number(value)}


def _share(value: float) -> str:
    return f"{round(value * 100)} %"


def _bucket_labels(edges: Sequence[float], name: Callable[[float], str]) -> list[str]:
    """A label for each bucket of ``review.activity.histogram``: under the first edge, from
    each edge to the next, from the last edge on."""
    first = i18n.gettext("under %(edge)s") % {"edge": name(edges[0])}
    middle = [
        i18n.gettext("%(low)s to %(high)s") % {"low": name(low), "high": name(high)}
        for low, high in pairwise(edges)
    ]
    return [first, *middle, i18n.gettext("%(edge)s or more") % {"edge": name(edges[-1])}]


def _bucket_ticks(edges: Sequence[float], name: Callable[[float], str]) -> list[str]:
    """Short labels for a chart's axis: each bucket's lower edge (the table says the rest)."""
    return [f"< {name(edges[0])}", *(name(edge) for edge in edges[:-1]), f"{name(edges[-1])}+"]


def time_labels() -> list[str]:
    """Under 10 s, 10 s to 20 s, …, 30 min or more."""
    return _bucket_labels(TIME_EDGES, _seconds)


def agreement_labels() -> list[str]:
    """Under 50 %, 50 % to 60 %, …, all agree (the last bucket holds 100 % alone)."""
    return [*_bucket_labels(AGREEMENT_EDGES, _share)[:-1], i18n.gettext("all agree")]


async def _project_activity(request: Request) -> tuple[ClientUser, Project, Activity]:
    user, _, project = await signed_in_project(request)
    return user, project, await activity(runtime(request), project, at=now())


def _data(found: Activity) -> dict[str, Any]:
    return {
        "hours": {
            "from": iso(found.hour_starts[0]),
            "x": found.hour_starts,
            "y": list(found.per_hour),
            "total": sum(found.per_hour),
        },
        "times": {
            "labels": time_labels(),
            "ticks": _bucket_ticks(TIME_EDGES, _seconds),
            "counts": list(found.times),
            "answers": found.answers_timed,
            "median_seconds": found.median_seconds,
        },
        "agreement": {
            "labels": agreement_labels(),
            "ticks": [*_bucket_ticks(AGREEMENT_EDGES, _share)[:-1], _share(1.0)],
            "counts": list(found.agreements),
            "tasks": found.tasks_compared,
        },
    }


async def charts_data(request: Request) -> Response:
    """The charts' numbers as JSON (what ``static/charts.js`` draws)."""
    _, _, found = await _project_activity(request)
    with i18n.use(i18n.locale_of(request)):  # the labels in the page's language
        data = _data(found)
    return JSONResponse(data, headers={"cache-control": "no-store"})


async def charts_page(request: Request) -> Response:
    """The charts with their tables: a fragment for the project page (htmx), a page of its
    own otherwise."""
    user, project, found = await _project_activity(request)
    busy_hours = [(at, n) for at, n in zip(found.hour_starts, found.per_hour, strict=True) if n]
    with i18n.use(i18n.locale_of(request)):  # the labels in the page's language
        median = None if found.median_seconds is None else _seconds(found.median_seconds)
        context = {"project": project, "data": _data(found), "busy_hours": busy_hours,
                   "median": median}  # fmt: skip
    if request.headers.get("hx-request") == "true":
        return page(request, "_charts.html", context)
    return page(request, "charts.html", context, user=user)
