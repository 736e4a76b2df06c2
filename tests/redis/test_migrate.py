"""`crowdframe migrate`: a growing client moves from SQLite to Redis and loses nothing."""

from __future__ import annotations

import subprocess
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.errors import Conflict
from crowdframe_gateway.core.params import (
    AttemptGrade,
    Claim,
    ReviewDecision,
    Submission,
    TaskAssignmentsQuery,
)
from crowdframe_gateway.core.records import (
    Attempt,
    Block,
    Client,
    ClientUser,
    Credit,
    CrowdReview,
    Invitation,
    Project,
    ProjectSpec,
    Task,
    Worker,
    hour_of,
    new_id,
    now,
)
from crowdframe_gateway.ledger import BonusQuery
from crowdframe_gateway.ledger.rules import bonus_line, day_of, work_line
from crowdframe_gateway.mturk.records import (
    Hit,
    HitType,
    MTurkCredential,
    QualificationScore,
    QualificationType,
)
from crowdframe_gateway.quality.store import AttemptRequest
from crowdframe_gateway.redis_store import RedisStore
from crowdframe_gateway.runtime import SqliteStore, Store
from crowdframe_gateway.webhooks.store import MessageQuery
from scale_out import opened
from services import BIN
from store_world import (
    all_assignments,
    answer_gold,
    claim_and_submit,
    make_client,
    make_endpoint,
    make_project,
    make_tasks,
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
    await store.add_tasks(acme.id, project.id, TaskBatch(tasks, "h", "k"))
    at = now()

    async def claim(worker: str) -> str:
        claimed = await store.claim(Claim(project.id, worker, "p-" + worker), now=at)
        assert claimed is not None
        return claimed.id

    ids: dict[str, str] = {}
    approved, done = await claim("w1"), await claim("w2")
    await store.submit(approved, Submission({"label": "cat"}, ("too_fast",), "ip1"), now=at)
    # completes the first task
    await store.submit(done, Submission({"label": "cat"}, ip_hash="ip1"), now=at)
    await store.review(approved, ReviewDecision(approve=True), now=at)
    await store.return_assignment(await claim("w3"), now=at)
    await claim("w4")  # still live
    rejected = await claim("w5")
    await store.submit(rejected, Submission({"label": "?"}), now=at)
    await store.review(rejected, ReviewDecision(approve=False, reason="unclear"), now=at)
    ids |= await _quality_and_mturk_history(store, acme, at)
    await store.record_event(acme.id, "endpoint.test", {"hello": "world"})
    first, second, *_ = await store.lease_messages(now=at, limit=2, lease_seconds=1)
    await store.finish_attempt(
        Attempt(first.id, at, 204, 5.0, ""), "delivered", next_attempt_at=None
    )
    await store.finish_attempt(Attempt(second.id, at, 500, 5.0, "no"), "retry", next_attempt_at=at)
    return {
        **ids,
        "acme": acme.id,
        "other": other.id,
        "project": project.id,
        "retried": second.id,
        "approved": approved,
    }


async def _quality_and_mturk_history(store: Store, acme: Client, at: float) -> dict[str, str]:
    """Gold tasks and records, blocks, credits, MTurk credentials, HIT types and HITs."""
    gold = await make_project(store, acme, auto_approve_delay=60)
    await make_tasks(store, gold, 1, prefix="gold-", gold={"label": "cat"})
    await make_tasks(store, gold, 2)
    for worker in ("g1", "g2"):
        # at the time of the call: the log of events from two projects is in time order
        await answer_gold(store, gold, worker, worker == "g1", min_answers=1, min_accuracy=0.5)
    waiting = await claim_and_submit(store, gold, "g1", {"label": "cat"})
    await store.block(Block(acme.id, "p-w9", "", "bot", at))
    await store.block(Block(acme.id, "p-w8", gold.id, "sloppy", at + 1))
    for key, kind in ((f"reward:{waiting.id}", "reward"), ("bonus:x", "bonus")):
        await store.credit(
            Credit(new_id("crd"), "g1", acme.id, waiting.id, kind, 5, "USD", "r", key, at)  # type: ignore[arg-type]
        )
    pending = work_line(waiting, gold.spec)  # the worker's statement: the pending answer ...
    assert pending is not None
    await store.note_work(pending)
    await store.note_work(bonus_line((await store.earnings("g1"))[0], gold.id))  # ... a bonus
    await store.create_mturk_credential(MTurkCredential("AKCF1", acme.id, "sealed", "active", at))
    await store.create_mturk_credential(MTurkCredential("AKCF2", acme.id, "sealed", "revoked", at))
    kind = HitType("htp_1", acme.id, "fp", "Rate", "d", "k", 5, 600, 60, ("DE",), (), [], at)
    await store.hit_type_for(kind)
    spec = ProjectSpec(title="Rate", task_url="https://t.example/x", reward_cents=5)
    made = Project(new_id("prj"), acme.id, spec, "active", at)
    mturk = await store.hit_type_project(kind.id, "https://t.example", made)
    hits = []
    for n, token in enumerate(("tok", None, None)):
        task = Task(new_id("tsk"), mturk.id, f"h{n}", {}, "open", at, at + (-1 if n == 2 else 3600))
        hit = Hit(task, acme.id, kind.id, "<q/>", "https://t.example/x", 0, "", 2, at)
        await store.create_hit(hit, token)
        hits.append(task.id)
    await store.dispose_hit(hits[2], now=at)  # expired: disposable
    await store.set_hit_reviewing(hits[1], True)
    skill = QualificationType("3SKILL", acme.id, "Skill", "d", "k", "Active", None, False, 1, at)
    await store.create_qualification_type(skill)
    await store.set_qualification_score(acme.id, QualificationScore("3SKILL", "p-w1", 80, at))
    return {"gold": gold.id, "waiting": waiting.id, "mturk": mturk.id, "hit": hits[0]}


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
        # the pools: what each worker may still take, and which task comes next
        "pools": [
            (
                await store.open_projects(w, now=now()),
                await store.peek_task(ids["project"], w, now=now()),
                await store.unseen_questions(ids["gold"], w, now=now()),
            )
            for w in ("w1", "w2", "w3", "w4", "g1", "g2", "g3")
        ],
        "gold": await store.gold_stats(ids["gold"]),
        "gold task": await store.peek_task(ids["gold"], "g3", now=now()),
        "stopped": await store.is_blocked(ids["acme"], "g2", "p-g2", ids["gold"]),
        "blocks": await store.list_blocks(ids["acme"]),
        "earnings": await store.earnings("g1"),
        "statement": (
            await store.work_lines("g1", limit=10),
            await store.work_totals("g1"),
            await store.work_on("g1", day_of(now())),  # made today
        ),
        "bonuses": await store.list_bonuses(
            ids["acme"], BonusQuery(5, assignment_id=ids["waiting"])
        ),
        "flagged": await all_assignments(store, ids["acme"], signal="too_fast"),
        "same address": await store.workers_on_ip(ids["project"], "ip1", other_than="w9"),
        "history": await store.worker_history(ids["gold"], "g1", limit=5),
        "work seconds": await store.work_seconds(ids["project"], limit=5),
        "submissions by hour": await store.submission_hours(
            ids["project"], first_hour=hour_of(now()) - 2, hours=3
        ),
        "latest answers": await store.latest_answers(ids["project"], limit=5),
        "credentials": [await store.get_mturk_credential(k) for k in ("AKCF1", "AKCF2")],
        "hit type": await store.get_hit_type("htp_1"),
        "requirements": await store.project_requirements(ids["acme"], ids["mturk"]),
        "qualification types": await store.list_qualification_types(ids["acme"]),
        "scores": await store.qualification_scores(ids["acme"], "3SKILL"),
        "reviews": [await store.review_counts(w) for w in ("w1", "w5")],
        "hits": await store.list_hits(ids["acme"], cursor=None, limit=10),
        "hit assignments": await store.list_task_assignments(
            ids["hit"], TaskAssignmentsQuery(("accepted",), 5)
        ),
        "api_keys": await store.list_api_keys(ids["acme"]),
        "log": [
            (await store.list_messages(e.id, MessageQuery(100))).items
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


@asynccontextmanager
async def _migrated(
    tmp_path: Path,
    redis_url: str,
    history: Callable[[Store], Awaitable[dict[str, str]]],
    *said: str,
) -> AsyncIterator[tuple[dict[str, str], SqliteStore, RedisStore]]:
    """``history`` written to SQLite, migrated (the command saying each of ``said``), then both
    stores open: the ids of the history, the SQLite store and the Redis one."""
    async with opened(SqliteStore(tmp_path / "crowdframe.db")) as sqlite:
        ids = await history(sqlite)
    moved = _migrate(tmp_path / "crowdframe.db", redis_url)
    assert moved.returncode == 0, moved.stderr
    assert all(line in moved.stdout for line in said), moved.stdout
    async with (
        opened(SqliteStore(tmp_path / "crowdframe.db")) as sqlite,
        opened(RedisStore(redis_url)) as redis,
    ):
        yield ids, sqlite, redis


async def test_everything_moves_from_sqlite_to_redis_and_work_goes_on(
    tmp_path: Path, redis_url: str
) -> None:
    migrated = _migrated(tmp_path, redis_url, _history, "assignments: 8", "HITs: 3", "done:")
    async with migrated as (ids, sqlite, redis):
        before, after = await _snapshot(sqlite, ids), await _snapshot(redis, ids)
        assert after == before
        # every event, and a message of each for the endpoint hearing everything
        assert len(before["feed"]) == 21 and len(before["log"][0]) == 21  # type: ignore[arg-type,index]
        assert len(before["assignments"]) == 8 and len(before["outbox"]) == 7  # type: ignore[arg-type]  # one per task in flight, in order
        # and the work goes on in Redis, by the same rules
        project = await redis.get_project(ids["project"])
        assert project is not None
        replay = await redis.add_tasks(
            ids["acme"], ids["project"], TaskBatch(new_tasks(project, 4), "h", "k")
        )
        assert replay.replayed and len(replay.tasks) == 4
        had = {a.task_id for a in await all_assignments(redis, ids["acme"]) if a.worker_id == "w1"}
        claimed = await redis.claim(Claim(ids["project"], "w1", "p-w1"), now=now())
        assert claimed is not None and claimed.task_id not in had
        listed = await all_assignments(redis, ids["acme"])
        assert listed[-1].id == claimed.id, "new work lists after the migrated work"
        # quality, the ledger and MTurk carry on where they were
        gold = await redis.claim(Claim(ids["gold"], "g3", "p-g3", gold=True), now=now())
        assert gold is not None and (await redis.get_task(gold.task_id)).gold  # type: ignore[union-attr]
        approved = await redis.auto_approve(now=now() + 61)
        assert ids["waiting"] in {a.id for a in approved} and len(approved) == 3, "and 2 gold"
        hit = await redis.get_hit(ids["hit"])
        assert hit is not None and hit == await sqlite.get_hit(ids["hit"])
        with pytest.raises(Conflict):
            await redis.create_hit(replace(hit, task=replace(hit.task, id=new_id("tsk"))), "tok")
        credit = (await redis.earnings("g1"))[0]
        assert await redis.credit(replace(credit, id=new_id("crd"))) == credit
        line = (await redis.work_lines("g1", limit=1)).items[0]
        assert not await redis.note_work(line), "the same line: nothing changes"
        await redis.note_work(replace(line, key="bonus:new"))
        assert (await redis.work_lines("g1", limit=1)).items[0].key == "bonus:new", "newest first"
        assert not await redis.revoke_mturk_credential("AKCF2")
        assert await redis.revoke_mturk_credential("AKCF1")


async def test_migrating_into_a_redis_that_holds_data_is_refused(
    tmp_path: Path, redis_url: str
) -> None:
    async with opened(SqliteStore(tmp_path / "crowdframe.db")) as sqlite:
        await _history(sqlite)
    assert _migrate(tmp_path / "crowdframe.db", redis_url).returncode == 0
    again = _migrate(tmp_path / "crowdframe.db", redis_url)
    assert again.returncode == 2
    assert "not empty" in again.stderr
    missing = _migrate(tmp_path / "nothing-here.db", redis_url)
    assert missing.returncode == 2 and "no SQLite store" in missing.stderr


async def _assessment_history(store: Store) -> dict[str, str]:
    """A platform client's assessment: a failed, a passed and an open attempt; a worker with
    skills."""
    made = await make_client(store, "platform")
    platform = replace(made, id=new_id("cli"), platform=True)
    await store.create_client(platform, "hash-platform")
    test = await make_project(store, platform, kind="assessment", test_size=2)
    await make_tasks(store, test, 6, prefix="q", gold={"label": "cat"})
    worker = Worker(new_id("wrk"), "sk@example.org", "x", "DE", ("en:fluent",), now(),
                    skills=("transcription",))  # fmt: skip
    await store.create_worker(worker)
    at = now()
    for who, answers in (("w1", [False, False]), ("w2", [True, True]), ("w3", [True])):
        begun = await store.start_attempt(AttemptRequest(test.id, who, "p-" + who, 2, 5), now=at)
        assert begun.state == "open"
        for correct in answers:
            await claim_and_submit(store, test, who, {"label": "cat"}, gold=True, at=at,
                                   attempt=AttemptGrade(correct, needed=2))  # fmt: skip
    return {"platform": platform.id, "test": test.id, "worker": worker.id}


async def _assessment_snapshot(store: Store, ids: dict[str, str]) -> dict[str, object]:
    test = ids["test"]
    return {
        "client": await store.get_client(ids["platform"]),
        "worker": await store.get_worker(ids["worker"]),
        "attempts": await store.list_assessment_attempts(test, cursor=None, limit=10),
        "latest": [await store.latest_attempt(test, w) for w in ("w1", "w2", "w3")],
        "held": [await store.held_qualifications(w, [test]) for w in ("w1", "w2", "w3")],
        "granted": await store.get_qualification(test, "w2"),
        "unseen": [await store.unseen_questions(test, w, now=now()) for w in ("w1", "w3")],
    }


async def test_assessments_skills_and_platform_clients_move_to_redis(
    tmp_path: Path, redis_url: str
) -> None:
    said = "assessment attempts: 3, qualifications: 1"
    async with _migrated(tmp_path, redis_url, _assessment_history, said) as (ids, sqlite, redis):
        before = await _assessment_snapshot(sqlite, ids)
        assert before == await _assessment_snapshot(redis, ids)
        assert before["worker"].skills == ("transcription",)  # type: ignore[attr-defined]
        assert before["client"].platform  # type: ignore[attr-defined]
        # the open attempt goes on, and the failed worker's cool-down still holds
        done = await claim_and_submit(redis, Project(ids["test"], ids["platform"],
                                      ProjectSpec("t", "http://x", 0), "active", now()),
                                      "w3", {"label": "cat"}, gold=True,
                                      attempt=AttemptGrade(True, needed=2))  # fmt: skip
        assert done.status == "submitted"
        last = await redis.latest_attempt(ids["test"], "w3")
        assert last is not None and last.passed
        ask = AttemptRequest(ids["test"], "w1", "p-w1", test_size=2, retry_after=3600)
        again = await redis.start_attempt(ask, now=now())
        assert again.state == "cooling"


async def test_crowd_review_tasks_and_queue_move_to_redis(tmp_path: Path, redis_url: str) -> None:
    async with opened(SqliteStore(tmp_path / "crowdframe.db")) as sqlite:
        acme = await make_client(sqlite)
        crowd = CrowdReview(task_url="http://localhost:9/review", reward_cents=2)
        work = await make_project(sqlite, acme, crowd_review=crowd)
        reviews = await make_project(sqlite, acme, per_task=2, kind="review")
        await make_tasks(sqlite, work, 2)
        at = now()
        first = await claim_and_submit(sqlite, work, "w1", {"label": "cat"}, at=at)
        second = await claim_and_submit(sqlite, work, "w2", {"label": "dog"}, at=at)
        review = Task("tsk_rv1", reviews.id, first.id, {"assignment_id": first.id}, "open", at,
                      at + 3600)  # fmt: skip
        await sqlite.add_review_task(review, excluded_worker="w1")
        await sqlite.schedule_crowd_review(first.id, at=at + 600)
        # the second answer was reviewed by the client before any reviewer took its review
        wasted = replace(
            review, id="tsk_rv2", external_id=second.id, input={"assignment_id": second.id}
        )
        await sqlite.add_review_task(wasted, excluded_worker="w2")
        cancelled = await sqlite.cancel_task(wasted.id, now=now(), untaken_only=True)
        assert cancelled is not None and cancelled.status == "cancelled"

    moved = _migrate(tmp_path / "crowdframe.db", redis_url)
    assert moved.returncode == 0, moved.stderr
    assert "crowd review tasks and queue: 4" in moved.stdout
    async with opened(RedisStore(redis_url)) as redis:
        assert await redis.crowd_reviews_due(now=at + 1, limit=10) == [second.id]
        assert sorted(await redis.crowd_reviews_due(now=at + 600, limit=10)) == sorted(
            [first.id, second.id]
        )
        assert await redis.peek_task(reviews.id, "w1", now=now()) is None, "never the submitter"
        assert await redis.claim(Claim(reviews.id, "w1", "p-w1"), now=now()) is None
        assert await redis.peek_task(reviews.id, "w3", now=now()) == review
        assert await redis.add_review_task(review, excluded_worker="w1") == review
        assert (await redis.get_task(wasted.id)).status == "cancelled"  # type: ignore[union-attr]
        assert (await redis.get_project(reviews.id)).counts["open"] == 1  # type: ignore[union-attr]
        for reviewer in ("w3", "w4"):
            claimed = await redis.claim(Claim(reviews.id, reviewer, "p"), now=now())
            assert claimed is not None and claimed.task_id == review.id
        assert await redis.claim(Claim(reviews.id, "w5", "p"), now=now()) is None, (
            "never the cancelled"
        )


async def test_console_users_and_invitations_move_to_redis(tmp_path: Path, redis_url: str) -> None:
    created = now()
    async with opened(SqliteStore(tmp_path / "crowdframe.db")) as sqlite:
        acme = await make_client(sqlite)
        used = Invitation("inv_1", acme.id, "ann@acme.example", "owner", created, created + 60)
        open_one = replace(used, id="inv_2", email="bob@acme.example", role="member")
        ann = ClientUser("cus_1", acme.id, "ann@acme.example", "scrypt$x", "owner", created)
        await sqlite.create_invitation(used, "hash-1")
        await sqlite.create_invitation(open_one, "hash-2")
        await sqlite.accept_invitation("hash-1", ann, now=created + 1)

    moved = _migrate(tmp_path / "crowdframe.db", redis_url)
    assert moved.returncode == 0, moved.stderr
    assert "console users and invitations: 3" in moved.stdout
    async with opened(RedisStore(redis_url)) as redis:
        assert await redis.list_client_users(acme.id) == [ann]
        assert await redis.client_user_by_email("ann@acme.example") == ann
        assert await redis.invitation_by_token_hash("hash-1") == replace(
            used, accepted_at=created + 1
        )
        bob = replace(ann, id="cus_2", email="bob@acme.example", role="member")
        await redis.accept_invitation("hash-2", bob, now=now())
        with pytest.raises(Conflict):
            await redis.accept_invitation("hash-1", replace(ann, id="cus_3"), now=now())
        assert await redis.list_client_users(acme.id) == [ann, bob]


async def _lifetimes(store: Store) -> dict[str, str]:
    """A project with a task expired by the sweep, and one open with a longer lifetime."""
    acme = await make_client(store)
    project = await make_project(store, acme)
    [short] = await make_tasks(store, project, 1, prefix="short", lifetime=100)
    [long] = await make_tasks(store, project, 1, prefix="long", lifetime=1000)
    assert await store.expire_tasks(now=short.expires_at) == 1
    return {"acme": acme.id, "project": project.id, "long": long.id, "end": repr(long.expires_at)}


async def test_expired_tasks_and_lifetimes_move_to_redis(tmp_path: Path, redis_url: str) -> None:
    async with _migrated(tmp_path, redis_url, _lifetimes) as (ids, sqlite, redis):
        before = await sqlite.get_project(ids["project"])
        assert before is not None and before.counts["expired"] == 1
        assert await redis.get_project(ids["project"]) == before
        assert await redis.expire_tasks(now=float(ids["end"])) == 1, "the sweep goes on in Redis"
        assert (await redis.get_task(ids["long"])).status == "expired"  # type: ignore[union-attr]
        feed = await redis.read_events(ids["acme"], after=None, limit=10)
        [completed] = [e.data for _, e in feed if e.type == "project.completed"]
        assert completed["counts"] == {"tasks": 2, "completed": 0, "cancelled": 0, "expired": 2}
