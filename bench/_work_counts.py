"""How much work one submit and one webhook delivery cost, counted rather than timed.

Wall-clock figures on a shared machine move with its other work; these hardly do. In one
process, on a SQLite store (synchronous=FULL):

- submit: ``POST /api/v1/assignments/{id}/submit`` through the ASGI app (no HTTP server), with
  one webhook endpoint subscribed; per submit: SQL statements, Python function calls
  (cProfile), CPU µs (process time, without the profiler);
- delivery: the delivery loop sending MESSAGES waiting messages to a real receiver process
  (tests/webhook_sink.py); per delivery: SQL statements, function calls, CPU µs.

    .venv/bin/python bench/_work_counts.py [--submits 300] [--messages 2000] [--top 25]

``--top N`` also prints the N functions with the most own time for each, from cProfile.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "e2e")]

from crowdframe_gateway.app import create_app  # noqa: E402
from crowdframe_gateway.core.params import Claim  # noqa: E402
from crowdframe_gateway.core.records import Worker, new_id, now  # noqa: E402
from crowdframe_gateway.identity.clients import create_client  # noqa: E402
from crowdframe_gateway.identity.credentials import worker_pseudonym  # noqa: E402
from crowdframe_gateway.runtime import Runtime  # noqa: E402
from crowdframe_gateway.webhooks.delivery import Deliverer  # noqa: E402
from crowdframe_gateway.webhooks.endpoints import create_endpoint  # noqa: E402
from gateway_processes import Sink, start_sink  # noqa: E402
from harness import GATEWAY, settings_for  # noqa: E402

SHOW_SQL = False


class Counted:
    """SQL statements the store's connection runs, and a cProfile of the same stretch."""

    def __init__(self, rt: Runtime) -> None:
        self.statements = 0
        self.db = rt.store._conn()  # type: ignore[attr-defined]

    def _count(self, sql: str) -> None:
        self.statements += 1
        if SHOW_SQL:
            print("   SQL", " ".join(sql.split())[:150])

    async def run(self, work: Callable[[], Awaitable[None]], profile: bool) -> tuple[int, float]:
        """Statements run and CPU seconds used by ``work`` (profiled when ``profile``)."""
        self.db.set_trace_callback(self._count)
        profiler = cProfile.Profile() if profile else None
        started = time.process_time()
        if profiler is not None:
            profiler.enable()
        try:
            await work()
        finally:
            if profiler is not None:
                profiler.disable()
            self.db.set_trace_callback(None)
        self.profile = profiler
        return self.statements, time.process_time() - started


def report(name: str, count: int, statements: int, cpu: float, calls: int) -> None:
    print(
        f"{name}: {statements / count:5.1f} SQL statements, {calls / count:6.0f} function calls,"
        f" {cpu / count * 1e6:6.0f} µs CPU each ({count} measured)"
    )


