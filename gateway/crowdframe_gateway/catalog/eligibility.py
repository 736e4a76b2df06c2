"""Who may work on a project: its country, language and skill rules, and fair pay for the worker.

Language rules and worker languages are strings ``"de"`` or ``"de:native"``; the levels are
``fluent`` (the default) and ``native``. A worker meets a rule when they speak the language at
that level or above. Skills are lowercase slugs; a worker must list every skill a project names.
Qualifications (passed assessments) are the other rule; assessments.py checks them.
"""

from __future__ import annotations

from ..core.records import Project, Worker
from ..core.text import N_
from ..core.validation import LEVELS, language_rule, skill_slug
from .fairpay import underpaid

__all__ = ["LEVELS", "ineligibility", "language_rule", "skill_slug", "worker_languages"]


def worker_languages(worker: Worker) -> dict[str, str]:
    levels: dict[str, str] = {}
    for item in worker.languages:
        parsed = language_rule(item)
        if parsed is not None:
            code, level = parsed
            if LEVELS.index(level) >= LEVELS.index(levels.get(code, "fluent")):
                levels[code] = level
    return levels


def ineligibility(worker: Worker, project: Project) -> str | None:
    """Why the worker may not work on the project, in words for the worker; None if they may."""
    spec = project.spec
    if spec.countries and worker.country not in spec.countries:
        return N_("This project is for workers in other countries.")
    if worker.country in spec.excluded_countries:
        return N_("This project is not open to workers in your country.")
    spoken = worker_languages(worker)
    for rule in spec.languages:
        parsed = language_rule(rule)
        if parsed is None:
            continue
        code, level = parsed
        if code not in spoken or LEVELS.index(spoken[code]) < LEVELS.index(level):
            return N_("This project needs a language level your profile does not list.")
    missing = [skill for skill in spec.skills if skill not in worker.skills]
    if missing:
        return f"This project needs skills your profile does not list: {', '.join(missing)}."
    if underpaid(spec, worker.country) is not None:
        return N_("This project pays less than the minimum wage where you live.")
    return None
