"""The sentiment example's review page: other workers check one answer (crowd review).

The gateway shows it in the same frame as the task page, with a launch token for a task of the
review project; that task's input is the answer under review: ``{"assignment_id", "task":
{"text"}, "result": {"sentiment"}}``. The page (``templates/review.html``, ``static/answer.js``)
submits ``{"verdict": "approve" | "reject", "reason"}``; the majority verdict approves or
rejects the answer (docs/quality.md).

app.py loads this file from its own directory (the example is loaded by file path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

__all__ = ["Answer", "answer_under_review", "crowd_review_settings"]

REVIEW_INSTRUCTIONS = (
    "Another worker chose a sentiment for this customer review. Approve the answer if it is"
    " how the review sounds overall; reject it if it is not, and say why in a few words."
)


class Answer(TypedDict):
    text: str
    sentiment: str


def answer_under_review(task_input: Mapping[str, Any], labels: Mapping[str, str]) -> Answer | None:
    """The review text and the sentiment given (as its label), from a review task's input;
    None for an input that is not a sentiment answer."""
    task, result = task_input.get("task"), task_input.get("result")
    if not isinstance(task, Mapping) or not isinstance(result, Mapping):
        return None
    text, sentiment = task.get("text"), result.get("sentiment")
    if not isinstance(text, str) or not isinstance(sentiment, str) or sentiment not in labels:
        return None
    return Answer(text=text, sentiment=labels[sentiment])


def crowd_review_settings(public_origin: str) -> dict[str, Any]:
    """The project's ``crowd_review``: three reviewers (an odd number: no ties) at 5 cents for
    an estimated 10 seconds, 18 USD an hour like the task itself."""
    return {
        "task_url": public_origin + "/review",
        "reviewers": 3,
        "reward_cents": 5,
        "estimated_seconds": 10,
        "instructions": REVIEW_INSTRUCTIONS,
    }
