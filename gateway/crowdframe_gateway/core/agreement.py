"""Agreement between the workers of one task: a majority vote per answer field.

Every field whose answers are categorical (strings, numbers, booleans) gets the winning value,
the share of workers who gave it (``agreement``), and the vote counts. Strings are compared by
a comparison key: case, surrounding space and inner runs of space are ignored, so
``"Positive "`` and ``"positive"`` agree. A tie is reported with ``value: null``. Fields holding
lists or objects are left to the client (their answers are in ``submissions``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

__all__ = ["aggregate", "comparison_key", "needs_another_answer"]


def comparison_key(value: Any) -> Any:
    if isinstance(value, str):
        return " ".join(value.split()).casefold()
    return value


def aggregate(results: Sequence[dict[str, Any] | None]) -> dict[str, dict[str, Any]]:
    answers = [r for r in results if isinstance(r, dict)]
    fields = dict.fromkeys(key for r in answers for key in r)
    summary: dict[str, dict[str, Any]] = {}
    for name in fields:
        given = [r[name] for r in answers if name in r]
        if not given or not all(isinstance(v, str | int | float | bool) for v in given):
            continue
        votes = Counter(comparison_key(v) for v in given)
        first: dict[Any, Any] = {}
        for value in given:  # report each key as the first worker wrote it
            first.setdefault(comparison_key(value), value)
        ranked = votes.most_common()
        top_key, top = ranked[0]
        tied = len(ranked) > 1 and ranked[1][1] == top
        summary[name] = {
            "value": None if tied else first[top_key],
            "agreement": round(top / len(answers), 4),
            "votes": {str(first[k]): n for k, n in ranked},
        }
    return summary


def needs_another_answer(
    summary: dict[str, dict[str, Any]], answers: int, *, agreement_min: float, most: int
) -> bool:
    """Whether a task whose answers are all in should get one more worker: some field's
    agreement is below the project's minimum and the project allows more workers."""
    if answers >= most or not summary:
        return False
    lowest: float = min(field["agreement"] for field in summary.values())
    return lowest < agreement_min
