"""One submit, one step: a submission, its gold grade and the stop it causes, or its count in
the worker's assessment attempt and the qualification it grants, and their events are kept
together or not at all, whatever fails in the middle."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import AbstractContextManager, asynccontextmanager, contextmanager
from urllib.parse import urlparse

import pytest
from redis.exceptions import ConnectionError as RedisConnectionError

from crowdframe_gateway.core.errors import Conflict
from crowdframe_gateway.core.params import AttemptGrade, Claim, GoldGrade, Submission
from crowdframe_gateway.core.records import Assignment, now
from crowdframe_gateway.quality.rules import grade_gold
from crowdframe_gateway.quality.store import AttemptRequest
from crowdframe_gateway.runtime import Store, open_store
from crowdframe_gateway.store.redis.scripts import SCRIPTS
from store_world import (
    Opener,
    claim_and_submit,
    make_client,
    make_project,
    make_tasks,
    recorded_events,
)

CAT, DOG = {"label": "cat"}, {"label": "dog"}


class CuttingHop:
    """A TCP hop between the store and redis-server. Once armed, it passes the next call of
    submit.lua on, lets Redis answer, and cuts the store's connection instead of passing the
    answer back: the submit was sent, its reply is lost."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.armed = False
        self.cuts = 0
        self.server: asyncio.Server | None = None

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()

    async def _serve(
        self, client_in: asyncio.StreamReader, client_out: asyncio.StreamWriter
    ) -> None:
        server_in, server_out = await asyncio.open_connection("127.0.0.1", self.port)
        cut = asyncio.Event()

        async def upstream() -> None:
            while chunk := await client_in.read(65536):
                if self.armed and SCRIPTS["submit"].sha.encode() in chunk:
                    self.armed = False
                    cut.set()
                server_out.write(chunk)
                await server_out.drain()

        async def downstream() -> None:
            while chunk := await server_in.read(65536):
                if cut.is_set():  # Redis has answered the submit: the store never hears it
                    self.cuts += 1
                    break
                client_out.write(chunk)
                await client_out.drain()

        pumps = [asyncio.ensure_future(upstream()), asyncio.ensure_future(downstream())]
        try:
            await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        except ConnectionError:
            pass
        finally:
            for pump in pumps:
                pump.cancel()
            client_out.close()
            server_out.close()


FailMidway = Callable[[str], AbstractContextManager[None]]


@asynccontextmanager
async def faulty_store(store_url: str) -> AsyncIterator[tuple[Store, FailMidway]]:
    """The store, and a way to make the next submit fail in its middle: on SQLite its
    transaction fails writing the event of the type given, its last write; on Redis the
    connection is cut once the script is sent."""
    if store_url.startswith("sqlite:"):
        path = store_url.removeprefix("sqlite:///")

        @contextmanager
        def fail_midway(event_type: str) -> Iterator[None]:
            with sqlite3.connect(path) as db:  # the store's own file, from outside
                db.execute(  # a trigger takes no parameters: the type is the test's own text
                    f"CREATE TRIGGER cut BEFORE INSERT ON events WHEN NEW.type = '{event_type}'"
                    " BEGIN SELECT RAISE(ABORT, 'the disk failed'); END"
                )
            try:
                yield
            finally:
                with sqlite3.connect(path) as db:
                    db.execute("DROP TRIGGER cut")

        store = open_store(store_url)
        await store.open()
        try:
            yield store, fail_midway
        finally:
            await store.close()
        return
    url = urlparse(store_url)
    assert url.port is not None
    hop = CuttingHop(url.port)
    port = await hop.start()

    @contextmanager
    def cut_after_sending(event_type: str) -> Iterator[None]:
        hop.armed = True
        yield
        assert hop.cuts == 1, "the submit's connection was cut"

    store = open_store(f"redis://127.0.0.1:{port}{url.path}")
    await store.open()
    try:
        yield store, cut_after_sending
    finally:
        await store.close()
        await hop.stop()


async def submit_through_a_failure(
    store: Store,
    fail: FailMidway,
    event_type: str,
    claimed: Assignment,
    submission: Submission,
    nothing_kept: Callable[[], Awaitable[None]],
) -> None:
    """Submit once failing midway (at ``event_type``'s event on SQLite), then as the worker
    would: again if none of it was kept (after checking so), else once more to be refused."""
    with fail(event_type), pytest.raises((Conflict, RedisConnectionError, sqlite3.Error)):
        await store.submit(claimed.id, submission, now=now())
    after = await store.get_assignment(claimed.id)
    assert after is not None
    if after.status == "accepted":  # none of it: the worker submits again, and it all holds
        await nothing_kept()
        await store.submit(claimed.id, submission, now=now())
    else:  # all of it: a second submit is refused, nothing is counted twice
        with pytest.raises(Conflict):
            await store.submit(claimed.id, submission, now=now())


