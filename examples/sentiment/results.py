"""What the sentiment client does with its results: receiving webhooks, paying bonuses,
its admin page of answers (with fraud signals and crowd review), and blocking workers.

- ``POST /webhooks``: every delivery verified with the SDK and stored once. On
  ``task.completed`` each worker whose answer matched the agreed (majority) answer gets a
  bonus through ``AsyncClient.bonus``, with one idempotency key per assignment, so a
  redelivered event pays nothing more.
- ``GET /results``: the client's admin page: each answer with its fraud ``signals``, its crowd
  review status and bonus, and a "Block this worker" form (``POST /results/block``, which calls
  ``AsyncClient.block_worker``); the agreed answers below.
- ``GET /results.json``: the same as data, with the raw deliveries (to re-verify signatures).

app.py loads this file from its own directory (the example is loaded by file path).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

import crowdframe

__all__ = ["BLOCK_REASON", "BONUS_CENTS", "BONUS_REASON", "routes"]

log = logging.getLogger("sentiment")

WEBHOOK_HEADERS = ("webhook-id", "webhook-timestamp", "webhook-signature")
BONUS_CENTS = 2
BONUS_REASON = "Your answer matched the other workers' answer"
BLOCK_REASON = "Blocked by the client from the sentiment results page"
# Worth a retry (the gateway redelivers the event); any other refusal is final.
_TRANSIENT = (crowdframe.TransportError, crowdframe.ServerError, crowdframe.RateLimitError)


class _Store(Protocol):
    def record(self, event_type: str, headers: dict[str, str], body: str, result: Any) -> bool: ...
    def agree(self, data: dict[str, Any]) -> None: ...
    def crowd_reviewed(self, assignment_id: str, status: str) -> None: ...
    def bonus_paid(self, assignment_id: str, amount_cents: int) -> None: ...
    def results(self) -> list[Any]: ...
    def agreements(self) -> list[dict[str, Any]]: ...
    def delivery_count(self) -> int: ...
    def deliveries(self) -> list[Any]: ...


class _Registration(Protocol):
    project_id: str
    webhook_secret: str
    reading_test_id: str | None
    review_project_id: str | None


class _State(Protocol):
    """What these handlers use of the app's shared state (app.py's ``_App``)."""

    public_origin: str
    store: _Store
    client: crowdframe.AsyncClient
    registration: _Registration
    form_secret: str

    async def text_of(self, task_id: str) -> tuple[str, str] | None: ...


Render = Callable[..., HTMLResponse]


def _state(request: Request) -> _State:
    state: _State = request.state.sentiment
    return state


def _error(status: int, code: str, message: str, field: str) -> JSONResponse:
    return JSONResponse(
        {"error": {"code": code, "message": message, "field": field}}, status_code=status
    )


# -- receiving ------------------------------------------------------------------------------


def _result_of(event: crowdframe.WebhookEvent, text: str) -> dict[str, Any] | None:
    if event.type != "assignment.submitted" or not isinstance(event.result, dict):
        return None
    data = event.data
    sentiment = event.result.get("sentiment")
    signals = data.get("signals")
    return {
        "event_id": event.id,
        "assignment_id": str(data.get("assignment_id", "")),
        "task_id": str(data.get("task_id", "")),
        "text_id": str(data.get("external_id", "")),
        "text": text,
        "sentiment": sentiment if isinstance(sentiment, str) else "",
        "worker_id": str(data.get("worker_id", "")),
        "submitted_at": str(data.get("submitted_at", event.timestamp)),
        "signals": [str(s) for s in signals] if isinstance(signals, list) else [],
    }


def _same(a: object, b: object) -> bool:
    """Answers compared as the gateway's vote compares them: case and spacing ignored."""
    if not isinstance(a, str) or not isinstance(b, str):
        return False
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


async def pay_agreement_bonuses(
    client: crowdframe.AsyncClient, store: _Store, data: Mapping[str, Any]
) -> None:
    """A bonus for each answer that matched the agreed one (none on a tie). Transient errors
    propagate, so the event is redelivered; the idempotency key makes paying again a no-op."""
    agreed = (data.get("aggregate") or {}).get("sentiment", {}).get("value")
    for submission in data.get("submissions") or []:
        result = submission.get("result") or {}
        if not _same(result.get("sentiment"), agreed):
            continue
        assignment_id = str(submission.get("assignment_id", ""))
        try:
            bonus = await client.bonus(
                assignment_id,
                BONUS_CENTS,
                BONUS_REASON,
                idempotency_key=f"sentiment-agreement-{assignment_id}",
            )
        except _TRANSIENT:
            raise
        except crowdframe.APIError as exc:  # e.g. a rejected answer's worker is no longer paid
            log.warning("no bonus on %s: %s", assignment_id, exc)
            continue
        store.bonus_paid(assignment_id, bonus.amount_cents)


