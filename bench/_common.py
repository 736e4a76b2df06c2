"""What the benchmarks share: processes on free loopback ports (a redis-server, a bare
Starlette endpoint, gateway processes), a bounded rate loop, and a worker's browser doing the
full work cycle (accept, frame page, submit) over HTTP.

Every HTTP figure is meant as a ratio against the bare Starlette endpoint (one route answering
"ok", served by uvicorn) measured in the same run with the same client, so the numbers compare
across machines.
"""

from __future__ import annotations

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

__all__ = [
    "BIN",
    "SECRET",
    "Worker",
    "bare_baseline",
    "free_port",
    "processes",
    "rate",
    "redis_server",
    "run",
    "spawn",
    "wait_http",
    "work_cycles",
]

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
    """The processes appended to the list are terminated (killed if they linger) on exit."""
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
    """Requests a second the bare Starlette endpoint answers to ``concurrency`` clients."""
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


async def work_cycles(
    store_url: str,
    gateways: int,
    *,
    workers: int,
    tasks: int,
    seconds: float,
    env_extra: dict[str, str] | None = None,
) -> float:
    """Full work cycles a second (accept + frame page + submit, 3 requests each) of
    ``workers`` signed-up workers on ``gateways`` gateway processes sharing ``store_url``: a
    Redis (emptied first) or a SQLite file (which should not exist yet)."""
    env = {**os.environ, "CROWDFRAME_SECRET_KEY": SECRET, **(env_extra or {})}
    if not store_url.startswith("sqlite:"):
        flush = f"import redis; redis.Redis.from_url({store_url!r}).flushall()"
        run([sys.executable, "-c", flush], env)
    made = run([str(BIN / "crowdframe"), "create-client", "bench", "--store", store_url, "--json"],
               env)  # fmt: skip
    api_key = json.loads(made)["api_key"]
    with processes() as started, tempfile.TemporaryDirectory() as data:
        origins = []
        for i in range(gateways):
            port = free_port()
            argv = [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--store",
                    store_url, "--data-dir", f"{data}/{i}"]  # fmt: skip
            started.append(spawn(argv, env))
            wait_http(f"http://127.0.0.1:{port}/signin", started[-1])
            origins.append(f"http://127.0.0.1:{port}")
        headers = {"authorization": f"Bearer {api_key}"}
        async with httpx.AsyncClient(base_url=origins[0] + "/api/v1", headers=headers) as api:
            spec = {"title": "bench", "task_url": "http://localhost:9/t", "reward_cents": 30}
            project = await api.post("/projects", json=spec)
            project_id = project.json()["id"]
            for start in range(0, tasks, 1000):
                batch = [{"external_id": f"t{i}"} for i in range(start, min(tasks, start + 1000))]
                (await api.post(f"/projects/{project_id}/tasks", json={"tasks": batch}))
        browsers = [Worker(origins, f"w{i}@example.org") for i in range(workers)]
        await asyncio.gather(*(w.sign_up() for w in browsers))
        per_second = await rate(lambda i: browsers[i].cycle(project_id), workers, seconds)
        for w in browsers:
            await w.http.aclose()
        return per_second


@contextmanager
def redis_server() -> Iterator[str]:
    """A redis-server (no persistence) on a free loopback port, stopped on exit: its URL."""
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