async def test_a_submit_that_fails_midway_keeps_all_of_it_or_none(store_url: str) -> None:
    async with faulty_store(store_url) as (store, fail):
        client = await make_client(store)
        project = await make_project(store, client, gold_min_answers=1, gold_min_accuracy=0.5)
        [gold] = await make_tasks(store, project, 1, prefix="gold-", gold=CAT)
        claimed = await store.claim(Claim(project.id, "w1", "p-w1", gold=True), now=now())
        assert claimed is not None and claimed.task_id == gold.id
        grade = grade_gold(None, correct=False, min_answers=1, min_accuracy=0.5)
        assert grade == GoldGrade(correct=False, seen=0, stop=True)

        async def nothing_kept() -> None:
            assert await store.gold_record(project.id, "w1") is None
            assert await recorded_events(store, client, "assignment.submitted") == []
            assert await recorded_events(store, client, "worker.stopped") == []

        submission = Submission(DOG, gold=grade)
        await submit_through_a_failure(
            store, fail, "worker.stopped", claimed, submission, nothing_kept
        )

        done = await store.get_assignment(claimed.id)
        assert done is not None and (done.status, done.result) == ("submitted", DOG)
        record = await store.gold_record(project.id, "w1")
        assert record is not None and (record.answered, record.correct, record.stopped) == (
            1,
            0,
            True,
        )
        assert await store.is_blocked(client.id, "w1", "p-w1", project.id)
        assert len(await recorded_events(store, client, "assignment.submitted")) == 1
        assert len(await recorded_events(store, client, "worker.stopped")) == 1


async def test_a_grade_decided_for_a_record_that_moved_on_is_refused_whole(
    open_stores: Opener,
) -> None:
    store = await open_stores()
    client = await make_client(store)
    project = await make_project(store, client, gold_min_answers=2, gold_min_accuracy=0.5)
    await make_tasks(store, project, 2, prefix="gold-", gold=CAT)
    first = await store.claim(Claim(project.id, "w1", "p-w1", gold=True), now=now())
    second = await store.claim(Claim(project.id, "w1", "p-w1", gold=True), now=now())
    assert first is not None and second is not None
    stale = grade_gold(None, correct=False, min_answers=2, min_accuracy=0.5)  # both tabs
    await store.submit(first.id, Submission(DOG, gold=stale), now=now())

    with pytest.raises(Conflict) as refused:
        await store.submit(second.id, Submission(DOG, gold=stale), now=now())
    assert refused.value.code == "gold_record_changed"
    kept = await store.get_assignment(second.id)
    assert kept is not None and kept.status == "accepted", "nothing of it was written"
    assert len(await recorded_events(store, client, "assignment.submitted")) == 1

    fresh = grade_gold(
        await store.gold_record(project.id, "w1"), correct=False, min_answers=2, min_accuracy=0.5
    )
    assert fresh == GoldGrade(correct=False, seen=1, stop=True)
    await store.submit(second.id, Submission(DOG, gold=fresh), now=now())
    record = await store.gold_record(project.id, "w1")
    assert record is not None and (record.answered, record.stopped) == (2, True)
    assert len(await recorded_events(store, client, "worker.stopped")) == 1


async def test_an_assessment_answer_that_fails_midway_is_counted_with_its_submission_or_not(
    store_url: str,
) -> None:
    async with faulty_store(store_url) as (store, fail):
        client = await make_client(store)
        project = await make_project(store, client, kind="assessment", test_size=2)
        await make_tasks(store, project, 4, prefix="q", gold=CAT)
        begun = await store.start_attempt(
            AttemptRequest(project.id, "w1", "p-w1", 2, 60), now=now()
        )
        assert begun.state == "open"
        right = AttemptGrade(correct=True, needed=2)
        await claim_and_submit(store, project, "w1", CAT, gold=True, attempt=right)
        claimed = await store.claim(Claim(project.id, "w1", "p-w1", gold=True), now=now())
        assert claimed is not None

        async def nothing_kept() -> None:
            attempt = await store.latest_attempt(project.id, "w1")
            assert attempt is not None and (attempt.answered, attempt.finished_at) == (1, None)
            assert len(await recorded_events(store, client, "assignment.submitted")) == 1
            assert await store.held_qualifications("w1", [project.id]) == set()

        submission = Submission(CAT, attempt=right)
        await submit_through_a_failure(
            store, fail, "qualification.granted", claimed, submission, nothing_kept
        )

        attempt = await store.latest_attempt(project.id, "w1")
        assert attempt is not None and (attempt.answered, attempt.correct) == (2, 2)
        assert attempt.passed is True, "the test finished: the last answer was counted"
        assert await store.held_qualifications("w1", [project.id]) == {project.id}
        assert len(await recorded_events(store, client, "assignment.submitted")) == 2
        assert len(await recorded_events(store, client, "qualification.granted")) == 1
