"""Sentiment of short reviews: a small Crowdframe client app, built with Starlette and the SDK.

What a client of Crowdframe writes, end to end, using every step of the quality process
(docs/quality.md, "Worked example"):

- on startup it registers its work with the gateway (``registration.py``: a project with three
  workers per task, a tenth of claims gold and crowd review, a batch of review texts, a webhook
  endpoint), remembering what it made in its own SQLite file (``storage.py``) so a restart
  creates nothing twice;
- ``GET /task`` is the task page the gateway shows workers in an iframe: it verifies the launch
  token (``cf_token``) offline with the SDK and renders the review with three choices;
  ``static/task.js`` talks to the gateway through ``crowdframe-task.js``;
- an English reading test (``assessment.py``) that the project requires: a qualification test
  shown on the same task page;
- ``GET /review`` is the crowd review page (``review.py``): other workers see one answer and
  approve or reject it; their majority verdict reviews the answer;
- ``POST /webhooks`` receives the results, signed the Standard Webhooks way, and pays a bonus to
  each worker whose answer matched the agreed one; ``GET /results`` is the client's admin page:
  answers with their fraud signals and crowd review, and a form to block a worker
  (``results.py``).

Run it next to a gateway (``crowdframe create-client Sentiment`` prints the two secrets)::

    CROWDFRAME_API_KEY=cfk_... CROWDFRAME_SIGNING_SECRET=cfts_... \\
        python examples/sentiment/app.py --gateway http://127.0.0.1:8000 --port 8001

It is ``app.py`` plus its sibling modules, ``templates/`` and ``static/``, loaded by file path
(``crowdframe demo`` does), so ``app.py`` loads its siblings the same way.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import re
import sys
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

import crowdframe

__all__ = ["REVIEWS", "SentimentConfig", "SentimentStore", "create_app", "main", "review_tasks"]

HERE = Path(__file__).resolve().parent
log = logging.getLogger("sentiment")


def _sibling(name: str) -> ModuleType:
    """A module beside this file: the example is loaded by path, not imported as a package."""
    full_name = f"{__name__}_{name}"
    spec = importlib.util.spec_from_file_location(full_name, HERE / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[full_name] = module  # before exec: dataclasses look their module up
    spec.loader.exec_module(module)
    return module


storage = _sibling("storage")
pages = _sibling("pages")
registration = _sibling("registration")
assessment = _sibling("assessment")
review = _sibling("review")
results = _sibling("results")

SentimentStore = storage.SentimentStore
REVIEWS = registration.REVIEWS
review_tasks = registration.review_tasks
SENTIMENTS = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}


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


@dataclass(frozen=True)
class Registration:
    """What the app registered with the gateway (results.py reads it)."""

    project_id: str
    webhook_secret: str
    reading_test_id: str | None = None
    review_project_id: str | None = None


async def register(
    client: crowdframe.AsyncClient,
    store: Any,
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
    project = await registration.project(
        client,
        store,
        task_url,
        [test_id] if test_id else [],
        review.crowd_review_settings(public_origin),
    )
    await registration.tasks(client, store, project.id)
    secret = await registration.webhook_endpoint(client, store, public_origin + "/webhooks")
    return Registration(project.id, secret, test_id, project.review_project_id)


# -- the frame pages --------------------------------------------------------------------------


@dataclass(frozen=True)
class _App:
    """What the handlers share, set up by the lifespan."""

    config: SentimentConfig
    public_origin: str
    gateway_origin: str
    store: Any  # storage.SentimentStore
    client: crowdframe.AsyncClient
    registration: Registration
    form_secret: str  # the results page's forms carry it (results.py)

    async def text_of(self, task_id: str) -> tuple[str, str] | None:
        """``(external_id, text)`` of a task: from the batch answer, else asked of the gateway."""
        known: tuple[str, str] | None = self.store.text_of(task_id)
        if known is not None:
            return known
        try:
            task = await self.client.get_task(task_id)
        except crowdframe.NotFoundError:
            return None
        text = task.input.get("text")
        if not isinstance(text, str):
            return None
        self.store.remember_texts([(task.id, task.external_id, text)])
        return task.external_id, text


def _app(request: Request) -> _App:
    state: _App = request.state.sentiment
    return state


Verified = tuple[crowdframe.TaskTokenClaims, str, dict[str, str]]  # claims, gateway, headers
FramedPage = Callable[[_App, Verified], Awaitable[Response]]


def _framed(render: FramedPage) -> Callable[[Request], Awaitable[Response]]:
    """A page shown in the gateway's frame: the launch token is verified first (a refusal
    page if it fails), then ``render`` gets the claims, the gateway's origin and the headers."""

    async def page(request: Request) -> Response:
        state = _app(request)
        verified: Verified | HTMLResponse = pages.verified(
            request, state.config.signing_secret, state.public_origin, state.gateway_origin
        )
        if isinstance(verified, HTMLResponse):
            return verified
        return await render(state, verified)

    return page


@_framed
async def task_page(state: _App, verified: Verified) -> Response:
    claims, gateway, headers = verified
    found = await state.text_of(claims.tid)
    if found is None:
        return pages.refused(state.gateway_origin, "This app does not know that task.", 404)
    text_id, text = found
    response: Response = pages.html(
        "task.html",
        200,
        headers,
        text=text,
        text_id=text_id,
        mode=claims.mode,
        choices=SENTIMENTS,
        widget_url=f"{gateway}/widgets/crowdframe-task.js",
    )
    return response


@_framed
async def review_page(state: _App, verified: Verified) -> Response:
    """Crowd review: one answer of another worker, to approve or reject."""
    claims, gateway, headers = verified
    try:
        task = await state.client.get_task(claims.tid)
    except crowdframe.NotFoundError:
        return pages.refused(state.gateway_origin, "This app does not know that task.", 404)
    answer = review.answer_under_review(task.input, SENTIMENTS)
    if answer is None:
        return pages.refused(state.gateway_origin, "This task is not an answer to review.", 404)
    response: Response = pages.html(
        "review.html",
        200,
        headers,
        text=answer["text"],
        given=answer["sentiment"],
        mode=claims.mode,
        widget_url=f"{gateway}/widgets/crowdframe-task.js",
    )
    return response


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
        store = storage.SentimentStore(Path(config.data_dir) / "sentiment.db")
        try:
            async with crowdframe.AsyncClient(config.api_key, config.gateway_url) as client:
                try:
                    registered = await register(
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
                shared = _App(
                    config,
                    public_origin,
                    gateway_origin,
                    store,
                    client,
                    registered,
                    store.form_secret(),
                )
                yield {"sentiment": shared}
        finally:
            store.close()

    return Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/task", task_page, methods=["GET"]),
            Route("/review", review_page, methods=["GET"]),
            *results.routes(pages.html, pages.NO_STORE),
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
