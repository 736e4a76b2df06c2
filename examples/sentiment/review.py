"""The sentiment example's review page: other workers check one answer (crowd review).

The gateway shows it in the same frame as the task page, with a launch token for a task of the
review project; that task's input is the answer under review: ``{"assignment_id", "task":
{"text"}, "result": {"sentiment"}}``. The reviewer submits ``{"verdict": "approve" | "reject",
"reason"}``; the majority verdict approves or rejects the answer (docs/quality.md).

app.py loads this file from its own directory (the example is loaded by file path).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypedDict

__all__ = ["REVIEW_TEMPLATE", "Answer", "answer_under_review", "crowd_review_settings"]

REVIEW_INSTRUCTIONS = (
    "Another worker chose a sentiment for this customer review. Approve the answer if it is"
    " how the review sounds overall; reject it if it is not, and say why in a few words."
)

REVIEW_TEMPLATE = """{% extends "base.html" %}
{% block title %}Is this answer right?{% endblock %}
{% block main %}
<h1>Is this answer right?</h1>
<blockquote id="review">{{ text }}</blockquote>
<p>The answer given: <strong id="answer-given">{{ given }}</strong></p>
<form id="verdict" data-mode="{{ mode }}" novalidate>
  <fieldset>
    <legend>Your verdict</legend>
    <label class="choice" for="verdict-approve">
      <input type="radio" id="verdict-approve" name="verdict" value="approve"> Right: approve
    </label>
    <label class="choice" for="verdict-reject">
      <input type="radio" id="verdict-reject" name="verdict" value="reject"> Wrong: reject
    </label>
  </fieldset>
  <p><label for="reason">Why (shown to the client)</label><br>
     <input type="text" id="reason" name="reason" maxlength="500" style="width: 100%"></p>
  {% if mode == "preview" %}<p class="note">Preview: accept the task to answer</p>{% endif %}
  <button type="submit" id="submit" disabled>Submit verdict</button>
  <p id="status" role="status" aria-live="polite"></p>
</form>
{% endblock %}
{% block scripts %}
<script src="{{ widget_url }}"></script>
<script src="/static/review.js"></script>
{% endblock %}
"""


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
