"""Registering the sentiment work with the gateway: the project, its tasks, the webhook endpoint.

What is made is remembered in the app's own store (``storage.py``), so a restart creates
nothing twice. app.py loads this file from its own directory (the example is loaded by path).
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import crowdframe

__all__ = [
    "ASSIGNMENTS_PER_TASK",
    "GOLD_RATIO",
    "GOLD_REVIEWS",
    "PROJECT_TITLE",
    "REVIEWS",
    "batch_key",
    "project",
    "review_tasks",
    "tasks",
    "webhook_endpoint",
]

log = logging.getLogger("sentiment")

PROJECT_TITLE = "Sentiment of short reviews"
INSTRUCTIONS = (
    "Read the short customer review and choose how it sounds overall: Positive, Neutral or "
    "Negative. Judge the tone of the words, not whether you agree with them."
)
# the quality process (docs/quality.md, "Worked example"): three workers per review, a tenth
# of claims gold
ASSIGNMENTS_PER_TASK = 3
GOLD_RATIO = 0.1
# Bump when REVIEWS change: the gateway refuses a known key with a different batch.
BATCH_VERSION = "v2"

REVIEWS = (
    "Arrived a day early and works perfectly. Would buy again!",
    "The battery barely lasts until lunch. Disappointed.",
    "It's a phone case. It fits the phone.",
    "Customer support answered in five minutes and fixed my problem. Brilliant.",
    "Stopped working after two weeks and the refund took a month.",
    'Tastes like the <b>old</b> recipe & costs 20% less: "finally"!',
    "The colour is slightly darker than in the photos, otherwise as described.",
    "Comfortable, warm, and my kids love them.",
    "Instructions were in a language I could not read; assembly took three hours.",
    "Does what it says. Nothing more, nothing less.",
    "Best coffee grinder I've owned — quiet and consistent.",
    "The zipper broke the first time I used it. Avoid.",
)

# Gold tasks: reviews whose sentiment is beyond doubt. Workers cannot tell them from the others;
# the gateway grades their answers and stops workers who get too many wrong (docs/quality.md).
GOLD_REVIEWS = (
    ("Absolutely love it. Five stars, would recommend to everyone!", "positive"),
    ("Broke within an hour and the seller never answered. Terrible.", "negative"),
)


class _Remembers(Protocol):
    def get(self, key: str) -> str | None: ...
    def put(self, **values: str) -> None: ...
    def remember_texts(self, rows: Any) -> None: ...


def review_tasks() -> list[dict[str, Any]]:
    """The built-in batch: ``review-1`` … ``review-12`` with their text as the input, and the
    gold reviews ``gold-1`` … with their known sentiment."""
    return [
        {"external_id": f"review-{n}", "input": {"text": text}}
        for n, text in enumerate(REVIEWS, start=1)
    ] + [
        {"external_id": f"gold-{n}", "input": {"text": text}, "gold": {"sentiment": answer}}
        for n, (text, answer) in enumerate(GOLD_REVIEWS, start=1)
    ]


def batch_key(project_id: str) -> str:
    """The fixed ``Idempotency-Key`` of the built-in batch: sending it again creates nothing."""
    return f"sentiment-reviews-{BATCH_VERSION}-{project_id}"


async def project(
    client: crowdframe.AsyncClient,
    store: _Remembers,
    task_url: str,
    tests: list[str],
    crowd_review: dict[str, Any],
) -> crowdframe.Project:
    """The sentiment project: the one remembered, brought up to date, or a new one."""
    project_id = store.get("project_id")
    if project_id is not None:
        try:
            found = await client.get_project(project_id)
        except crowdframe.NotFoundError:
            log.warning("project %s is gone from the gateway; creating a new one", project_id)
        else:
            if found.assignments_per_task == ASSIGNMENTS_PER_TASK:
                return await _bring_up_to_date(client, found, crowd_review)
            # Each task keeps the redundancy it was added with: an older project is retired.
            await client.update_project(found.id, status="paused")
            log.warning("paused project %s: it had other redundancy", found.id)
    made = await client.create_project(
        title=PROJECT_TITLE,
        task_url=task_url,
        instructions=INSTRUCTIONS,
        reward_cents=10,
        estimated_seconds=20,  # 18 USD an hour: above every minimum wage
        assignments_per_task=ASSIGNMENTS_PER_TASK,  # three workers per review ...
        languages=["en"],  # ... who work in English
        qualifications=tests,  # ... and passed the reading test
        gold_ratio=GOLD_RATIO,  # a tenth of claims are gold
        gold_min_answers=2,
        gold_min_accuracy=0.5,
        # three other workers check each answer on /review; their majority approves or rejects
        crowd_review=crowd_review,
    )
    store.put(project_id=made.id)
    log.info("created project %s", made.id)
    return made


async def _bring_up_to_date(
    client: crowdframe.AsyncClient, found: crowdframe.Project, crowd_review: dict[str, Any]
) -> crowdframe.Project:
    """A project registered by an older version of the example gets today's quality settings."""
    if found.crowd_review is None:  # registered before the example had a review page
        found = await client.update_project(found.id, crowd_review=crowd_review)
    if found.gold_ratio != GOLD_RATIO:
        found = await client.update_project(found.id, gold_ratio=GOLD_RATIO)
    return found


async def tasks(client: crowdframe.AsyncClient, store: _Remembers, project_id: str) -> None:
    """The built-in batch, sent with its fixed key; the texts remembered by task id."""
    try:
        batch = await client.add_tasks(
            project_id, review_tasks(), idempotency_key=batch_key(project_id)
        )
    except crowdframe.ConflictError as exc:
        # The tasks exist but the gateway forgot the key: texts are looked up task by task.
        log.warning("the review batch was not added again: %s", exc)
        return
    store.remember_texts((t.id, t.external_id, str(t.input.get("text", ""))) for t in batch.tasks)
    if batch.created:
        log.info("added %d review tasks to project %s", batch.created, project_id)


async def webhook_endpoint(client: crowdframe.AsyncClient, store: _Remembers, url: str) -> str:
    """The endpoint's signing secret: the remembered endpoint's if it is still enabled."""
    endpoint_id, secret = store.get("endpoint_id"), store.get("webhook_secret")
    if endpoint_id is not None and secret is not None:
        cursor: str | None = None
        while True:
            page = await client.list_webhook_endpoints(limit=200, cursor=cursor)
            for endpoint in page:
                mine = endpoint.id == endpoint_id and endpoint.url == url
                if mine and endpoint.status == "enabled":
                    return secret
            if page.next_cursor is None:
                break
            cursor = page.next_cursor
    endpoint = await client.create_webhook_endpoint(url)
    if endpoint.secret is None:
        raise RuntimeError("the gateway did not return the new endpoint's secret")
    store.put(endpoint_id=endpoint.id, webhook_secret=endpoint.secret)
    log.info("created webhook endpoint %s for %s", endpoint.id, url)
    return endpoint.secret
