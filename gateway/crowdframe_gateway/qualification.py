"""Who may work on a project: its country and language rules, and fair pay for the worker.

Language rules and worker languages are strings ``"de"`` or ``"de:native"``; the levels are
``fluent`` (the default) and ``native``. A worker meets a rule when they speak the language at
that level or above.
"""

from __future__ import annotations

import re

from .fairpay import underpaid
from .records import Project, Worker

__all__ = ["LEVELS", "ineligibility", "language_rule", "worker_languages"]

LEVELS = ("fluent", "native")
_RULE = re.compile(r"^([a-z]{2})(?::(fluent|native))?$")


def language_rule(text: str) -> tuple[str, str] | None:
    """``"de:native"`` → ``("de", "native")``; ``"de"`` → ``("de", "fluent")``; else None."""
    match = _RULE.match(text)
    if match is None:
        return None
    return match.group(1), match.group(2) or "fluent"


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
        return "This project is for workers in other countries."
    if worker.country in spec.excluded_countries:
        return "This project is not open to workers in your country."
    spoken = worker_languages(worker)
    for rule in spec.languages:
        parsed = language_rule(rule)
        if parsed is None:
            continue
        code, level = parsed
        if code not in spoken or LEVELS.index(spoken[code]) < LEVELS.index(level):
            return "This project needs a language level your profile does not list."
    if underpaid(spec, worker.country) is not None:
        return "This project pays less than the minimum wage where you live."
    return None