async def submits(rt: Runtime, http: httpx.AsyncClient, count: int, top: int) -> None:
    made = await create_client(rt.store, "Counts")
    auth = {"authorization": f"Bearer {made.api_key}"}
    sink_dir = Path(tempfile.mkdtemp(prefix="cf-counts-"))
    sink = start_sink(sink_dir)
    try:
        project = (
            await http.post(
                "/api/v1/projects",
                headers=auth,
                json={"title": "Counts", "task_url": "http://localhost:9/t", "reward_cents": 1},
            )
        ).json()
        batch = [{"external_id": f"t{i}", "input": {"i": i}} for i in range(count * 3)]
        await http.post(
            f"/api/v1/projects/{project['id']}/tasks", headers=auth, json={"tasks": batch}
        )
        await http.post(
            "/api/v1/webhook-endpoints",
            headers=auth,
            json={"url": sink.url, "event_types": ["assignment.submitted"]},
        )
        proj = await rt.store.get_project(project["id"])
        assert proj is not None
        work = []
        for i in range(count * 2):
            worker = Worker(new_id("wrk"), f"c{i}@example.org", "x", "DE", ("de",), now())
            await rt.store.create_worker(worker)
            pseudonym = worker_pseudonym(made.client.pseudonym_key, worker.id)
            assignment = await rt.store.claim(Claim(proj.id, worker.id, pseudonym), now=now())
            assert assignment is not None
            task = await rt.store.get_task(assignment.task_id)
            assert task is not None
            token = rt.tokens.issue(
                made.client, proj, task, mode="work", worker_pseudonym=pseudonym,
                assignment=assignment,
            )  # fmt: skip
            work.append((assignment.id, token))

        async def submit(items: list[tuple[str, str]]) -> None:
            for aid, token in items:
                answer = await http.post(
                    f"/api/v1/assignments/{aid}/submit",
                    headers=auth,
                    json={"token": token, "result": {"label": aid[-1]}},
                )
                assert answer.status_code == 200, answer.text

        counted = Counted(rt)
        _, cpu = await counted.run(lambda: submit(work[:count]), profile=False)
        counted = Counted(rt)
        statements, _ = await counted.run(lambda: submit(work[count:]), profile=True)
        stats = pstats.Stats(counted.profile)  # type: ignore[arg-type]
        report("submit", count, statements, cpu, stats.total_calls)  # type: ignore[attr-defined]
        if top:
            stats.sort_stats("tottime").print_stats(top)
    finally:
        sink.stop()


async def deliveries(rt: Runtime, count: int, top: int) -> None:
    sink = start_sink(Path(tempfile.mkdtemp(prefix="cf-counts-")))
    try:
        made = await create_client(rt.store, "Receiver")
        endpoint = await create_endpoint(rt, made.client, {"url": sink.url})
        measured = [
            await deliver(rt, sink, endpoint.id, count, profile) for profile in (False, True)
        ]
        stats = pstats.Stats(measured[1][0].profile)  # type: ignore[arg-type]
        calls = stats.total_calls  # type: ignore[attr-defined]
        report("delivery", count, measured[1][0].statements, measured[0][1], calls)
        if top:
            stats.sort_stats("tottime").print_stats(top)
    finally:
        sink.stop()


async def deliver(
    rt: Runtime, sink: Sink, endpoint_id: str, count: int, profile: bool
) -> tuple[Counted, float]:
    """``count`` messages put in the outbox, then delivered: what the delivering cost."""
    client_id = (await rt.store.get_endpoint(endpoint_id)).client_id  # type: ignore[union-attr]
    for n in range(count):
        await rt.store.record_event(client_id, "endpoint.test", {"n": n}, endpoint_id=endpoint_id)
    goal = arrived(sink) + count
    deliverer = Deliverer(rt)

    async def deliver_all() -> None:
        task = asyncio.create_task(deliverer.run())
        deadline = time.monotonic() + 120
        while arrived(sink) < goal:
            if time.monotonic() > deadline:
                raise SystemExit("the deliveries did not arrive in 2 minutes")
            await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await deliverer.aclose()

    counted = Counted(rt)
    _, cpu = await counted.run(deliver_all, profile=profile)
    return counted, cpu


def arrived(sink: Sink) -> int:
    """Requests the receiver logged (cheaply: the polling is part of what is measured)."""
    return sink.log.read_bytes().count(b"\n") if sink.log.exists() else 0


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submits", type=int, default=300)
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--top", type=int, default=0, help="print the N costliest functions")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="cf-counts-") as tmp:
        settings = settings_for(Path(tmp), sqlite_synchronous="FULL")
        app = create_app(settings, background=False)
        async with app.router.lifespan_context(app):
            rt: Runtime = app.state.runtime
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
                await submits(rt, http, args.submits, args.top)
                await deliveries(rt, args.messages, args.top)


if __name__ == "__main__":
    asyncio.run(main())
