"""How each hot path's cost grows with the work behind it, on both stores (issue 13).

At store level (the ``Store`` that ``open_store`` gives), one operation at a time: the median
latency of N timed runs after a warm-up, at a small and a large size, and the growth factor
(large median / small median), which should stay within 1.5x. The sizes: a pool of tasks, the
tasks a worker did or that other workers hold, the earlier submissions from one address, the
active (and paused) projects of the task list, the answers an export reads. On Redis every
Lua script over 1 ms is caught by SLOWLOG, per measured operation. Then the full work cycle
(accept, frame page, submit) over HTTP against a gateway process on each store, as a ratio to
a bare Starlette endpoint measured in the same run.

Setup goes through the store API and is not timed; progress lines say where it is. Each
measurement stops after --seconds (fewer runs are shown as n=...). SQLite runs with
``synchronous=NORMAL`` unless told otherwise: a commit's fsync (about 3 ms on this kind of
machine) would hide what the data structures cost; the work cycle is also shown with FULL, the
gateway's default. Sizes are given as the list of sizes to measure at (smallest first), e.g.
``--done 1000 10000``; the table compares the first and the last.

    .venv/bin/python bench/scaling.py [--quick] [--full] [--runs 200] [--markdown PATH]
    .venv/bin/python bench/scaling.py --cycle-only [--cycle-seconds 10]   # the work cycle alone
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import redis
from _common import SECRET, bare_baseline, redis_server, work_cycles
from crowdframe_gateway.catalog.export import ExportQuery, export_chunks
from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.params import Claim, Submission
from crowdframe_gateway.core.records import Assignment, Client, Project, ProjectSpec, Task, new_id
from crowdframe_gateway.core.records import now as wall_now
from crowdframe_gateway.quality.process import address_hash, record_submission
from crowdframe_gateway.runtime import Runtime, Store, open_store
from crowdframe_gateway.settings import Settings
from crowdframe_gateway.store.redis.scripts import SCRIPTS
from crowdframe_gateway.work.rules import TASK_LIST_PAGE
from crowdframe_gateway.work.tokens import TokenIssuer

GOAL = 1.5  # largest growth from the smallest size to the largest
SLOW_US = 1000  # a Redis script over this many microseconds holds every gateway
BATCH = 1000  # tasks per add_tasks call
ADDRESS = "203.0.113.7"  # the one shared address of the submit path
ADDRESS_WORKERS = 1000  # workers who made the earlier submissions from it
FEW_ACTIVE = 10  # active projects beside the paused ones
TASKS_PER_PROJECT = 3  # in the task list's many projects
SEED_LOOPS = 8  # setup loops at once in a process (on SQLite they run one after the other)
SEED_PROCESSES = 2  # processes sharing the earlier submissions' setup on Redis
SEED_CHILD_MIN = 5000  # fewer: in this process
MOST_SEATS = 100  # assignments a task, the most a project may ask (catalog/projects.py)
LONG = 7 * 24 * 3600  # tasks and assignments outlive any run: nothing expires meanwhile


# -- what the task list calls ------------------------------------------------------------------


async def task_list(store: Store, worker_id: str) -> int:
    """The first page of the worker's task list as ``/work`` reads it from the store: how many
    projects it shows."""
    return len((await store.open_projects(worker_id, now=wall_now())).items)


# -- timing -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Config:
    runs: int
    warmup: int
    seconds: float  # cap on one measurement's timed runs (the warm-up has a quarter of it)
    export_runs: int


class Clock:
    """The timed part of each run, around ``with clock.timing():``."""

    def __init__(self) -> None:
        self.samples: list[float] = []

    @contextmanager
    def timing(self) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.samples.append(time.perf_counter() - started)


Step = Callable[[Clock], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Slow:
    """SLOWLOG entries of one measurement, name -> (how many, the longest in µs): the Lua
    scripts, and the other commands (Redis 7 logs the commands a script runs too, inside its
    time: on a busy machine a single ZSCORE over 1 ms is the process waiting for a core)."""

    scripts: dict[str, tuple[int, int]]
    commands: dict[str, tuple[int, int]]

    @property
    def script_count(self) -> int:
        return sum(n for n, _ in self.scripts.values())

    @property
    def longest_script(self) -> int:
        return max((us for _, us in self.scripts.values()), default=0)

    def describe(self) -> str:
        if not self.scripts and not self.commands:
            return "none"
        parts = [
            f"{name} {n}x (max {us} µs)"
            for name, (n, us) in sorted(self.scripts.items(), key=lambda item: -item[1][1])
        ]
        if self.commands:
            count = sum(n for n, _ in self.commands.values())
            longest = max(us for _, us in self.commands.values())
            names = ", ".join(sorted(self.commands))
            parts.append(f"other commands {count}x (max {longest} µs: {names})")
        return "; ".join(parts)


OWN = ("SLOWLOG", "CONFIG")  # SlowLog's own commands, not counted


class SlowLog:
    """Redis's SLOWLOG, set to log every command over ``SLOW_US``; EVALSHA named by script."""

    def __init__(self, url: str) -> None:
        self.r = redis.Redis.from_url(url)
        self.r.config_set("slowlog-log-slower-than", SLOW_US)
        self.r.config_set("slowlog-max-len", 100_000)
        self.names = {script.sha: script.name for script in SCRIPTS.values()}

    def reset(self) -> None:
        self.r.slowlog_reset()

    def collect(self) -> Slow:
        scripts: dict[str, tuple[int, int]] = {}
        commands: dict[str, tuple[int, int]] = {}
        for entry in self.r.slowlog_get(100_000):
            words = entry["command"].decode(errors="replace").split()
            name = words[0].upper() if words else "?"
            if name in OWN:
                continue
            found = commands
            if name in ("EVALSHA", "EVAL") and len(words) > 1:
                name, found = self.names.get(words[1], "unknown script") + ".lua", scripts
            n, longest = found.get(name, (0, 0))
            found[name] = (n + 1, max(longest, int(entry["duration"])))
        self.reset()
        return Slow(scripts, commands)


