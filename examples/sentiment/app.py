"""Sentiment of short reviews: a small Crowdframe client app, built with Starlette and the SDK.

What a client of Crowdframe writes, end to end:

- on startup it registers its work with the gateway (a project, a batch of review texts, a
  webhook endpoint), remembering what it made in its own SQLite file so a restart creates nothing
  twice;
- ``GET /task`` is the task page the gateway shows workers in an iframe: it verifies the launch
  token (``cf_token``) offline with the SDK and renders the review with three choices;
  ``static/task.js`` talks to the gateway through ``crowdframe-task.js``;
- an English reading test (``assessment.py``) that the project requires: a qualification test
  shown on the same task page;
- ``GET /review`` is the crowd review page (``review.py``): other workers see one answer and
  approve or reject it; their majority verdict reviews the answer;
- ``POST /webhooks`` receives the results, signed the Standard Webhooks way;
- ``GET /results`` (HTML) and ``GET /results.json`` show what arrived.

Run it next to a gateway (``crowdframe create-client Sentiment`` prints the two secrets)::

    CROWDFRAME_API_KEY=cfk_... CROWDFRAME_SIGNING_SECRET=cfts_... \\
        python examples/sentiment/app.py --gateway http://127.0.0.1:8000 --port 8001

It is ``app.py`` plus its sibling modules ``assessment.py`` and ``review.py`` and ``static/``,
loaded by file path (``crowdframe demo`` does), so ``app.py`` loads its siblings the same way.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import os
import re
import sqlite3
import threading
import time
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, TypedDict

import jinja2
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import crowdframe
from crowdframe import task_page_headers

__all__ = ["REVIEWS", "SentimentConfig", "SentimentStore", "create_app", "main"]

HERE = Path(__file__).resolve().parent
log = logging.getLogger("sentiment")


def _sibling(name: str) -> ModuleType:
    """A module beside this file: the example is loaded by path, not imported as a package."""
    spec = importlib.util.spec_from_file_location(f"{__name__}_{name}", HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


assessment = _sibling("assessment")
review = _sibling("review")

PROJECT_TITLE = "Sentiment of short reviews"
INSTRUCTIONS = (
    "Read the short customer review and choose how it sounds overall: Positive, Neutral or "
    "Negative. Judge the tone of the words, not whether you agree with them."
)
SENTIMENTS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
WEBHOOK_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
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


@dataclass(frozen=True)
class SentimentConfig:
    """Where the gateway is, the client's two secrets, where this app is reachable, its files."""

    gateway_url: str
    api_key: str
    signing_secret: str
    public_origin: str
    data_dir: Path
    # the English reading test the project requires (assessment.py), and its cool-down
    reading_test: bool = True
    reading_test_retry: int = 3600


class Result(TypedDict):
    event_id: str
    task_id: str
    text_id: str
    text: str
    sentiment: str
    worker_id: str
    submitted_at: str


class Delivery(TypedDict):
    headers: dict[str, str]
    body: str


# -- the app's own storage ----------------------------------------------------------------------

SCHEMA = """
CREATE TABLE IF NOT EXISTS state (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS texts (
    task_id TEXT PRIMARY KEY, external_id TEXT NOT NULL, text TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS deliveries (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    headers TEXT NOT NULL, body TEXT NOT NULL, received_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, task_id TEXT NOT NULL,
    text_id TEXT NOT NULL, text TEXT NOT NULL, sentiment TEXT NOT NULL, worker_id TEXT NOT NULL,
    submitted_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS agreements (
    task_id TEXT PRIMARY KEY, text_id TEXT NOT NULL, sentiment TEXT, agreement REAL NOT NULL,
    answers INTEGER NOT NULL);
"""


