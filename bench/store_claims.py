"""Claims under contention on each store, and the full work cycle on one and two gateways.

Every figure is printed as a ratio against a bare Starlette endpoint (one route answering
"ok", served by uvicorn) measured in the same run with the same client, so the numbers compare
across machines. Bounded: every measurement stops after --seconds, whatever is left.

    .venv/bin/python bench/store_claims.py [--tasks 10000 --per-task 3 --claimers 500]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import Client, Project, ProjectSpec, Task, new_id, now
from crowdframe_gateway.runtime import Store, open_store

BIN = Path(sys.executable).parent
BARE_APP = """
import sys, uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

async def ok(request):
    return PlainTextResponse("ok")

uvicorn.run(Starlette(routes=[Route("/ok", ok)]), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning")
"""
SECRET = "bench-secret-key-0123456789abcdef0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{url}: the process exited")
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def processes() -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    try:
        yield started
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def spawn(argv: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(argv: list[str], env: dict[str, str]) -> str:
    return subprocess.run(argv, check=True, capture_output=True, env=env, text=True).stdout


async def rate(work: Callable[[int], Awaitable[int]], concurrency: int, seconds: float) -> float:
    """Operations per second of ``concurrency`` loops (loop i runs ``work(i)``) for ``seconds``;
    a loop stops early when its work returns 0 (nothing left)."""
    done = 0
    stop = time.monotonic() + seconds

    async def loop(i: int) -> None:
        nonlocal done
        while time.monotonic() < stop:
            got = await work(i)
            if not got:
                return
            done += got

    started = time.monotonic()
    await asyncio.gather(*(loop(i) for i in range(concurrency)))
    return done / (time.monotonic() - started)


async def bare_baseline(concurrency: int, seconds: float) -> float:
    port = free_port()
    with processes() as started:
        argv = [sys.executable, "-c", BARE_APP, str(port)]
        started.append(spawn(argv))
        wait_http(f"http://127.0.0.1:{port}/ok", started[0])
        # one client (one connection) per loop, as each worker below has: a single httpx
        # client shared by many concurrent requests is far slower than the server it measures
        origin = f"http://127.0.0.1:{port}"
        clients = [httpx.AsyncClient(base_url=origin) for _ in range(concurrency)]
        try:

            async def one(i: int) -> int:
                (await clients[i].get("/ok")).raise_for_status()
                return 1

            return await rate(one, concurrency, seconds)
        finally:
            for client in clients:
                await client.aclose()


async def seed(store: Store, tasks: int, per_task: int) -> str:
    client = Client(new_id("cli"), "bench", ("cfts_x",), "key", now())
    await store.create_client(client, "hash-" + client.id)
    spec = ProjectSpec("bench", "http://localhost:9/t", 1, assignments_per_task=per_task)
    project = Project(new_id("prj"), client.id, spec, "active", now())
    await store.create_project(project)
    for start in range(0, tasks, 1000):
        batch = [
            Task(new_id("tsk"), project.id, f"e{i}", {"i": i}, "open", now(), now() + 86400)
            for i in range(start, min(tasks, start + 1000))
        ]
        await store.add_tasks(client.id, project.id, TaskBatch(batch, ""))
    return project.id


async def claims_per_second(url: str, args: argparse.Namespace) -> tuple[float, int]:
    store = open_store(url)
    await store.open()
    try:
        project_id = await seed(store, args.tasks, args.per_task)
        claimed = 0

        async def claim(i: int) -> int:
            nonlocal claimed
            got = await store.claim(Claim(project_id, f"w{i}", "p"), now=now())
            claimed += got is not None
            return int(got is not None)

        per_second = await rate(claim, args.claimers, args.seconds)
        return per_second, claimed
    finally:
        await store.close()


class Worker:
    """A worker's browser doing the full cycle: accept, frame page, submit."""

    def __init__(self, origins: list[str], email: str) -> None:
        self.origins, self.email, self.turn, self.csrf = origins, email, 0, ""
        self.http = httpx.AsyncClient(timeout=60)

    async def send(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        self.turn += 1
        origin = self.origins[self.turn % len(self.origins)]
        answer = await self.http.request(method, origin + path, **kwargs)  # type: ignore[arg-type]
        if found := re.search(r'name="csrf" value="([^"]+)"', answer.text):
            self.csrf = found.group(1)
        return answer

    async def sign_up(self) -> None:
        await self.send("GET", "/signup")
        form = {"csrf": self.csrf, "email": self.email, "password": "correct horse",
                "country": "DE", "languages": "de"}  # fmt: skip
        assert (await self.send("POST", "/signup", data=form)).status_code == 303
        await self.send("GET", "/work")

    async def cycle(self, project_id: str) -> int:
        answer = await self.send(
            "POST", f"/work/projects/{project_id}/accept", data={"csrf": self.csrf}
        )
        location = answer.headers.get("location", "")
        if not location.startswith("/work/assignments/"):
            return 0
        assert (await self.send("GET", location)).status_code == 200
        submitted = await self.send(
            "POST", location + "/submit", json={"result": {"ok": 1}},
            headers={"x-csrf-token": self.csrf},
        )  # fmt: skip
        assert submitted.status_code == 200, submitted.text
        return 1


async def work_cycles(redis_url: str, gateways: int, args: argparse.Namespace) -> float:
    env = {**os.environ, "CROWDFRAME_SECRET_KEY": SECRET}
    flush = f"import redis; redis.Redis.from_url({redis_url!r}).flushall()"
    run([sys.executable, "-c", flush], env)
    made = run([str(BIN / "crowdframe"), "create-client", "bench", "--store", redis_url, "--json"],
               env)  # fmt: skip
    api_key = json.loads(made)["api_key"]
    with processes() as started, tempfile.TemporaryDirectory() as data:
        origins = []
        for i in range(gateways):
            port = free_port()
            argv = [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--store",
                    redis_url, "--data-dir", f"{data}/{i}"]  # fmt: skip
            started.append(spawn(argv, env))
            wait_http(f"http://127.0.0.1:{port}/signin", started[-1])
            origins.append(f"http://127.0.0.1:{port}")
        headers = {"authorization": f"Bearer {api_key}"}
        async with httpx.AsyncClient(base_url=origins[0] + "/api/v1", headers=headers) as api:
            spec = {"title": "bench", "task_url": "http://localhost:9/t", "reward_cents": 30}
            project = await api.post("/projects", json=spec)
            project_id = project.json()["id"]
            for start in range(0, args.cycle_tasks, 1000):
                batch = [{"external_id": f"t{i}"} for i in range(start, start + 1000)]
                (await api.post(f"/projects/{project_id}/tasks", json={"tasks": batch}))
        workers = [Worker(origins, f"w{i}@example.org") for i in range(args.workers)]
        await asyncio.gather(*(w.sign_up() for w in workers))
        per_second = await rate(lambda i: workers[i].cycle(project_id), args.workers, args.seconds)
        for w in workers:
            await w.http.aclose()
        return per_second


@contextmanager
def redis_server() -> Iterator[str]:
    port = free_port()
    with tempfile.TemporaryDirectory() as directory, processes() as started:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        started.append(spawn([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no", "--dir", directory]))  # fmt: skip
        url = f"redis://127.0.0.1:{port}/0"
        import redis

        for _ in range(100):
            try:
                redis.Redis.from_url(url).ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=10_000)
    parser.add_argument("--per-task", type=int, default=3)
    parser.add_argument("--claimers", type=int, default=500)
    parser.add_argument("--workers", type=int, default=32, help="concurrent workers (cycle)")
    parser.add_argument("--cycle-tasks", type=int, default=5000)
    parser.add_argument("--seconds", type=float, default=10.0, help="cap per measurement")
    args = parser.parse_args()

    base_claims = await bare_baseline(args.claimers, args.seconds / 2)
    base_cycle = await bare_baseline(args.workers, args.seconds / 2)
    print(f"bare Starlette endpoint: {base_claims:8.0f} req/s at {args.claimers} concurrent,"
          f" {base_cycle:8.0f} req/s at {args.workers}")  # fmt: skip
    with tempfile.TemporaryDirectory() as directory, redis_server() as redis_url:
        print(f"claims under contention ({args.tasks} tasks x {args.per_task}, "
              f"{args.claimers} claimers, at most {args.seconds:.0f} s each):")  # fmt: skip
        for name, url in (("sqlite", f"sqlite:///{directory}/bench.db"), ("redis", redis_url)):
            per_second, claimed = await claims_per_second(url, args)
            print(f"  {name:6} {per_second:8.0f} claims/s ({claimed} claims)"
                  f"  ratio {per_second / base_claims:5.2f} x bare endpoint")  # fmt: skip
        print(f"full work cycle on Redis (accept + frame page + submit = 3 requests, "
              f"{args.workers} workers):")  # fmt: skip
        for gateways in (1, 2):
            per_second = await work_cycles(redis_url, gateways, args)
            print(f"  {gateways} gateway process{'es' if gateways > 1 else '  '}"
                  f" {per_second:7.1f} cycles/s  ratio {per_second / base_cycle:5.3f} x bare"
                  f" endpoint ({3 * per_second / base_cycle:5.3f} per request)")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