async def webhooks(request: Request) -> Response:
    state = _state(request)
    body = await request.body()
    try:
        event = crowdframe.Webhook(state.registration.webhook_secret).verify(request.headers, body)
        raw = body.decode("utf-8")
    except (crowdframe.WebhookVerificationError, UnicodeDecodeError) as exc:
        log.warning("refused a webhook: %s", exc)
        return Response(status_code=400)
    data = event.data
    registration = state.registration
    # answers to the reading test are graded by the gateway, reviews are not sentiments
    others = (registration.reading_test_id, registration.review_project_id)
    sentiment_work = data.get("project_id") not in others
    if event.type == "task.completed" and sentiment_work:
        try:
            await pay_agreement_bonuses(state.client, state.store, data)
        except _TRANSIENT as exc:
            log.warning("bonuses not paid yet (%s): the gateway will deliver again", exc)
            return Response(status_code=503)
    text = ""
    task_id = data.get("task_id")
    if event.type == "assignment.submitted" and sentiment_work and isinstance(task_id, str):
        known = await state.text_of(task_id)
        text = known[1] if known is not None else ""
    headers = {name: request.headers[name] for name in WEBHOOK_HEADERS}
    result = _result_of(event, text) if sentiment_work else None
    fresh = state.store.record(event.type, headers, raw, result)
    if fresh and event.type == "task.completed" and sentiment_work:
        state.store.agree(data)
    status, assignment_id = data.get("status"), data.get("assignment_id")
    if event.type == "assignment.crowd_reviewed" and isinstance(status, str):
        state.store.crowd_reviewed(str(assignment_id), status)
    return Response(status_code=204)


# -- the admin page ---------------------------------------------------------------------------


def _crowd_review_shown(result: Mapping[str, Any]) -> str:
    if result["crowd_review"]:
        return str(result["crowd_review"])
    return "gold: graded, not reviewed" if result["text_id"].startswith("gold-") else "pending"


async def _blocked(client: crowdframe.AsyncClient) -> set[str]:
    try:
        return {b.worker_id for b in await client.list_blocks()}
    except crowdframe.CrowdframeError as exc:
        log.warning("could not list blocks: %s", exc)
        return set()


def _same_origin(request: Request, public_origin: str) -> bool:
    """A browser says where a request comes from in Sec-Fetch-Site; otherwise the Origin, which
    is "null" under the page's no-referrer policy."""
    fetched_from = request.headers.get("sec-fetch-site")
    if fetched_from is not None:
        return fetched_from == "same-origin"
    origin = request.headers.get("origin")
    return origin in (None, "null", public_origin)


def routes(render: Render, no_store: dict[str, str]) -> list[Route]:
    """The receiving and admin routes; ``render`` renders a template (pages.py's ``html``)."""

    async def results_page(request: Request) -> Response:
        state = _state(request)
        store = state.store
        blocked = await _blocked(state.client)
        just_blocked = request.query_params.get("blocked", "")
        return render(
            "results.html",
            headers=no_store,
            results=[{**r, "crowd_review_shown": _crowd_review_shown(r)} for r in store.results()],
            agreements=store.agreements(),
            deliveries=store.delivery_count(),
            blocked=blocked,
            csrf=state.form_secret,
            bonus_cents=BONUS_CENTS,
            notice=f"Blocked {just_blocked}." if just_blocked in blocked else "",
        )

    async def results_json(request: Request) -> Response:
        store = _state(request).store
        body = {
            "results": store.results(),
            "agreements": store.agreements(),
            "deliveries": store.deliveries(),
        }
        return JSONResponse(body, headers=no_store)

    async def block(request: Request) -> Response:
        """The "Block this worker" form: same-origin, with the page's token (CSRF)."""
        state = _state(request)
        if not _same_origin(request, state.public_origin):
            return _error(403, "cross_origin", "this form is only accepted from /results", "origin")
        form = await request.form()
        token, worker_id = form.get("csrf"), form.get("worker_id")
        if not isinstance(token, str) or not hmac.compare_digest(token, state.form_secret):
            return _error(403, "csrf", "the form's token is missing or wrong: reload", "csrf")
        if not isinstance(worker_id, str) or not worker_id.startswith("wkr_"):
            return _error(422, "invalid", "a worker id (wkr_…) is required", "worker_id")
        try:
            await state.client.block_worker(worker_id, reason=BLOCK_REASON)
        except _TRANSIENT as exc:
            return _error(502, "gateway_unavailable", f"try again: {exc}", "worker_id")
        except crowdframe.CrowdframeError as exc:
            return _error(422, "not_blocked", f"the gateway refused: {exc}", "worker_id")
        return RedirectResponse("/results?blocked=" + quote(worker_id), status_code=303)

    return [
        Route("/webhooks", webhooks, methods=["POST"]),
        Route("/results", results_page, methods=["GET"]),
        Route("/results.json", results_json, methods=["GET"]),
        Route("/results/block", block, methods=["POST"]),
    ]