@dataclass(frozen=True, slots=True)
class Measured:
    value: float  # median: milliseconds, or rows a second for a rate
    runs: int
    wanted: int  # runs asked for (fewer: the time cap stopped it)
    slow: Slow | None


async def measure(step: Step, cfg: Config, slowlog: SlowLog | None) -> Measured:
    """The median of ``cfg.runs`` timed runs of ``step`` after ``cfg.warmup`` untimed ones,
    each followed by a turn of the event loop (as between requests)."""
    warm_until = time.monotonic() + cfg.seconds / 4
    for _ in range(cfg.warmup):
        await step(Clock())
        await asyncio.sleep(0)
        if time.monotonic() > warm_until:
            break
    if slowlog is not None:
        slowlog.reset()
    clock = Clock()
    stop = time.monotonic() + cfg.seconds
    while len(clock.samples) < cfg.runs and (not clock.samples or time.monotonic() < stop):
        await step(clock)
        await asyncio.sleep(0)
    slow = None if slowlog is None else slowlog.collect()
    return Measured(statistics.median(clock.samples) * 1000, len(clock.samples), cfg.runs, slow)


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    operation: str
    sizes: tuple[str, str]
    small: Measured
    large: Measured
    rate: bool  # a rate (rows/s): growth is the time a row takes, large over small

    @property
    def growth(self) -> float:
        if self.rate:
            return self.small.value / self.large.value
        return self.large.value / self.small.value

    @property
    def verdict(self) -> str:
        return f"ok (≤ {GOAL}x)" if self.growth <= GOAL else f"GROWS (> {GOAL}x)"

    @staticmethod
    def shown(m: Measured, rate: bool) -> str:
        value = f"{m.value / 1000:.1f}k rows/s" if rate else f"{m.value:.3f} ms"
        return value if m.runs >= m.wanted else f"{value} (n={m.runs})"


@dataclass
class Table:
    """One store's rows: each operation measured at its smallest size first, then larger."""

    store: str
    measured: dict[str, list[tuple[str, Measured]]] = field(default_factory=dict)
    rates: set[str] = field(default_factory=set)

    def add(self, operation: str, size: str, m: Measured, *, rate: bool = False) -> None:
        self.measured.setdefault(operation, []).append((size, m))
        if rate:
            self.rates.add(operation)
        unit = "rows/s" if rate else "ms"
        slow = "" if m.slow is None else f"; slow: {m.slow.describe()}"
        progress(f"[{self.store}] {operation} @ {size}: {m.value:.3f} {unit} ({m.runs} runs{slow})")

    def rows(self) -> list[Row]:
        return [
            Row(op, (got[0][0], got[-1][0]), got[0][1], got[-1][1], op in self.rates)
            for op, got in self.measured.items()
            if len(got) > 1
        ]


