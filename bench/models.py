"""The API's typed models: pydantic (what the gateway uses) against msgspec and against the hand
validation they replaced, on the two bodies that matter — a server-side submit and a batch of
500 tasks — and what reading a submit costs against a whole HTTP submit, in process.

Each figure is the best of several rounds in this process, one library after the other; the
ratios compare across machines. The goal (issue 18): reading the body costs at most 5% of the
submit path.

    .venv/bin/python bench/models.py
"""

from __future__ import annotations

import asyncio
import re
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import httpx
import msgspec

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from _hand_validation import hand_batch, hand_submit  # noqa: E402
from crowdframe_gateway.app import create_app  # noqa: E402
from crowdframe_gateway.catalog.bodies import TaskBatchBody  # noqa: E402
from crowdframe_gateway.core.validation import read  # noqa: E402
from crowdframe_gateway.work.actions import ServerSubmit  # noqa: E402
from harness import GATEWAY, ApiClient, Gateway, settings_for  # noqa: E402

ROUNDS = 5
SUBMITS = 60
GOAL_PERCENT = 5.0


class MsgspecTask(msgspec.Struct, forbid_unknown_fields=True):
    external_id: Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
    input: dict[str, Any] = {}
    gold: dict[str, Any] | None = None


class MsgspecBatch(msgspec.Struct, forbid_unknown_fields=True):
    tasks: Annotated[list[MsgspecTask], msgspec.Meta(min_length=1, max_length=1000)]


class MsgspecSubmit(msgspec.Struct, forbid_unknown_fields=True):
    token: Annotated[str, msgspec.Meta(min_length=1, max_length=4000)]
    result: dict[str, Any]


def seconds(work: Callable[[], object]) -> float:
    """Seconds one call takes, best of ``ROUNDS`` rounds of about 0.2 s each."""
    timer = timeit.Timer(work)
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=ROUNDS, number=number)) / number


def batch_body() -> dict[str, Any]:
    return {
        "tasks": [
            {
                "external_id": f"review-{i:05d}",
                "input": {
                    "text": f"Review {i}: the film was a quiet triumph, slow but never dull.",
                    "lang": "en",
                    "meta": {"source": "reviews", "stars": i % 5 + 1},
                },
            }
            for i in range(500)
        ]
    }


def submit_body(token: str) -> dict[str, Any]:
    return {
        "token": token,
        "result": {"label": "positive", "confidence": 0.9, "spans": [[4, 18], [23, 40]]},
    }


def compare(what: str, body: dict[str, Any], ways: dict[str, Callable[[], object]]) -> float:
    times = {name: seconds(way) for name, way in ways.items()}
    hand = times["hand validation"]
    print(f"{what}:")
    for name, took in times.items():
        print(f"  {name:16} {took * 1e6:9.1f} us   {hand / took:5.2f}x the hand validation")
    return times["pydantic"]


async def submit_seconds() -> tuple[float, str]:
    """Seconds a whole server-side submit takes over HTTP in process (ASGI, SQLite), the mean of
    ``SUBMITS``; and a real task token, for the model timings."""
    with tempfile.TemporaryDirectory() as data:
        app = create_app(settings_for(Path(data)), background=False)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
                gateway = Gateway(app, app.state.runtime, http, [])
                api = await gateway.client()
                project = await api.project(tasks=SUBMITS)
                worker = await gateway.worker()
                took, token = 0.0, ""
                for _ in range(SUBMITS):
                    assignment_id = await worker.accept(project["id"])
                    token = await worker.frame_token(assignment_id)
                    started = time.perf_counter()
                    answer = await _submit(api, assignment_id, token)
                    took += time.perf_counter() - started
                    assert answer.status_code == 200, answer.text
                for browser in gateway.browsers:
                    await browser.aclose()
                return took / SUBMITS, token


async def _submit(api: ApiClient, assignment_id: str, token: str) -> httpx.Response:
    return await api.call("POST", f"/assignments/{assignment_id}/submit", json=submit_body(token))


def main() -> None:
    whole, token = asyncio.run(submit_seconds())
    submit = submit_body(token)
    batch = batch_body()
    on_submit = compare(
        "a server-side submit's body",
        submit,
        {
            "hand validation": lambda: hand_submit(submit),
            "pydantic": lambda: read(ServerSubmit, submit),
            "msgspec": lambda: msgspec.convert(submit, MsgspecSubmit),
        },
    )
    compare(
        "a batch of 500 tasks",
        batch,
        {
            "hand validation": lambda: hand_batch(batch),
            "pydantic": lambda: read(TaskBatchBody, batch),
            "msgspec": lambda: msgspec.convert(batch, MsgspecBatch),
        },
    )
    share = 100 * on_submit / whole
    verdict = "ok" if share <= GOAL_PERCENT else f"over the goal of {GOAL_PERCENT}%"
    print(
        f"a whole HTTP submit in process: {whole * 1e3:.2f} ms; reading its body with the model:"
        f" {share:.3f}% of it ({verdict})"
    )
    assert re.fullmatch(r"[\w.-]+", token), "a real task token"


if __name__ == "__main__":
    main()
