"""The plumbing every part of ``RedisStore`` shares: the connection, scripts, wakeups, hints.

Each part (accounts, catalog, work, review, outbox) is a mixin over ``RedisBase``, as the SQLite
store's parts are; a part's atomic operations are Lua scripts from ``scripts.SCRIPTS``.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable, Iterable, Sequence
from contextlib import suppress
from typing import Any, TypeVar

import redis.asyncio as redis
from redis.asyncio.client import Pipeline
from redis.asyncio.connection import AbstractConnection
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ...core.errors import NotFound
from ...core.records import Endpoint, Project, ProjectSpec
from ...core.stored import spec_from_json
from . import keys
from .coalescing import CoalescingRedis
from .codec import endpoint_from, hash_of, opt_text, project_from, text, texts
from .scripts import SCRIPTS

__all__ = ["RedisBase"]

log = logging.getLogger("crowdframe.store.redis")

_T = TypeVar("_T")


class _RetryFor(Retry):
    """Rides through a Redis restart or failover instead of failing requests: what failed on a
    lost connection is tried again, backing off up to 0.5 s, until ``wait`` seconds after its
    first failure; then the error goes up (the edge answers 503, ``Retry-After``).

    Time-bounded, not counted: redis-py nests a connection's retries (a command retried
    reconnects, and the connect retries too), and a count would multiply.
    """

    def __init__(self, wait: float) -> None:
        super().__init__(ExponentialBackoff(cap=0.5, base=0.02), retries=-1)
        self.wait = wait

    async def call_with_retry(
        self,
        do: Callable[[], Awaitable[_T]],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline: float | None = None
        failures = 0
        while True:
            try:
                return await do()
            except self._supported_errors as error:
                if is_retryable is not None and not is_retryable(error):
                    raise
                failures += 1
                await (fail(error, failures) if with_failure_count else fail(error))
                current = loop.time()
                deadline = current + self.wait if deadline is None else deadline
                if current >= deadline:
                    raise
                await asyncio.sleep(min(self._backoff.compute(failures), deadline - current))


_REPAIR_EVERY = 30.0  # seconds between rebuilds of the due hints (see repair_hints)
# the partition indexes behind the hints: outbox, deadlines, approvals, crowd review queue,
# task lifetimes
_HINTED = ("due", "deadlines", "approvals", "reviewq", "lifetimes")


class RedisBase:
    """Connection, script calls, pub/sub wakeups and the two "due" hint indexes."""

    # what a lost or refused connection raises, once the retries gave up (the edge: 503)
    outage_errors: tuple[type[Exception], ...] = (RedisConnectionError, RedisTimeoutError)
    reads_together = True  # a turn of the event loop's commands go in one batch

    def __init__(self, url: str, *, wait: float = 5.0) -> None:
        """``wait``: how long a command waits for a lost server to come back (``_RetryFor``)."""
        self.url = url
        self.wait = wait
        self._redis: redis.Redis | None = None
        self._wake = asyncio.Event()
        self._listener: asyncio.Task[None] | None = None
        self._project_clients: dict[str, str] = {}  # immutable facts, cached for good
        self._partitions: dict[str, str] = {}  # task or assignment id -> project id
        self._next_repair = 0.0

    @property
    def r(self) -> redis.Redis:
        if self._redis is None:
            raise RuntimeError("store is not open")
        return self._redis

    async def open(self) -> None:
        # A bounded pool that makes a burst of requests queue for a connection (up to 20 s)
        # rather than fail; ?max_connections=N in the URL sizes it (default 64 per process).
        pool = redis.BlockingConnectionPool.from_url(
            self.url,
            max_connections=64,
            timeout=20,
            decode_responses=True,
            # no timeout around each read and write: it doubles the client's cost of a command,
            # and a lost server still shows at once (a closed socket, then the retries below);
            # keepalive finds a silent one, the connect timeout one that never answers
            socket_timeout=None,
            socket_connect_timeout=5,
            socket_keepalive=True,
            retry=_RetryFor(self.wait),
            retry_on_error=[RedisConnectionError, RedisTimeoutError, ConnectionError],
            health_check_interval=10,
        )
        pool.connection_class = _keeping_cancellation(pool.connection_class)
        self._redis = CoalescingRedis.from_pool(pool)
        await self.r.ping()
        await self._load_scripts()
        self._wake = asyncio.Event()
        ready = asyncio.Event()
        self._listener = asyncio.create_task(self._listen(ready), name="crowdframe-redis-wake")
        async with asyncio.timeout(10):
            await ready.wait()

    async def ping(self) -> None:
        """Raise unless the server answers (readiness)."""
        await self.r.ping()

    def track_writes(self) -> None:
        """Nothing to track: see ``sync``."""

    async def sync(self) -> None:
        """Nothing to wait for: Redis makes a write as durable as its ``appendfsync`` policy
        says before it answers (docs/deployment.md)."""

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    # -- scripts --------------------------------------------------------------------------------

    async def _load_scripts(self) -> None:
        for script in SCRIPTS.values():
            await self.r.script_load(script.source)

    async def _eval(self, name: str, partition: str, *args: str | int | float) -> Any:
        script = SCRIPTS[name]
        try:
            return await self.r.evalsha(script.sha, 1, keys.part(partition), *args)
        except NoScriptError:  # a restarted server forgot its scripts
            await self._load_scripts()
            return await self.r.evalsha(script.sha, 1, keys.part(partition), *args)

    @staticmethod
    def _queue(pipe: Pipeline, name: str, partition: str, *args: str | int | float) -> None:
        pipe.evalsha(SCRIPTS[name].sha, 1, keys.part(partition), *args)

    async def _pipeline(self, build: Callable[[Pipeline], None]) -> list[Any]:
        """Run commands in one round trip. Every command besides the scripts must be idempotent:
        after NOSCRIPT the whole pipeline runs again."""
        for attempt in range(2):
            pipe = self.r.pipeline(transaction=False)
            build(pipe)
            try:
                return await pipe.execute()
            except NoScriptError:
                if attempt:
                    raise
                await self._load_scripts()
        raise AssertionError("unreachable")

    def _ctx(
        self, client_id: str, partition: str, now: float, targets: dict[str, list[str]]
    ) -> str:
        return json.dumps(
            {
                "client": client_id,
                "part": partition,
                "now": repr(now),
                "salt": secrets.token_hex(16),
                "channel": keys.OUTBOX_CHANNEL,
                "feed": keys.EVENTS_CHANNEL,
                "targets": targets,
            }
        )

    # -- lookups --------------------------------------------------------------------------------

    async def _endpoints(self, client_id: str) -> list[Endpoint]:
        order = texts(await self.r.lrange(keys.part(client_id) + "endpoint-order", 0, -1))
        if not order:
            return []
        found = await self.r.hmget(keys.part(client_id) + "endpoints", order)
        return [endpoint_from(text(t)) for t in found if t is not None]

    async def _targets(self, client_id: str, types: Iterable[str]) -> dict[str, list[str]]:
        """Which endpoints of the client hear each event type: the webhooks part answers
        (webhooks/redis/outbox.py), by its rule."""
        raise NotImplementedError

    async def _index_active(self, partitions: Sequence[str]) -> None:
        """Mend the task list's index of active projects from the partitions' records: the
        catalog part answers (catalog/redis.py)."""
        raise NotImplementedError

    async def _client_of_project(self, project_id: str) -> str | None:
        client_id = self._project_clients.get(project_id)
        if client_id is None:
            client_id = opt_text(await self.r.hget(keys.part(project_id) + "project", "client_id"))
            if client_id is not None:
                self._project_clients[project_id] = client_id
        return client_id

    async def _project_of(self, index: str, record_id: str) -> str | None:
        """The project a task or assignment lives in (a global index, cached: it never moves)."""
        return (await self._projects_of(index, [record_id])).get(record_id)

    async def _projects_of(self, index: str, record_ids: Iterable[str]) -> dict[str, str]:
        """The projects of many, in their order: one MGET for those not cached (reads only, so
        a cluster-aware client may split it by slot). An id in no project is left out."""
        cache = self._partitions
        homes = {i: cache.get(i) for i in record_ids}
        missing = [i for i, project_id in homes.items() if project_id is None]
        if missing:
            found = await self.r.mget([index + i for i in missing])
            if len(cache) + len(missing) > 100_000:
                cache.clear()
            for record_id, project_id in zip(missing, found, strict=True):
                if project_id is not None:
                    homes[record_id] = cache[record_id] = text(project_id)
        return {i: project_id for i, project_id in homes.items() if project_id is not None}

    async def _projects(self, project_ids: Sequence[str]) -> list[Project | None]:
        pipe = self.r.pipeline(transaction=False)
        for project_id in project_ids:
            pipe.hgetall(keys.part(project_id) + "project")
            pipe.hgetall(keys.part(project_id) + "counts")
        answers = await pipe.execute()
        return [
            project_from(hash_of(h), hash_of(c)) if h else None
            for h, c in zip(answers[::2], answers[1::2], strict=True)
        ]

    async def _assignment_home(self, assignment_id: str) -> tuple[str, str]:
        """(project id, client id) of an assignment, or NotFound."""
        project_id = await self._project_of(keys.ASSIGNMENT_INDEX, assignment_id)
        client_id = None if project_id is None else await self._client_of_project(project_id)
        if project_id is None or client_id is None:
            raise NotFound("no such assignment", field="assignment_id")
        return project_id, client_id

    # -- wakeups --------------------------------------------------------------------------------

    async def _listen(self, ready: asyncio.Event) -> None:
        """Any process's new outbox message wakes this process's delivery loop (pub/sub)."""
        while True:
            try:
                async with self.r.pubsub() as pubsub:
                    await pubsub.subscribe(keys.OUTBOX_CHANNEL)
                    ready.set()
                    while True:
                        message = await pubsub.get_message(
                            ignore_subscribe_messages=True, timeout=30
                        )
                        if message is not None:
                            self._wake.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a lost connection: look for work once, then resubscribe
                log.warning("redis pub/sub lost (%s); resubscribing", exc)
                self._wake.set()
                await asyncio.sleep(0.5)

    async def wait_for_messages(self, seconds: float) -> None:
        with suppress(TimeoutError):
            async with asyncio.timeout(max(seconds, 0.0)):
                await self._wake.wait()
        self._wake.clear()

    # -- due hints ------------------------------------------------------------------------------
    # A hint index (DUE_OUTBOX, DUE_DEADLINES, DUE_APPROVALS, DUE_REVIEWS, DUE_LIFETIMES) maps
    # a partition to a time no later than its earliest due entry. Writers lower it (ZADD LT)
    # after their script; a worker takes a partition by removing its hint (only one process
    # wins ZREM), runs the partition's script, then puts back the earliest remaining time. A
    # hint lost to a crash in between is rebuilt by repair_hints; it only ever delays work,
    # never duplicates it.

    async def _due_partitions(self, index: str, now: float, limit: int) -> list[str]:
        return texts(await self.r.zrangebyscore(index, "-inf", now, start=0, num=limit))

    async def _take(self, index: str, partition: str) -> bool:
        return bool(await self.r.zrem(index, partition))

    async def _hint(self, index: str, partition: str, when: float | str) -> None:
        if when != "":
            await self.r.zadd(index, {partition: float(when)}, lt=True)

    async def _sweep(
        self, index: str, script: str, event_types: str | tuple[str, ...], batch: int, *,
        now: float,
    ) -> list[Any]:  # fmt: skip
        """Run ``script`` in batches over every project due in ``index`` that this process
        takes (safe on every process at once); what each batch returned, in one list. The
        script answers ``{done, earliest}``: ``done`` is a count or a list of what it changed;
        a third value, how many it looked at, says whether a full batch was looked at when
        that is more than ``done`` (a full batch: another follows at once)."""
        types = (event_types,) if isinstance(event_types, str) else event_types
        await self.repair_hints(now=now)
        swept: list[Any] = []
        for project_id in await self._due_partitions(index, now, 1000):
            if not await self._take(index, project_id):
                continue  # another process is sweeping it
            earliest: float | str = now  # if this fails, the next sweep looks again
            try:
                client_id = await self._client_of_project(project_id)
                if client_id is None:
                    earliest = ""
                    continue
                targets = await self._targets(client_id, types)
                while True:
                    ctx = self._ctx(client_id, project_id, now, targets)
                    done, earliest, *looked = await self._eval(script, project_id, ctx, batch)
                    swept.append(done)
                    changed = done if isinstance(done, int) else len(done)
                    if changed and any(targets.values()):
                        await self._hint(keys.DUE_OUTBOX, project_id, now)
                    size = looked[0] if looked else changed
                    if size < batch:
                        break
            finally:
                await self._hint(index, project_id, earliest)
        return swept

    async def repair_hints(self, *, now: float) -> None:
        """Rebuild the hint indexes, and the index of active projects, from the partitions
        themselves (every ~30 s per process)."""
        if now < self._next_repair:
            return
        self._next_repair = now + _REPAIR_EVERY
        partitions = sorted(texts(await self.r.smembers(keys.PARTITIONS)))
        for chunk in _chunks(partitions, 500):
            await self._index_active(chunk)
            pipe = self.r.pipeline(transaction=False)
            for partition in chunk:
                for suffix in _HINTED:
                    pipe.zrange(keys.part(partition) + suffix, 0, 0, withscores=True)
            projects = [p for p in chunk if p.startswith("prj_")]
            for project_id in projects:  # from before 'lifetimes': expire_tasks.lua fills it
                pipe.exists(keys.part(project_id) + "lifetimes:filled")
            answers = await pipe.execute()
            n = len(_HINTED)
            marks = answers[n * len(chunk) :]
            unfilled = [p for p, marked in zip(projects, marks, strict=True) if not marked]
            approving = [(p, answers[n * i + 2][0][1]) for i, p in enumerate(chunk)
                         if answers[n * i + 2]]  # fmt: skip
            specs = await self._specs([p for p, _ in approving])
            pipe = self.r.pipeline(transaction=False)
            for i, partition in enumerate(chunk):
                for index, first in (
                    (keys.DUE_OUTBOX, answers[n * i]),
                    (keys.DUE_DEADLINES, answers[n * i + 1]),
                    (keys.DUE_REVIEWS, answers[n * i + 3]),
                    (keys.DUE_LIFETIMES, answers[n * i + 4]),
                ):
                    if first:
                        pipe.zadd(index, {partition: first[0][1]}, lt=True)
            for project_id in unfilled:
                pipe.zadd(keys.DUE_LIFETIMES, {project_id: now}, lt=True)
            for (partition, submitted), spec in zip(approving, specs, strict=True):
                if spec is not None:
                    due = spec.approval_due_at(submitted)
                    pipe.zadd(keys.DUE_APPROVALS, {partition: due}, lt=True)
            await pipe.execute()

    async def _specs(self, project_ids: Sequence[str]) -> list[ProjectSpec | None]:
        pipe = self.r.pipeline(transaction=False)
        for project_id in project_ids:
            pipe.hget(keys.part(project_id) + "project", "spec")
        return [None if s is None else spec_from_json(s) for s in await pipe.execute()]


class _KeepsCancellation(AbstractConnection):
    """A connection whose sends never swallow their task's cancellation.

    redis-py sends each command under ``asyncio.wait_for(..., socket_timeout)`` (5 s by default
    since redis-py 8). On Python 3.11 that ``wait_for`` returns normally when its task is
    cancelled after the send finished but before the task resumed, and the cancellation is
    lost: a loop stopped at shutdown (delivery, the sweeper) would run on, and the gateway never
    stop. Such a lost cancellation is raised again here (on 3.12+ none is ever lost), after
    closing the connection, as redis-py does for any other send cut short: the reply to what was
    sent must not be read by the connection's next user.
    """

    async def send_packed_command(
        self, command: bytes | str | Iterable[bytes], check_health: bool = True
    ) -> None:
        task = asyncio.current_task()
        pending = 0 if task is None else task.cancelling()
        await super().send_packed_command(command, check_health)
        if task is not None and task.cancelling() > pending:
            await self.disconnect(nowait=True)
            raise asyncio.CancelledError


def _keeping_cancellation(kind: type[AbstractConnection]) -> type[AbstractConnection]:
    """``kind`` (plain, TLS or unix socket, as the URL said) with ``_KeepsCancellation``."""
    return type(kind.__name__, (_KeepsCancellation, kind), {})


def _chunks(items: Sequence[str], size: int) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