class SentimentStore:
    """``data_dir/sentiment.db``: the registration, review texts by task id, received webhooks.

    Each call is one short SQLite transaction; the file is small and local, so the event loop is
    not worth a thread hop here.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._lock = threading.Lock()
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA busy_timeout=5000")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _rows(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    def get(self, key: str) -> str | None:
        rows = self._rows("SELECT value FROM state WHERE key = ?", (key,))
        return str(rows[0]["value"]) if rows else None

    def put(self, **values: str) -> None:
        with self._tx() as db:
            db.executemany(
                "INSERT OR REPLACE INTO state (key, value) VALUES (?, ?)", values.items()
            )

    def forget_registration(self) -> None:
        """Drop the project, its texts and the endpoint: they belong to another gateway."""
        with self._tx() as db:
            db.execute("DELETE FROM state")
            db.execute("DELETE FROM texts")

    def remember_texts(self, rows: Iterable[tuple[str, str, str]]) -> None:
        """``(task_id, external_id, text)`` rows, e.g. from a batch answer."""
        with self._tx() as db:
            db.executemany("INSERT OR REPLACE INTO texts VALUES (?, ?, ?)", list(rows))

    def text_of(self, task_id: str) -> tuple[str, str] | None:
        """``(external_id, text)`` of a task this app knows."""
        rows = self._rows("SELECT external_id, text FROM texts WHERE task_id = ?", (task_id,))
        return (str(rows[0]["external_id"]), str(rows[0]["text"])) if rows else None

    def record(
        self, event_type: str, headers: dict[str, str], body: str, result: Result | None
    ) -> bool:
        """Store a verified delivery (and its result); False if this event id was seen before."""
        event_id = headers["webhook-id"]
        with self._tx() as db:
            added = db.execute(
                "INSERT OR IGNORE INTO deliveries (event_id, type, headers, body, received_at)"
                " VALUES (?, ?, ?, ?, ?)",
                (event_id, event_type, json.dumps(headers), body, time.time()),
            ).rowcount
            if added and result is not None:
                db.execute(
                    "INSERT INTO results (event_id, task_id, text_id, text, sentiment, worker_id,"
                    " submitted_at) VALUES (:event_id, :task_id, :text_id, :text, :sentiment,"
                    " :worker_id, :submitted_at)",
                    dict(result),
                )
        return bool(added)

    def agree(self, data: dict[str, Any]) -> None:
        """Keep the majority answer of a completed task (its ``task.completed`` aggregate)."""
        vote = data.get("aggregate", {}).get("sentiment", {})
        with self._tx() as db:
            db.execute(
                "INSERT OR REPLACE INTO agreements VALUES (?, ?, ?, ?, ?)",
                (
                    str(data.get("task_id", "")),
                    str(data.get("external_id", "")),
                    vote.get("value"),
                    float(vote.get("agreement", 0.0)),
                    len(data.get("submissions", [])),
                ),
            )

    def agreements(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._rows("SELECT * FROM agreements ORDER BY text_id")]

    def results(self) -> list[Result]:
        rows = self._rows("SELECT * FROM results ORDER BY seq")
        return [
            Result(
                event_id=row["event_id"],
                task_id=row["task_id"],
                text_id=row["text_id"],
                text=row["text"],
                sentiment=row["sentiment"],
                worker_id=row["worker_id"],
                submitted_at=row["submitted_at"],
            )
            for row in rows
        ]

    def delivery_count(self) -> int:
        return int(self._rows("SELECT count(*) AS n FROM deliveries")[0]["n"])

    def deliveries(self) -> list[Delivery]:
        rows = self._rows("SELECT headers, body FROM deliveries ORDER BY seq")
        return [Delivery(headers=json.loads(row["headers"]), body=row["body"]) for row in rows]


# -- registering the work with the gateway ------------------------------------------------------


@dataclass(frozen=True)
class Registration:
    project_id: str
    webhook_secret: str
    reading_test_id: str | None = None


async def register(
    client: crowdframe.AsyncClient,
    store: SentimentStore,
    gateway: str,
    public_origin: str,
    *,
    reading_test: bool = True,
    reading_test_retry: int = 3600,
) -> Registration:
    """Make sure the project, its tasks, its reading test (unless ``reading_test`` is off)
    and the webhook endpoint exist; create nothing twice."""
    task_url = public_origin + "/task"
    if store.get("gateway") != gateway or store.get("task_url") != task_url:
        store.forget_registration()  # a fresh gateway, or this app moved: start over
        store.put(gateway=gateway, task_url=task_url)
    test_id = None
    if reading_test:
        test_id = await assessment.reading_test(
            client, store, task_url, retry_after=reading_test_retry
        )
    project_id = await _project(
        client, store, task_url, public_origin, [test_id] if test_id else []
    )
    await _tasks(client, store, project_id)
    secret = await _webhook_endpoint(client, store, public_origin + "/webhooks")
    return Registration(project_id, secret, test_id)


async def _project(
    client: crowdframe.AsyncClient,
    store: SentimentStore,
    task_url: str,
    public_origin: str,
    tests: list[str],
) -> str:
    crowd_review = review.crowd_review_settings(public_origin)
    project_id = store.get("project_id")
    if project_id is not None:
        try:
            found = await client.get_project(project_id)
            if found.crowd_review is None:  # registered before the example had a review page
                await client.update_project(found.id, crowd_review=crowd_review)
            return found.id
        except crowdframe.NotFoundError:
            log.warning("project %s is gone from the gateway; creating a new one", project_id)
    project = await client.create_project(
        title=PROJECT_TITLE,
        task_url=task_url,
        instructions=INSTRUCTIONS,
        reward_cents=10,
        estimated_seconds=20,
        # the quality process (docs/quality.md): two workers per review, compared in
        # task.completed; a fifth of claims are gold; English-speaking workers only, who
        # passed the reading test
        assignments_per_task=2,
        languages=["en"],
        qualifications=tests,
        gold_ratio=0.2,
        gold_min_answers=2,
        gold_min_accuracy=0.5,
        # three other workers check each answer on /review; their majority approves or rejects
        crowd_review=crowd_review,
    )
    store.put(project_id=project.id)
    log.info("created project %s", project.id)
    return project.id


async def _tasks(client: crowdframe.AsyncClient, store: SentimentStore, project_id: str) -> None:
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


async def _webhook_endpoint(client: crowdframe.AsyncClient, store: SentimentStore, url: str) -> str:
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


# -- pages --------------------------------------------------------------------------------------

_TEMPLATES = {
    "base.html": """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{% block title %}{% endblock %}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; padding: 1rem; color: #1d1d1f; }
  main { max-width: 40rem; margin: 0 auto; }
  h1 { font-size: 1.25rem; margin: 0 0 .75rem; }
  blockquote { margin: 0 0 1rem; padding: .75rem 1rem; background: #f3f4f6;
               border-left: 4px solid #6366f1; font-size: 1.1rem; }
  fieldset { border: 0; margin: 0 0 1rem; padding: 0; display: grid; gap: .5rem; }
  legend { font-weight: 600; margin-bottom: .5rem; }
  .choice { display: flex; align-items: center; gap: .75rem; padding: .75rem 1rem;
            border: 1px solid #d1d5db; border-radius: .5rem; cursor: pointer; min-height: 44px; }
  .choice input { width: 1.25rem; height: 1.25rem; margin: 0; }
  button { font: inherit; width: 100%; padding: .75rem; border: 0; border-radius: .5rem;
           background: #4f46e5; color: #fff; min-height: 44px; }
  button:disabled { background: #9ca3af; }
  .note { color: #92400e; background: #fef3c7; padding: .5rem .75rem; border-radius: .5rem; }
  #status { min-height: 1.5em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid #e5e7eb; }
  code { word-break: break-all; }
</style>
</head>
<body><main>{% block main %}{% endblock %}</main>{% block scripts %}{% endblock %}</body>
</html>
""",
    "task.html": """{% extends "base.html" %}
{% block title %}How does this review sound?{% endblock %}
{% block main %}
<h1>How does this review sound?</h1>
<blockquote id="review">{{ text }}</blockquote>
<form id="answer" data-text-id="{{ text_id }}" data-mode="{{ mode }}" novalidate>
  <fieldset>
    <legend>Sentiment</legend>
    {% for value, label in choices.items() %}
    <label class="choice" for="sentiment-{{ value }}">
      <input type="radio" id="sentiment-{{ value }}" name="sentiment" value="{{ value }}">
      {{ label }}
    </label>
    {% endfor %}
  </fieldset>
  {% if mode == "preview" %}<p class="note">Preview: accept the task to answer</p>{% endif %}
  <button type="submit" id="submit" disabled>Submit</button>
  <p id="status" role="status" aria-live="polite"></p>
</form>
{% endblock %}
{% block scripts %}
<script src="{{ widget_url }}"></script>
<script src="/static/task.js"></script>
{% endblock %}
""",
    "review.html": review.REVIEW_TEMPLATE,
    "refused.html": """{% extends "base.html" %}
{% block title %}Task unavailable{% endblock %}
{% block main %}
<h1>This task page cannot be shown</h1>
<p>{{ reason }}</p>
<p>Open the task again from the Crowdframe task list.</p>
{% endblock %}
""",
    "results.html": """{% extends "base.html" %}
{% block title %}Sentiment results{% endblock %}
{% block main %}
<h1>Sentiment results</h1>
<p>{{ results|length }} result(s) received by webhook ({{ deliveries }} deliveries in all).
<a href="/results.json">JSON</a></p>
<table>
  <thead><tr><th>Review</th><th>Sentiment</th><th>Worker</th><th>Time</th></tr></thead>
  <tbody>
  {% for r in results %}
    <tr><td>{{ r.text }}</td><td>{{ r.sentiment }}</td><td><code>{{ r.worker_id }}</code></td>
        <td>{{ r.submitted_at }}</td></tr>
  {% else %}
    <tr><td colspan="4">Nothing yet: results arrive here as workers submit.</td></tr>
  {% endfor %}
  </tbody>
</table>
<h2>Agreed answers</h2>
<p>When both workers of a review have answered, the gateway sends the majority answer.</p>
<table>
  <thead><tr><th>Review</th><th>Sentiment</th><th>Agreement</th><th>Answers</th></tr></thead>
  <tbody>
  {% for a in agreements %}
    <tr><td>{{ a.text_id }}</td><td>{{ a.sentiment or "tie" }}</td>
        <td>{{ (a.agreement * 100)|round|int }} %</td><td>{{ a.answers }}</td></tr>
  {% else %}
    <tr><td colspan="4">No review has all its answers yet.</td></tr>
  {% endfor %}
  </tbody>
</table>
{% endblock %}
""",
}
_jinja = jinja2.Environment(
    loader=jinja2.DictLoader(_TEMPLATES),
    autoescape=True,  # nothing from a token, a task input or a webhook reaches HTML unescaped
    undefined=jinja2.StrictUndefined,
)
_NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}


def _html(
    name: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any
) -> HTMLResponse:
    body = _jinja.get_template(name).render(**context)
    return HTMLResponse(body, status_code=status, headers=headers)


@dataclass(frozen=True)
class _App:
    """What the handlers share, set up by the lifespan."""

    config: SentimentConfig
    public_origin: str
    gateway_origin: str
    store: SentimentStore
    client: crowdframe.AsyncClient
    registration: Registration


def _app(request: Request) -> _App:
    state: _App = request.state.sentiment
    return state


def _refused(state: _App, reason: str, status: int) -> HTMLResponse:
    # Shown inside the gateway's frame, so the configured gateway may frame it too.
    headers = task_page_headers(state.gateway_origin)
    headers["Content-Security-Policy"] += "; default-src 'none'; style-src 'unsafe-inline'"
    return _html("refused.html", status, headers, reason=reason)


async def _review(state: _App, task_id: str) -> tuple[str, str] | None:
    """``(external_id, text)`` of a task: from the batch answer, else asked of the gateway."""
    known = state.store.text_of(task_id)
    if known is not None:
        return known
    try:
        task = await state.client.get_task(task_id)
    except crowdframe.NotFoundError:
        return None
    text = task.input.get("text")
    if not isinstance(text, str):
        return None
    state.store.remember_texts([(task.id, task.external_id, text)])
    return task.external_id, text


def _verified(
    state: _App, request: Request
) -> tuple[crowdframe.TaskTokenClaims, str, dict[str, str]] | HTMLResponse:
    """The launch token's claims, the gateway's origin and the page headers, or the refusal."""
    try:
        claims = crowdframe.verify_task_token(
            request.query_params.get("cf_token", ""),
            state.config.signing_secret,
            audience=state.public_origin,
            mode=None,
        )
        # The issuer is trusted only once the signature is: never take cf_origin's word for it.
        gateway = crowdframe.origin_of(claims.iss)
        headers = task_page_headers(gateway)
    except crowdframe.TokenError as exc:
        return _refused(state, f"The task link is not valid: {exc}.", 403)
    except ValueError:
        return _refused(state, "The task link names no valid gateway.", 403)
    headers["Content-Security-Policy"] += (
        f"; default-src 'self'; script-src 'self' {gateway}; style-src 'self' 'unsafe-inline'"
    )
    return claims, gateway, headers


async def task_page(request: Request) -> Response:
    state = _app(request)
    verified = _verified(state, request)
    if isinstance(verified, HTMLResponse):
        return verified
    claims, gateway, headers = verified
    found = await _review(state, claims.tid)
    if found is None:
        return _refused(state, "This app does not know that task.", 404)
    text_id, text = found
    return _html(
        "task.html",
        200,
        headers,
        text=text,
        text_id=text_id,
        mode=claims.mode,
        choices=SENTIMENTS,
        widget_url=f"{gateway}/widgets/crowdframe-task.js",
    )


async def review_page(request: Request) -> Response:
    """Crowd review: one answer of another worker, to approve or reject."""
    state = _app(request)
    verified = _verified(state, request)
    if isinstance(verified, HTMLResponse):
        return verified
    claims, gateway, headers = verified
    try:
        task = await state.client.get_task(claims.tid)
    except crowdframe.NotFoundError:
        return _refused(state, "This app does not know that task.", 404)
    answer = review.answer_under_review(task.input, SENTIMENTS)
    if answer is None:
        return _refused(state, "This task is not an answer to review.", 404)
    return _html(
        "review.html",
        200,
        headers,
        text=answer["text"],
        given=answer["sentiment"],
        mode=claims.mode,
        widget_url=f"{gateway}/widgets/crowdframe-task.js",
    )


def _result_of(event: crowdframe.WebhookEvent, text: str) -> Result | None:
    if event.type != "assignment.submitted" or not isinstance(event.result, dict):
        return None
    data = event.data
    sentiment = event.result.get("sentiment")
    return Result(
        event_id=event.id,
        task_id=str(data.get("task_id", "")),
        text_id=str(data.get("external_id", "")),
        text=text,
        sentiment=sentiment if isinstance(sentiment, str) else "",
        worker_id=str(data.get("worker_id", "")),
        submitted_at=str(data.get("submitted_at", event.timestamp)),
    )


async def webhooks(request: Request) -> Response:
    state = _app(request)
    body = await request.body()
    try:
        event = crowdframe.Webhook(state.registration.webhook_secret).verify(request.headers, body)
        raw = body.decode("utf-8")
    except (crowdframe.WebhookVerificationError, UnicodeDecodeError) as exc:
        log.warning("refused a webhook: %s", exc)
        return Response(status_code=400)
    text = ""
    task_id = event.data.get("task_id")
    if event.type == "assignment.submitted" and isinstance(task_id, str):
        known = await _review(state, task_id)
        text = known[1] if known is not None else ""
    headers = {name: request.headers[name] for name in WEBHOOK_HEADERS}
    # answers to the reading test are not sentiment results (the gateway grades them)
    testing = event.data.get("project_id") == state.registration.reading_test_id
    result = None if testing else _result_of(event, text)
    fresh = state.store.record(event.type, headers, raw, result)
    if fresh and event.type == "task.completed":
        state.store.agree(event.data)
    return Response(status_code=204)


async def results_page(request: Request) -> Response:
    store = _app(request).store
    return _html(
        "results.html",
        headers=_NO_STORE,
        results=store.results(),
        agreements=store.agreements(),
        deliveries=store.delivery_count(),
    )


async def results_json(request: Request) -> Response:
    store = _app(request).store
    body = {
        "results": store.results(),
        "agreements": store.agreements(),
        "deliveries": store.deliveries(),
    }
    return JSONResponse(body, headers=_NO_STORE)


async def home(request: Request) -> Response:
    return RedirectResponse("/results", status_code=303)


# -- the app ------------------------------------------------------------------------------------

_TOKEN_IN_URL = re.compile(r"(cf_token=)[^&\s]*")


class _RedactTokens(logging.Filter):
    """Keeps launch tokens out of the access log: a logged URL would be a working credential."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                _TOKEN_IN_URL.sub(r"\1[redacted]", arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


def _redact_access_log() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, _RedactTokens) for f in access.filters):
        access.addFilter(_RedactTokens())


def create_app(config: SentimentConfig) -> Starlette:
    """The app; it registers its work with the gateway when it starts (its lifespan)."""
    public_origin = crowdframe.origin_of(config.public_origin)
    gateway_origin = crowdframe.origin_of(config.gateway_url)
    _redact_access_log()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[dict[str, _App]]:
        store = SentimentStore(Path(config.data_dir) / "sentiment.db")
        try:
            async with crowdframe.AsyncClient(config.api_key, config.gateway_url) as client:
                try:
                    registration = await register(
                        client,
                        store,
                        gateway_origin,
                        public_origin,
                        reading_test=config.reading_test,
                        reading_test_retry=config.reading_test_retry,
                    )
                except crowdframe.CrowdframeError as exc:
                    raise RuntimeError(
                        f"could not register with the gateway at {config.gateway_url}: {exc}"
                    ) from exc
                yield {
                    "sentiment": _App(
                        config, public_origin, gateway_origin, store, client, registration
                    )
                }
        finally:
            store.close()

    return Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/task", task_page, methods=["GET"]),
            Route("/review", review_page, methods=["GET"]),
            Route("/webhooks", webhooks, methods=["POST"]),
            Route("/results", results_page, methods=["GET"]),
            Route("/results.json", results_json, methods=["GET"]),
            Mount("/static", app=StaticFiles(directory=HERE / "static"), name="static"),
        ],
        lifespan=lifespan,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the app: ``python examples/sentiment/app.py --help``."""
    env = os.environ
    parser = argparse.ArgumentParser(
        prog="sentiment",
        description="The sentiment example: a Crowdframe client app with its own task page.",
    )
    parser.add_argument(
        "--gateway",
        default=env.get("CROWDFRAME_GATEWAY_URL", "http://127.0.0.1:8000"),
        help="the gateway's URL (CROWDFRAME_GATEWAY_URL; default http://127.0.0.1:8000)",
    )
    parser.add_argument(
        "--api-key", default=env.get("CROWDFRAME_API_KEY"), help="API key (CROWDFRAME_API_KEY)"
    )
    parser.add_argument(
        "--signing-secret",
        default=env.get("CROWDFRAME_SIGNING_SECRET"),
        help="task token signing secret (CROWDFRAME_SIGNING_SECRET)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8001, help="port (default 8001)")
    parser.add_argument(
        "--public-origin",
        default=env.get("SENTIMENT_PUBLIC_ORIGIN"),
        help="origin workers' browsers reach this app at (SENTIMENT_PUBLIC_ORIGIN;"
        " default http://localhost:PORT)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=Path(env.get("SENTIMENT_DATA_DIR", "sentiment-data")),
        help="where sentiment.db lives (SENTIMENT_DATA_DIR; default ./sentiment-data)",
    )
    parser.add_argument(
        "--no-reading-test",
        action="store_true",
        help="do not require the English reading test (a qualification test) for the project",
    )
    parser.add_argument(
        "--reading-test-retry",
        type=int,
        default=3600,
        help="seconds a worker who failed the reading test waits to retry (default 3600)",
    )
    args = parser.parse_args(argv)
    if not args.api_key or not args.signing_secret:
        parser.error(
            "the API key and signing secret are required: set CROWDFRAME_API_KEY and"
            " CROWDFRAME_SIGNING_SECRET (or --api-key / --signing-secret)"
        )
    config = SentimentConfig(
        gateway_url=args.gateway,
        api_key=args.api_key,
        signing_secret=args.signing_secret,
        public_origin=args.public_origin or f"http://localhost:{args.port}",
        data_dir=args.data_dir,
        reading_test=not args.no_reading_test,
        reading_test_retry=args.reading_test_retry,
    )
    try:
        app = create_app(config)
    except ValueError as exc:
        parser.error(str(exc))
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
