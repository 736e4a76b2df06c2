"""The sentiment example's qualification test: can the worker read English reviews?

An assessment (docs/quality.md, "Assessments") is a project of kind ``assessment`` whose tasks
all carry their known answer in ``gold``. This one shows ten reviews whose sentiment is beyond
doubt on the same task page as the real work; a worker answers five they have not seen and
needs four right (``pass_score`` 0.8) to unlock the sentiment project. It is unpaid, which the
gateway allows because five questions of 20 seconds take well under ten minutes.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import crowdframe

__all__ = ["READING_TEST", "TITLE", "reading_questions", "reading_test"]

log = logging.getLogger("sentiment")

TITLE = "English reading test"
INSTRUCTIONS = (
    "A short test before the sentiment work: read each review and choose how it sounds. "
    "Answer four of five right to unlock the project."
)
BATCH_VERSION = "v1"
READING_TEST = (
    ("I adore this blender. It is the best thing in my kitchen!", "positive"),
    ("Completely useless. It broke on the first day and nobody helped.", "negative"),
    ("The package contains one cable, as listed.", "neutral"),
    ("Fantastic quality, fast delivery, and a lovely note from the seller.", "positive"),
    ("The worst hotel I have ever stayed in: dirty, loud and rude staff.", "negative"),
    ("The shirt is blue and has two pockets.", "neutral"),
    ("My children were thrilled, and honestly so was I. Wonderful!", "positive"),
    ("A waste of money. I want a refund.", "negative"),
    ("Delivered on Tuesday in a brown box.", "neutral"),
    ("Superb sound and the battery lasts for days. I am delighted.", "positive"),
)


class _Remembers(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, **values: str) -> None: ...
    def remember_texts(self, rows: Any) -> None: ...


def reading_questions() -> list[dict[str, Any]]:
    """``reading-1`` … ``reading-10``: the review as the input, its sentiment as gold."""
    return [
        {"external_id": f"reading-{n}", "input": {"text": text}, "gold": {"sentiment": answer}}
        for n, (text, answer) in enumerate(READING_TEST, start=1)
    ]


async def reading_test(
    client: crowdframe.AsyncClient, store: _Remembers, task_url: str, *, retry_after: int
) -> str:
    """Make sure the test and its questions exist (nothing twice); the test's project id."""
    test_id = store.get("reading_test_id")
    if test_id is not None:
        try:
            return (await client.get_project(test_id)).id
        except crowdframe.NotFoundError:
            log.warning("reading test %s is gone from the gateway; creating a new one", test_id)
    test = await client.create_project(
        title=TITLE,
        task_url=task_url,
        instructions=INSTRUCTIONS,
        reward_cents=0,
        estimated_seconds=20,
        languages=["en"],
        kind="assessment",
        test_size=5,
        pass_score=0.8,
        retry_after_seconds=retry_after,
    )
    batch = await client.add_tasks(
        test.id, reading_questions(), idempotency_key=f"sentiment-reading-{BATCH_VERSION}-{test.id}"
    )
    store.remember_texts((t.id, t.external_id, str(t.input.get("text", ""))) for t in batch.tasks)
    store.put(reading_test_id=test.id)
    log.info("created the reading test %s with %d questions", test.id, batch.created)
    return test.id