GROWTH = "growth: median large / median small; for rows/s, the time a row takes"
HEADER = ("operation", "small", "large", "median small", "median large", "growth", "verdict")


def table_lines(table: Table) -> list[tuple[str, ...]]:
    return [
        (
            r.operation,
            *r.sizes,
            r.shown(r.small, r.rate),
            r.shown(r.large, r.rate),
            f"{r.growth:.1f}x",
            r.verdict,
        )
        for r in table.rows()
    ]


def slow_lines(table: Table) -> list[tuple[str, ...]]:
    return [
        (op, size, str(m.runs), str(m.slow.script_count), f"{m.slow.longest_script} µs",
         m.slow.describe())
        for op, got in table.measured.items()
        for size, m in got
        if m.slow is not None
    ]  # fmt: skip


def console(rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in rows
    )


def markdown(rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * len(rows[0])]
    return "\n".join([*lines, *("| " + " | ".join(r) + " |" for r in rows[1:])])


_started = time.monotonic()


def progress(text: str) -> None:
    print(f"  {time.monotonic() - _started:6.1f}s  {text}", flush=True)


def human(n: int) -> str:
    for unit, size in (("M", 1_000_000), ("k", 1000)):
        if n >= size and n % (size // 10) == 0:
            return f"{n / size:g}{unit}"
    return str(n)


# -- setting up, through the store API -------------------------------------------------------


class Seeder:
    """One client's projects, tasks and work, made through the store API."""

    def __init__(self, store: Store, client: Client) -> None:
        self.store, self.client = store, client

    @classmethod
    async def create(cls, store: Store) -> Seeder:
        client = Client(new_id("cli"), "bench", ("cfts_bench",), "pseudonym-key", wall_now())
        await store.create_client(client, "hash-" + client.id)
        return cls(store, client)

    async def project(self, *, per_task: int = 1) -> Project:
        spec = ProjectSpec(
            "bench",
            "http://localhost:9/t",
            1,
            assignments_per_task=per_task,
            assignment_duration=LONG,
        )
        project = Project(new_id("prj"), self.client.id, spec, "active", wall_now())
        await self.store.create_project(project)
        return project

    async def tasks(self, project: Project, count: int, *, start: int = 0) -> None:
        """``count`` more tasks, in batches, with a turn of the event loop after each."""
        for first in range(start, start + count, BATCH):
            at = wall_now()
            batch = [
                Task(new_id("tsk"), project.id, f"e{i}", {"i": i}, "open", at, at + LONG)
                for i in range(first, min(start + count, first + BATCH))
            ]
            await self.store.add_tasks(self.client.id, project.id, TaskBatch(batch, ""))
            await asyncio.sleep(0)


async def claim_task(store: Store, project_id: str, worker_id: str) -> Assignment:
    got = await store.claim(Claim(project_id, worker_id, "p-" + worker_id), now=wall_now())
    if got is None:
        raise RuntimeError(f"no task left for {worker_id} in {project_id}: too few tasks")
    return got


async def answer(store: Store, assignment: Assignment, ip_hash: str | None = None) -> None:
    submission = Submission({"label": "x"}, ip_hash=ip_hash)
    await store.submit(assignment.id, submission, now=wall_now())


async def submit_share(store: Store, project_id: str, share: range, ip_hash: str) -> None:
    """Submissions ``share`` of the earlier ones from the address, each by one of
    ``ADDRESS_WORKERS`` workers, from a few loops at once (their round trips overlap)."""

    async def loop(part: range) -> None:
        for n in part:
            got = await claim_task(store, project_id, f"addr-{n % ADDRESS_WORKERS}")
            await answer(store, got, ip_hash)
            await asyncio.sleep(0)

    await asyncio.gather(*(loop(share[i::SEED_LOOPS]) for i in range(SEED_LOOPS)))


async def seed_child(url: str, project_id: str, first: int, last: int, ip_hash: str) -> None:
    """A child process's part of ``submit_share`` (--seed-child): on Redis the client's work,
    not the server's, bounds how fast the setup goes, so a few processes share it."""
    store = open_store(url)
    await store.open()
    try:
        await submit_share(store, project_id, range(first, last), ip_hash)
    finally:
        await store.close()


async def submissions(bench: Bench, store: Store, project_id: str, share: range, ip: str) -> None:
    """The earlier submissions ``share`` from the address: on Redis in child processes (when
    there are enough to pay for starting them)."""
    if bench.kind != "redis" or len(share) < SEED_CHILD_MIN:
        await submit_share(store, project_id, share, ip)
        return
    step = -(-len(share) // SEED_PROCESSES)
    parts = [share[i : i + step] for i in range(0, len(share), step)]
    children = [
        await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--seed-child", bench.redis_url, project_id,
            str(part.start), str(part.stop), ip,
        )
        for part in parts
    ]  # fmt: skip
    codes = [await child.wait() for child in children]
    if any(codes):
        raise RuntimeError(f"a setup process failed: exit codes {codes}")


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


_fresh = 0


def fresh_worker() -> str:
    """A worker who did nothing yet."""
    global _fresh
    _fresh += 1
    return f"fresh-{_fresh}"


@dataclass
class Bench:
    """One store kind's run: fresh stores for each scenario, the table, the slow log."""

    kind: str  # "sqlite" or "redis"
    directory: Path
    redis_url: str
    sync: str
    config: Config
    table: Table = field(init=False)
    slowlog: SlowLog | None = field(init=False)

    def __post_init__(self) -> None:
        self.table = Table(self.kind)
        self.slowlog = SlowLog(self.redis_url) if self.kind == "redis" else None

    @asynccontextmanager
    async def fresh(self, name: str) -> AsyncIterator[Store]:
        """An empty store for one scenario (a new SQLite file, or the Redis emptied)."""
        path = self.directory / f"{name}.db"
        if self.kind == "sqlite":
            store = open_store(f"sqlite:///{path}", sqlite_synchronous=self.sync)
        else:
            redis.Redis.from_url(self.redis_url).flushall()
            store = open_store(self.redis_url)
        await store.open()
        try:
            yield store
        finally:
            await store.close()
            if self.kind == "sqlite":
                remove_database(path)

    def wal(self, name: str) -> str:
        """The SQLite write-ahead log's size, for the progress lines."""
        if self.kind != "sqlite":
            return ""
        wal = self.directory / f"{name}.db-wal"
        return f", WAL {wal.stat().st_size / 2**20:.0f} MB" if wal.exists() else ""

    async def measure(self, operation: str, size: str, step: Step) -> None:
        self.table.add(operation, size, await measure(step, self.config, self.slowlog))

    def runtime(self, store: Store) -> Runtime:
        settings = Settings(data_dir=self.directory, secret_key=SECRET)
        tokens = TokenIssuer(settings.public_origin, settings.launch_token_seconds)
        return Runtime(settings=settings, store=store, tokens=tokens, secret_key=SECRET)


# -- the scenarios ------------------------------------------------------------------------------


async def pool_scenario(bench: Bench, sizes: Sequence[int]) -> None:
    """A fresh worker's claim, and the task list, as one project's pool grows. A task has the
    most seats the API allows, so that the claims measured take few tasks, each a few times
    (returning each one instead would pile every returned assignment on the first task)."""
    async with bench.fresh("pool") as store:
        seed = await Seeder.create(store)
        project = await seed.project(per_task=MOST_SEATS)
        reader = fresh_worker()
        have = 0
        for size in sizes:
            started = time.monotonic()
            await seed.tasks(project, size - have, start=have)
            have = size
            progress(
                f"[{bench.kind}] pool: {human(size)} tasks "
                f"({time.monotonic() - started:.1f} s{bench.wal('pool')})"
            )

            async def fresh_claim(clock: Clock) -> None:
                worker = fresh_worker()
                with clock.timing():
                    got = await store.claim(Claim(project.id, worker, "p"), now=wall_now())
                assert got is not None

            async def listing(clock: Clock) -> None:
                with clock.timing():
                    shown = await task_list(store, reader)
                assert shown == 1

            label = f"{human(size)} tasks"
            await bench.measure("claim, fresh worker, pool of N tasks", label, fresh_claim)
            await bench.measure("task list, one project of N tasks", label, listing)


class PowerWorker:
    """A worker who did (claimed and submitted) the first ``done`` tasks of a project with 3
    seats a task. Alone, he leaves each task with two free seats: it never leaves the pool.
    With ``came_back``, two helpers take the other seats of each task as he goes and give them
    back at the end: each of his tasks left the pool (full) and came back into it (its seats
    free again), as when other workers return or let expire what a power worker did."""

    def __init__(self, bench: Bench, store: Store, project_id: str, *, came_back: bool) -> None:
        self.bench, self.store, self.project_id = bench, store, project_id
        self.came_back = came_back
        self.id = "worker-back" if came_back else "worker-alone"
        self.done, self.rounds = 0, 0

    async def work_up_to(self, target: int) -> None:
        self.rounds += 1
        helpers = [f"helper-{self.rounds}-{k}" for k in (1, 2)] if self.came_back else []
        taken = []
        for i in range(max(target, self.done)):
            mine = None if i < self.done else await claim_task(self.store, self.project_id, self.id)
            for helper in helpers:  # the other seats of every task he did, so far
                taken.append(await claim_task(self.store, self.project_id, helper))
            if mine is not None:
                await answer(self.store, mine)
            await asyncio.sleep(0)
            if (i + 1) % 2000 == 0:
                progress(f"[{self.bench.kind}] worker: {self.id} at {human(i + 1)} tasks")
        self.done = max(target, self.done)
        for got in taken:
            await self.store.return_assignment(got.id, now=wall_now())
            await asyncio.sleep(0)
        following = await self.store.peek_task(self.project_id, self.id, now=wall_now())
        if following is None or following.external_id != f"e{self.done}":
            raise RuntimeError(f"set up wrong: after {self.done} done, the next is {following}")

    async def claim(self, clock: Clock) -> None:
        with clock.timing():
            got = await self.store.claim(Claim(self.project_id, self.id, "p"), now=wall_now())
        assert got is not None
        await answer(self.store, got)  # one more done: the size is N plus the runs so far
        self.done += 1

    async def preview(self, clock: Clock) -> None:
        with clock.timing():
            task = await self.store.peek_task(self.project_id, self.id, now=wall_now())
        assert task is not None


async def worker_scenario(bench: Bench, done_sizes: Sequence[int], pool: int) -> None:
    """A worker who did the first N tasks (claim, preview; and a claim when the tasks he did
    came back into the pool), and a fresh worker's claim when three others hold the first N,
    in three projects of ``pool`` tasks with 3 seats each."""
    async with bench.fresh("worker") as store:
        seed = await Seeder.create(store)
        projects = [await seed.project(per_task=3) for _ in range(3)]
        started = time.monotonic()
        for project in projects:
            await seed.tasks(project, pool)
        progress(
            f"[{bench.kind}] worker: 3 projects of {human(pool)} tasks "
            f"({time.monotonic() - started:.1f} s{bench.wal('worker')})"
        )
        alone = PowerWorker(bench, store, projects[0].id, came_back=False)
        back = PowerWorker(bench, store, projects[1].id, came_back=True)
        held, holders = projects[2], ("holder-1", "holder-2", "holder-3")

        async def holding(first: int, last: int) -> None:
            for _ in range(first, last):
                for holder in holders:  # round robin: the tasks before are full
                    await claim_task(store, held.id, holder)
                await asyncio.sleep(0)

        async def claim_past_held(clock: Clock) -> None:
            worker = fresh_worker()
            with clock.timing():
                got = await store.claim(Claim(held.id, worker, "p"), now=wall_now())
            assert got is not None
            await store.return_assignment(got.id, now=wall_now())  # the pool as it was

        have = 0  # tasks each holder holds
        for n in done_sizes:
            started = time.monotonic()
            # at once: on Redis one coroutine's round trips overlap another's
            await asyncio.gather(alone.work_up_to(n), back.work_up_to(n), holding(have, n))
            have = n
            progress(
                f"[{bench.kind}] worker: {human(n)} done (twice), {human(n)} held by 3 "
                f"({time.monotonic() - started:.1f} s{bench.wal('worker')})"
            )
            label = f"N = {human(n)}"
            await bench.measure("preview, worker who did the first N", label, alone.preview)
            await bench.measure("claim, worker who did the first N", label, alone.claim)
            await bench.measure(
                "claim, worker who did N that came back to the pool", label, back.claim
            )
            await bench.measure("claim, first N held by 3 workers", label, claim_past_held)


async def address_scenario(bench: Bench, sizes: Sequence[int]) -> None:
    """``store.submit``, the submit path (signals + submit) and the export, as the earlier
    submissions from one shared address grow; one seat a task, so done tasks leave the pool."""
    cfg = bench.config
    async with bench.fresh("address") as store:
        rt = bench.runtime(store)
        ip_hash = address_hash(rt, ADDRESS)
        seed = await Seeder.create(store)
        project = await seed.project()
        per_size = 2 * (cfg.runs + cfg.warmup) + 10  # the tasks each size's measurements take
        tasks = submitted = 0
        for size in sizes:
            started = time.monotonic()
            await seed.tasks(project, size - submitted + per_size, start=tasks)
            tasks += size - submitted + per_size

            await submissions(bench, store, project.id, range(submitted, size), ip_hash)
            submitted = size
            progress(
                f"[{bench.kind}] address: {human(size)} submissions from one address "
                f"({time.monotonic() - started:.1f} s{bench.wal('address')})"
            )

            async def store_submit(clock: Clock) -> None:
                got = await claim_task(store, project.id, fresh_worker())
                result = Submission({"label": "y"}, ip_hash=ip_hash)
                with clock.timing():
                    await store.submit(got.id, result, now=wall_now())

            async def submit_path(clock: Clock) -> None:
                got = await claim_task(store, project.id, fresh_worker())
                with clock.timing():
                    await record_submission(rt, got, {"label": "y"}, address=ADDRESS)

            async def first_page(clock: Clock) -> None:
                chunks = export_chunks(
                    rt, seed.client, project.id, ExportQuery("jsonl", None, None)
                )
                with clock.timing():
                    first = await anext(chunks)
                assert first  # the rest is never read: the generator is dropped

            label = f"{human(size)} submissions"
            await bench.measure("store.submit, N earlier from the address", label, store_submit)
            await bench.measure("submit path (signals + submit), N earlier", label, submit_path)
            bench.table.add(
                "export, rows/s",
                f"{human(size)} answers",
                await export_rate(rt, seed.client, project.id, cfg.export_runs, bench.slowlog),
                rate=True,
            )
            await bench.measure("export, first page", f"{human(size)} answers", first_page)


async def export_rate(
    rt: Runtime, client: Client, project_id: str, runs: int, slowlog: SlowLog | None
) -> Measured:
    """Rows a second of whole exports (JSON Lines, every status), the median of ``runs``."""
    if slowlog is not None:
        slowlog.reset()
    rates = []
    for _ in range(runs):
        rows = 0
        started = time.perf_counter()
        async for chunk in export_chunks(rt, client, project_id, ExportQuery("jsonl", None, None)):
            rows += chunk.count(b"\n")
        rates.append(rows / (time.perf_counter() - started))
    slow = None if slowlog is None else slowlog.collect()
    return Measured(statistics.median(rates), runs, runs, slow)


async def projects_scenario(bench: Bench, sizes: Sequence[int]) -> None:
    """The task list's first page as the active projects grow, each with a few tasks (at
    least a full page at the smallest size, so that the growth is not the page's)."""
    async with bench.fresh("projects") as store:
        seed = await Seeder.create(store)
        reader, have = fresh_worker(), 0
        for size in sizes:
            for _ in range(have, size):
                await seed.tasks(await seed.project(), TASKS_PER_PROJECT)
            have = size
            progress(f"[{bench.kind}] projects: {size} active")

            async def listing(clock: Clock, expected: int = min(size, TASK_LIST_PAGE)) -> None:
                with clock.timing():
                    shown = await task_list(store, reader)
                assert shown == expected, shown

            await bench.measure("task list, N active projects", f"{size} active", listing)


async def paused_scenario(bench: Bench, paused: int) -> None:
    """The task list of a few active projects, then with many paused ones beside them."""
    async with bench.fresh("paused") as store:
        seed = await Seeder.create(store)
        reader = fresh_worker()

        async def listing(clock: Clock) -> None:
            with clock.timing():
                shown = await task_list(store, reader)
            assert shown == FEW_ACTIVE, shown

        operation = f"task list, {FEW_ACTIVE} active + N paused projects"
        for _ in range(FEW_ACTIVE):
            await seed.tasks(await seed.project(), TASKS_PER_PROJECT)
        await bench.measure(operation, f"{FEW_ACTIVE} active", listing)
        for _ in range(paused):
            project = await seed.project()
            await seed.tasks(project, TASKS_PER_PROJECT)
            await store.update_project(project.id, project.spec, "paused")
        progress(f"[{bench.kind}] paused: {FEW_ACTIVE} active + {paused} paused")
        await bench.measure(operation, f"+ {paused} paused", listing)


# -- the work cycle over HTTP -----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cycle:
    store: str
    bare: float  # requests a second, bare endpoint
    cycles: float  # full cycles a second, 3 requests each

    @property
    def per_request(self) -> float:
        return 3 * self.cycles / self.bare


def cycle_stores(kinds: Sequence[str], sync: str, *, full: bool) -> list[tuple[str, str]]:
    """The gateways' stores, as (label, SQLite synchronous setting); with ``full``, SQLite
    also with FULL, the gateway's default (a commit's fsync), if the store level used another."""
    found = []
    for kind in kinds:
        if kind == "sqlite":
            found += [(f"sqlite ({s})", s) for s in dict.fromkeys((sync, "FULL" if full else sync))]
        else:
            found.append((kind, sync))
    return found


async def cycles(kinds: Sequence[str], args: argparse.Namespace, redis_url: str) -> list[Cycle]:
    """Each store's full work cycle, against the bare endpoint measured just before and just
    after it (the mean of the two: the machine's other work moves both)."""
    found = []
    for label, sync in cycle_stores(kinds, args.sqlite_synchronous, full=not args.quick):
        before = await bare_baseline(args.cycle_workers, args.cycle_seconds / 2)
        with tempfile.TemporaryDirectory(prefix="cf-cycle-") as data:
            url = f"sqlite:///{data}/cycle.db" if label.startswith("sqlite") else redis_url
            per_second = await work_cycles(
                url,
                1,
                workers=args.cycle_workers,
                tasks=args.cycle_tasks,
                seconds=args.cycle_seconds,
                env_extra={"CROWDFRAME_SQLITE_SYNCHRONOUS": sync},
            )
        after = await bare_baseline(args.cycle_workers, args.cycle_seconds / 2)
        found.append(Cycle(label, (before + after) / 2, per_second))
        progress(
            f"[{label}] work cycle: {per_second:.1f} cycles/s, bare {before:.0f} req/s before"
            f" and {after:.0f} after"
        )
    return found


# -- the run ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Sizes:
    pool: tuple[int, ...]
    done: tuple[int, ...]
    worker_pool: int
    submissions: tuple[int, ...]
    projects: tuple[int, ...]
    paused: int


DEFAULT = Sizes((1000, 100_000), (1000, 10_000), 100_000, (10_000, 100_000), (50, 1000), 990)
QUICK = Sizes((100, 1000), (50, 200), 1000, (200, 600), (50, 150), 40)


def sizes_from(args: argparse.Namespace) -> Sizes:
    base = QUICK if args.quick else DEFAULT
    pool = tuple(args.pool or base.pool)
    if args.full:
        pool = (*pool, 1_000_000)
    return Sizes(
        pool=pool,
        done=tuple(args.done or base.done),
        worker_pool=args.worker_pool or base.worker_pool,
        submissions=tuple(args.submissions or base.submissions),
        projects=tuple(args.projects or base.projects),
        paused=base.paused if args.paused is None else args.paused,
    )


async def run_store(bench: Bench, sizes: Sizes) -> None:
    await pool_scenario(bench, sizes.pool)
    await projects_scenario(bench, sizes.projects)
    await paused_scenario(bench, sizes.paused)
    await address_scenario(bench, sizes.submissions)
    await worker_scenario(bench, sizes.done, sizes.worker_pool)


def describe_run(args: argparse.Namespace, cfg: Config) -> list[str]:
    git = ["git", "rev-parse", "--short", "HEAD"]
    here = Path(__file__).parent
    commit = subprocess.run(git, capture_output=True, text=True, cwd=here, check=False).stdout
    return [
        f"commit {commit.strip() or '?'}, {platform.platform()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d %H:%M')}, load average "
        f"{os.getloadavg()[0]:.1f} at the start",
        f"median of {cfg.runs} timed runs after {cfg.warmup} warm-up, at most {cfg.seconds:g} s "
        f"of runs each; export: median of {cfg.export_runs} whole exports; SQLite "
        f"synchronous={args.sqlite_synchronous}",
        "command: " + " ".join(["bench/scaling.py", *sys.argv[1:]]),
    ]


def report(
    tables: list[Table], found: list[Cycle], about: list[str], args: argparse.Namespace
) -> str:
    """Print the tables; the same as Markdown (returned)."""
    md = ["# Scaling: each operation's cost, small → large", "", *(f"- {a}" for a in about)]
    md.append(f"- {GROWTH}")
    for table in tables:
        rows = [HEADER, *table_lines(table)]
        print(f"\n{table.store} ({GROWTH}):\n{console(rows)}")
        md += ["", f"## {table.store}", "", markdown(rows)]
    if found:
        rows = [
            ("store", "bare endpoint", "work cycles", "requests", "per request vs bare"),
            *(
                (
                    c.store,
                    f"{c.bare:.0f} req/s",
                    f"{c.cycles:.1f} /s",
                    f"{3 * c.cycles:.0f} /s",
                    f"{c.per_request:.2f}x",
                )
                for c in found
            ),
        ]
        title = (
            f"full work cycle over HTTP (accept + frame page + submit), one gateway "
            f"process, {args.cycle_workers} workers, {args.cycle_seconds:g} s"
        )
        print(f"\n{title}:\n{console(rows)}")
        md += ["", f"## {title[0].upper()}{title[1:]}", "", markdown(rows)]
    for table in tables:
        slow = slow_lines(table)
        if slow:
            header = ("operation", "size", "runs", "scripts > 1 ms", "longest", "SLOWLOG entries")
            rows = [header, *slow]
            title = f"{table.store}: scripts and commands over 1 ms, per measured operation"
            print(f"\n{title}:\n{console(rows)}")
            md += ["", f"## {title[0].upper()}{title[1:]}", "", markdown(rows)]
    return "\n".join(md) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a check in < 60 s")
    parser.add_argument("--full", action="store_true", help="also a pool of 1M tasks")
    for name, what in (
        ("pool", "tasks in one project (1000 100000)"),
        ("done", "tasks one worker did, and 3 others hold (1000 10000)"),
        ("submissions", "earlier ones from one address (10000 100000)"),
        ("projects", "active projects in the task list (50 1000)"),
    ):
        parser.add_argument(f"--{name}", nargs="+", type=int, metavar="N", help=what)
    parser.add_argument("--worker-pool", type=int, help="pool beside the done ones (100000)")
    parser.add_argument("--paused", type=int, help=f"beside {FEW_ACTIVE} active (990)")
    parser.add_argument("--runs", type=int, help="timed runs per measurement (200)")
    parser.add_argument("--seconds", type=float, help="cap on one measurement (10)")
    parser.add_argument("--export-runs", type=int, default=1, help="whole exports a size")
    parser.add_argument("--stores", default="sqlite,redis", help="which, comma-separated")
    parser.add_argument("--sqlite-synchronous", default="NORMAL", help="store level and cycle")
    parser.add_argument("--cycle-workers", type=int, help="concurrent workers (32)")
    parser.add_argument("--cycle-tasks", type=int, default=5000, help="in the cycle's project")
    parser.add_argument("--cycle-seconds", type=float, help="per store (10)")
    parser.add_argument("--no-cycle", action="store_true", help="skip the HTTP work cycle")
    parser.add_argument(
        "--cycle-only", action="store_true", help="only the HTTP work cycle, no store tables"
    )
    parser.add_argument("--markdown", type=Path, help="also write the tables here")
    parser.add_argument("--seed-child", nargs=5, help=argparse.SUPPRESS)  # see seed_child
    args = parser.parse_args()
    if args.seed_child:
        url, project_id, first, last, ip_hash = args.seed_child
        await seed_child(url, project_id, int(first), int(last), ip_hash)
        return
    runs = args.runs or (20 if args.quick else 200)
    seconds = args.seconds or (2.0 if args.quick else 10.0)
    cfg = Config(runs, max(3, min(10, runs // 10)), seconds, args.export_runs)
    args.cycle_seconds = args.cycle_seconds or (1.5 if args.quick else 10.0)
    args.cycle_workers = args.cycle_workers or (8 if args.quick else 32)
    args.cycle_tasks = min(args.cycle_tasks, 1000) if args.quick else args.cycle_tasks
    sizes = sizes_from(args)
    kinds = [k for k in args.stores.split(",") if k]
    about = describe_run(args, cfg)
    print("\n".join(about), flush=True)
    tables = []
    with tempfile.TemporaryDirectory(prefix="cf-scaling-") as directory, redis_server() as url:
        for kind in [] if args.cycle_only else kinds:
            bench = Bench(kind, Path(directory), url, args.sqlite_synchronous, cfg)
            await run_store(bench, sizes)
            tables.append(bench.table)
        found = [] if args.no_cycle else await cycles(kinds, args, url)
    text = report(tables, found, about, args)
    if args.markdown is not None:
        args.markdown.parent.mkdir(parents=True, exist_ok=True)
        args.markdown.write_text(text)
        print(f"\nwritten: {args.markdown}")


if __name__ == "__main__":
    # stopped from outside: still stop the redis-server and the gateways (the finally blocks)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    asyncio.run(main())
