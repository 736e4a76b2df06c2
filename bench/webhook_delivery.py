"""Webhook delivery on loopback, each figure beside a baseline measured in the same run.

1. Latency, submit -> webhook received: a client's server submits assignments
   (``POST /api/v1/assignments/{id}/submit``) at 200 per second to a real gateway process; a
   receiver process logs when each ``assignment.submitted`` webhook arrives. Baseline: a plain
   httpx POST to the same receiver at the same rate (send -> received). Each stream starts with
   a second of warm-up that is not counted.
2. Throughput: the gateway restarts with MESSAGES messages waiting in its outbox and delivers
   them to the receiver; deliveries per second from the first arrival to the last. Baseline: a
   plain httpx POST loop to the same receiver with as many requests in flight as the gateway
   allows one endpoint (``endpoint_concurrency``).

Goals (issue 4): p99 <= 25 ms, >= 1,000 deliveries/s.

    .venv/bin/python bench/webhook_delivery.py [--submits 1000] [--messages 5000]
        [--profile DIR] [--dump FILE]

Beside the wall-clock figures it prints the gateway process's CPU time per submit and per
delivery, which depend far less than wall-clock time on what else the machine runs.
``--profile DIR`` also records each gateway process with py-spy (``pip install py-spy``) into
DIR as collapsed stacks. bench/_work_counts.py counts SQL statements and function calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "e2e")]

from crowdframe_gateway.core.params import Claim  # noqa: E402
from crowdframe_gateway.core.records import Worker, new_id, now  # noqa: E402
from crowdframe_gateway.identity.clients import create_client  # noqa: E402
from crowdframe_gateway.identity.credentials import worker_pseudonym  # noqa: E402
from crowdframe_gateway.runtime import SqliteStore  # noqa: E402
from crowdframe_gateway.settings import Settings  # noqa: E402
from crowdframe_gateway.webhooks.transport import WebhookTransport  # noqa: E402
from crowdframe_gateway.work.tokens import TokenIssuer  # noqa: E402
from gateway_processes import Sink, start_sink  # noqa: E402
from services import BIN, Service, free_port, start_service  # noqa: E402

RATE = 200.0
SENDERS = 32
WARMUP = 200  # the first second at RATE (connections opening, code paths run first): not counted


def gateway(data: Path, port: int, logs: Path, name: str) -> Service:
    env = {"CROWDFRAME_LAUNCH_TOKEN_SECONDS": "900", "PYTHONUNBUFFERED": "1"}
    return start_service(
        name,
        [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--data-dir", str(data)],
        f"http://127.0.0.1:{port}",
        "/widgets/crowdframe-task.js",
        logs,
        env,
    )


class CpuMeter:
    """Samples a process's CPU time (user + system, Linux /proc) every few milliseconds, so the
    CPU spent between two moments can be read afterwards: unlike wall-clock figures it hardly
    depends on what else the machine is doing."""

    def __init__(self, pid: int) -> None:
        self._stat = Path(f"/proc/{pid}/stat")
        self._tick = os.sysconf("SC_CLK_TCK")
        self.samples: list[tuple[float, float]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                fields = self._stat.read_text().rpartition(")")[2].split()
            except OSError:
                return
            self.samples.append((time.time(), (int(fields[11]) + int(fields[12])) / self._tick))
            time.sleep(0.005)

    def at(self, when: float) -> float:
        """CPU seconds used by ``when`` (the last sample taken by then)."""
        used = 0.0
        for taken, cpu in self.samples:
            if taken > when:
                break
            used = cpu
        return used

    def between(self, start: float, end: float) -> float:
        return self.at(end) - self.at(start)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def profiled(service: Service, directory: Path | None) -> subprocess.Popen[bytes] | None:
    if directory is None:
        return None
    spy = shutil.which("py-spy") or str(BIN / "py-spy")
    directory.mkdir(parents=True, exist_ok=True)
    out = directory / f"{service.name}.txt"
    argv = [spy, "record", "--pid", str(service.process.pid), "--rate", "250", "--gil"]
    return subprocess.Popen(
        [*argv, "--format", "raw", "--output", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop_profile(spy: subprocess.Popen[bytes] | None) -> None:
    if spy is not None:
        spy.send_signal(2)  # SIGINT: py-spy writes what it recorded
        spy.wait(30)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def arrivals(sink: Sink, key: int) -> dict[str, float]:
    return {line[key]: float(line[0]) for line in sink.lines()}


async def paced(count: int, send: object) -> dict[int, float]:
    """Call ``send(i)`` ``count`` times at RATE per second; when each was sent."""
    sent: dict[int, float] = {}
    start = time.perf_counter()
    tasks = []
    for i in range(count):
        delay = start + i / RATE - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        sent[i] = time.time()
        tasks.append(asyncio.create_task(send(i)))  # type: ignore[operator]
    await asyncio.gather(*tasks)
    return sent


async def _plain_connect(
    _scheme: str, host: str, port: int
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection(host, port)


async def prepare(
    db: Path, origin: str, api: httpx.AsyncClient, sink: Sink, count: int
) -> tuple[list[tuple[str, str]], str, str]:
    store = SqliteStore(db, synchronous="NORMAL")
    await store.open()
    try:
        made = await create_client(store, "Bench Labs")
        api.headers["authorization"] = f"Bearer {made.api_key}"
        project = (
            await api.post(
                "/projects",
                json={"title": "Bench", "task_url": "http://localhost:9/task", "reward_cents": 1},
            )
        ).json()
        for start in range(0, count, 1000):
            batch = [
                {"external_id": f"t{i}", "input": {"i": i}}
                for i in range(start, min(count, start + 1000))
            ]
            answer = await api.post(f"/projects/{project['id']}/tasks", json={"tasks": batch})
            assert answer.status_code == 201, answer.text
        hook = (
            await api.post(
                "/webhook-endpoints",
                json={"url": sink.url, "event_types": ["assignment.submitted"]},
            )
        ).json()
        issuer = TokenIssuer(origin, 900)
        proj = await store.get_project(project["id"])
        assert proj is not None
        work: list[tuple[str, str]] = []
        for i in range(count):
            worker = Worker(new_id("wrk"), f"bench{i}@example.org", "x", "DE", ("de",), now())
            await store.create_worker(worker)
            pseudonym = worker_pseudonym(made.client.pseudonym_key, worker.id)
            assignment = await store.claim(Claim(proj.id, worker.id, pseudonym), now=now())
            assert assignment is not None
            task = await store.get_task(assignment.task_id)
            assert task is not None
            token = issuer.issue(
                made.client,
                proj,
                task,
                mode="work",
                worker_pseudonym=pseudonym,
                assignment=assignment,
            )
            work.append((assignment.id, token))
        return work, made.client.id, hook["id"]
    finally:
        await store.close()


async def latency(
    origin: str, data: Path, sink: Sink, count: int, meter: CpuMeter, dump: list[str] | None
) -> tuple[list[float], list[float], float, tuple[str, str]]:
    async with httpx.AsyncClient(base_url=origin + "/api/v1", timeout=30) as api:
        total = WARMUP + count
        work, client_id, endpoint_id = await prepare(
            data / "crowdframe.db", origin, api, sink, total
        )

        # The load generator must not be the bottleneck, nor take the CPU the gateway needs:
        # httpx costs about a millisecond of CPU per request, so the submits go out on the
        # gateway's own small HTTP/1.1 client (keep-alive connections, one per request in
        # flight). The baseline below stays a plain httpx POST.
        sender = WebhookTransport(_plain_connect, keep_per_origin=SENDERS)
        headers = {"authorization": api.headers["authorization"]}
        headers["content-type"] = "application/json"

        async def submit(i: int) -> None:
            aid, token = work[i]
            body = json.dumps({"token": token, "result": {"label": i}}).encode()
            status, text = await sender.post(
                f"{origin}/api/v1/assignments/{aid}/submit", headers, body, keep_bytes=500
            )
            assert status == 200, text

        try:
            sent = await paced(total, submit)
        finally:
            await sender.aclose()
        await wait_for(sink, lambda: len(sink.lines()) >= total)
        got = arrivals(sink, 2)
        gateway_ms = [(got[work[i][0]] - sent[i]) * 1000 for i in range(WARMUP, total)]
        if dump is not None:  # when each submit went out, and its latency
            dump.extend(f"{sent[i]:.6f} {ms:.3f}" for i, ms in enumerate(gateway_ms, WARMUP))
        await asyncio.sleep(0.05)  # the last sample lands after the last arrival
        cpu = meter.between(sent[WARMUP], max(got.values())) / count

    before = len(sink.lines())
    async with httpx.AsyncClient(timeout=30) as plain:

        async def post(i: int) -> None:
            answer = await plain.post(
                sink.url, content=b'{"data":{}}', headers={"webhook-id": f"base{i}"}
            )
            assert answer.status_code == 200

        sent = await paced(total, post)
    await wait_for(sink, lambda: len(sink.lines()) >= before + total)
    got = arrivals(sink, 1)
    baseline_ms = [(got[f"base{i}"] - sent[i]) * 1000 for i in range(WARMUP, total)]
    return gateway_ms, baseline_ms, cpu, (client_id, endpoint_id)


async def wait_for(sink: Sink, condition: object, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out; the receiver has {len(sink.lines())} lines")
        await asyncio.sleep(0.05)


async def preload(db: Path, client_id: str, endpoint_id: str, count: int) -> set[str]:
    store = SqliteStore(db, synchronous="NORMAL")
    await store.open()
    ids: set[str] = set()
    try:
        for n in range(count):
            _event, messages = await store.record_event(
                client_id, "endpoint.test", {"n": n}, endpoint_id=endpoint_id
            )
            ids.update(messages)
    finally:
        await store.close()
    return ids


def rate(times: list[float]) -> float:
    return (len(times) - 1) / (max(times) - min(times))


async def baseline_throughput(sink: Sink, count: int, concurrency: int) -> float:
    before = len(sink.lines())
    async with httpx.AsyncClient(timeout=30) as plain:
        queue = iter(range(count))

        async def worker() -> None:
            for i in queue:
                await plain.post(
                    sink.url, content=b'{"data":{}}', headers={"webhook-id": f"thr{i}"}
                )

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    await wait_for(sink, lambda: len(sink.lines()) >= before + count)
    return rate([float(line[0]) for line in sink.lines() if line[1].startswith("thr")])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--submits", type=int, default=1000, help="submissions at 200/s (1000)")
    parser.add_argument("--messages", type=int, default=5000, help="messages to deliver (5000)")
    parser.add_argument("--profile", type=Path, help="record the gateways with py-spy into DIR")
    parser.add_argument("--dump", type=Path, help="write each submit's send time and latency")
    args = parser.parse_args()
    per_endpoint = Settings().endpoint_concurrency
    with tempfile.TemporaryDirectory(prefix="cf-bench-") as tmp:
        work_dir = Path(tmp)
        data = work_dir / "data"
        sink = start_sink(work_dir)
        port = free_port()
        first = gateway(data, port, work_dir, "gateway")
        meter = CpuMeter(first.process.pid)
        spy = profiled(first, args.profile)
        dumped: list[str] | None = None if args.dump is None else []
        try:
            gateway_ms, baseline_ms, submit_cpu, (client_id, endpoint_id) = asyncio.run(
                latency(first.origin, data, sink, args.submits, meter, dumped)
            )
        finally:
            meter.stop()
            stop_profile(spy)
            first.stop()
        ids = asyncio.run(preload(data / "crowdframe.db", client_id, endpoint_id, args.messages))
        second = gateway(data, port, work_dir, "gateway-again")
        meter = CpuMeter(second.process.pid)
        spy = profiled(second, args.profile)
        try:
            asyncio.run(wait_for(sink, lambda: ids <= set(sink.ids())))
            time.sleep(0.05)
        finally:
            meter.stop()
            stop_profile(spy)
            second.stop()
        times = [float(line[0]) for line in sink.lines() if line[1] in ids]
        delivered = rate(times)
        if args.dump is not None and dumped is not None:
            args.dump.write_text("".join(f"{line}\n" for line in dumped))
        delivery_cpu = meter.between(min(times), max(times)) / (len(times) - 1)
        plain = asyncio.run(baseline_throughput(sink, args.messages, per_endpoint))
        sink.stop()

    print(f"webhook delivery on loopback ({os.cpu_count()} CPUs, SQLite synchronous=FULL)")
    print(f"1. submit -> webhook received, {args.submits} submits at {RATE:.0f}/s")
    for name, q in (("p50", 50), ("p99", 99)):
        ours, base = percentile(gateway_ms, q), percentile(baseline_ms, q)
        print(
            f"   {name}: gateway {ours:7.2f} ms   plain POST {base:6.2f} ms"
            f"   ratio {ours / base:5.1f}x"
        )
    print(f"   mean: gateway {statistics.mean(gateway_ms):7.2f} ms   (goal p99 <= 25 ms)")
    print(f"   gateway CPU per submit, its webhook included: {submit_cpu * 1e6:6.0f} µs")
    print(f"2. deliveries/s to one fast receiver, {args.messages} messages")
    print(
        f"   gateway {delivered:7.0f}/s   plain POST loop ({per_endpoint} in flight) {plain:7.0f}/s"
        f"   ratio {delivered / plain:4.2f}   (goal >= 1000/s)"
    )
    print(f"   gateway CPU per delivery: {delivery_cpu * 1e6:6.0f} µs")


if __name__ == "__main__":
    main()
