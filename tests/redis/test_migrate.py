"""`crowdframe migrate`: a growing client moves from SQLite to Redis and loses nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from crowdframe_gateway.records import Attempt, now
from crowdframe_gateway.store import SqliteStore, Store
from crowdframe_gateway.store.redis import RedisStore
from services import BIN
from store_world import (
    all_assignments,
    make_client,
    make_endpoint,
    make_project,
    make_worker,
    new_tasks,
)


async def _history(store: Store) -> dict[str, str]:
    """A bit of everything: assignments in every state, events, messages, attempts."""
    acme, other = await make_client(store), await make_client(store, "other")
    await make_endpoint(store, acme)
    await make_endpoint(store, other, ["assignment.submitted"])
    project = await make_project(store, acme, per_task=2)
    await make_project(store, other)
    await make_worker(store, "ada@example.org")
    tasks = new_tasks(project, 4)
    await store.add_tasks(acme.id, project.id, tasks, idempotency_key="k", request_hash="h")
    at = now()

    async def claim(worker: str) -> str:
        claimed = await store.claim(project.id, worker, "p-" + worker, now=at)
        assert claimed is not None
        return claimed.id

    approved, done = await claim("w1"), await claim("w2")
    await store.submit(approved, {"label": "cat"}, now=at)
    await store.submit(done, {"label": "cat"}, now=at)  # completes the first task
    await store.review(approved, approve=True, reason=None, now=at)
    await store.return_assignment(await claim("w3"), now=at)
    await claim("w4")  # still live
    rejected = await claim("w5")
    await store.submit(rejected, {"label": "?"}, now=at)
    await store.review(rejected, approve=False, reason="unclear", now=at)
    await store.record_event(acme.id, "endpoint.test", {"hello": "world"})
    first, second, *_ = await store.lease_messages(now=at, limit=2, lease_seconds=1)
    await store.finish_attempt(
        Attempt(first.id, at, 204, 5.0, ""), "delivered", next_attempt_at=None
    )
    await store.finish_attempt(Attempt(second.id, at, 500, 5.0, "no"), "retry", next_attempt_at=at)
    return {"acme": acme.id, "other": other.id, "project": project.id, "retried": second.id}


async def _snapshot(store: Store, ids: dict[str, str]) -> dict[str, object]:
    """What clients, workers and the delivery loop see, through the Store protocol."""
    far = now() + 10_000
    leased = await store.lease_messages(now=far, limit=1000, lease_seconds=30)
    project = await store.get_project(ids["project"])
    assignments = await all_assignments(store, ids["acme"])
    return {
        "clients": [await store.get_client(ids[n]) for n in ("acme", "other")],
        "by_key": await store.client_by_key_hash("hash-" + ids["acme"]),
        "worker": await store.worker_by_email("ada@example.org"),
        "projects": (await store.list_projects(ids["acme"], cursor=None, limit=10)).items,
        "project": project,
        "tasks": [await store.get_task(a.task_id) for a in assignments],
        "assignments": assignments,
        "submitted": await all_assignments(store, ids["acme"], status="submitted"),
        "live": await store.live_assignment(ids["project"], "w4"),
        "endpoints": [await store.list_endpoints(ids[n]) for n in ("acme", "other")],
        "outbox": sorted((m.id, m.event, m.endpoint, m.attempts) for m in leased),
        "attempts": await store.list_attempts(ids["retried"]),
        "offers": await store.open_projects("w1", now=now()),
        "api_keys": await store.list_api_keys(ids["acme"]),
        "log": [
            (await store.list_messages(e.id, status=None, cursor=None, limit=100)).items
            for e in await store.list_endpoints(ids["acme"])
        ],
        "feed": [e for _, e in await store.read_events(ids["acme"], after=None, limit=100)],
    }


def _migrate(source: Path, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "crowdframe", "migrate", "--from", f"sqlite:///{source}", "--to", target],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_everything_moves_from_sqlite_to_redis_and_work_goes_on(
    tmp_path: Path, redis_url: str
) -> None:
    sqlite = SqliteStore(tmp_path / "crowdframe.db")
    await sqlite.open()
    ids = await _history(sqlite)
    await sqlite.close()

    moved = _migrate(tmp_path / "crowdframe.db", redis_url)
    assert moved.returncode == 0, moved.stderr
    assert "assignments: 5" in moved.stdout and "done:" in moved.stdout

    sqlite = SqliteStore(tmp_path / "crowdframe.db")
    await sqlite.open()
    redis = RedisStore(redis_url)
    await redis.open()
    try:
        before, after = await _snapshot(sqlite, ids), await _snapshot(redis, ids)
        assert after == before
        # every event, and a message of each for the endpoint hearing everything
        assert len(before["feed"]) == 13 and len(before["log"][0]) == 13  # type: ignore[arg-type,index]
        assert len(before["assignments"]) == 5 and len(before["outbox"]) == 4  # type: ignore[arg-type]  # one per task in flight, in order
        # and the work goes on in Redis, by the same rules
        project = await redis.get_project(ids["project"])
        assert project is not None
        replay = await redis.add_tasks(
            ids["acme"], ids["project"], new_tasks(project, 4), idempotency_key="k",
            request_hash="h",
        )  # fmt: skip
        assert replay.replayed and len(replay.tasks) == 4
        had = {a.task_id for a in await all_assignments(redis, ids["acme"]) if a.worker_id == "w1"}
        claimed = await redis.claim(ids["project"], "w1", "p-w1", now=now())
        assert claimed is not None and claimed.task_id not in had
        listed = await all_assignments(redis, ids["acme"])
        assert listed[-1].id == claimed.id, "new work lists after the migrated work"
    finally:
        await redis.close()
        await sqlite.close()


async def test_migrating_into_a_redis_that_holds_data_is_refused(
    tmp_path: Path, redis_url: str
) -> None:
    sqlite = SqliteStore(tmp_path / "crowdframe.db")
    await sqlite.open()
    await _history(sqlite)
    await sqlite.close()
    assert _migrate(tmp_path / "crowdframe.db", redis_url).returncode == 0
    again = _migrate(tmp_path / "crowdframe.db", redis_url)
    assert again.returncode == 2
    assert "not empty" in again.stderr
    missing = _migrate(tmp_path / "nothing-here.db", redis_url)
    assert missing.returncode == 2 and "no SQLite store" in missing.stderr
