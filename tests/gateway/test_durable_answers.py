"""An answer leaves only once the writes it reports are on disk, with one flush for many."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest

from crowdframe_gateway.app import create_app
from crowdframe_gateway.runtime import SqliteStore
from harness import ApiClient, Gateway, settings_for


async def test_a_write_is_flushed_before_its_answer(gateway: Gateway, api: ApiClient) -> None:
    store = gateway.rt.store
    assert isinstance(store, SqliteStore)
    before = store._written
    await api.project()
    assert store._written > before, "creating a project is a durable write"
    assert store._flusher.synced == store._written, "and it was flushed before the answer"


async def test_concurrent_answers_share_flushes(
    gateway: Gateway, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gateway.rt.store
    assert isinstance(store, SqliteStore)
    flushes = []
    flush = store._flush_log

    def counted(fd: int) -> None:
        flushes.append(1)
        flush(fd)  # the real fsync, counted

    monkeypatch.setattr(store, "_flush_log", counted)
    await asyncio.gather(*(api.project(title=f"p{n}") for n in range(30)))
    assert store._flusher.synced == store._written
    assert 1 <= len(flushes) < 30, f"{len(flushes)} flushes for 30 commits"


async def test_an_answer_that_wrote_nothing_does_not_wait_for_anothers_flush(
    gateway: Gateway, api: ApiClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = gateway.rt.store
    assert isinstance(store, SqliteStore)
    project = await api.project()
    started, release, flush = threading.Event(), threading.Event(), store._flush_log

    def held(fd: int) -> None:  # in the flush's thread: the disk is slow today
        started.set()
        release.wait(30)
        flush(fd)

    monkeypatch.setattr(store, "_flush_log", held)
    writing = asyncio.ensure_future(api.project(title="another"))
    try:
        assert await asyncio.to_thread(started.wait, 30), "the write's flush began"
        read = await api.call("GET", f"/projects/{project['id']}")
        assert read.status_code == 200, "a read answers while another's flush is held"
        assert not writing.done(), "the write's own answer waits for its flush"
    finally:
        release.set()
    assert (await writing)["title"] == "another"
    assert store._flusher.synced == store._written


async def test_with_synchronous_normal_nothing_waits_for_the_disk(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "db.sqlite", synchronous="NORMAL")
    await store.open()
    with store._tx() as db:
        db.execute("CREATE TABLE t (x)")
    await store.sync()
    assert store._flusher.synced == 0, "no flush was asked for"
    await store.close()


async def test_the_durability_setting_reaches_the_store(tmp_path: Path) -> None:
    relaxed = create_app(settings_for(tmp_path, sqlite_synchronous="NORMAL"), background=False)
    strict = create_app(settings_for(tmp_path / "b"), background=False)
    assert relaxed.state.runtime.store._wants_sync is False
    assert strict.state.runtime.store._wants_sync is True


async def test_a_caller_that_gives_up_stops_no_one_elses_flush(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    started, release, flush = threading.Event(), threading.Event(), store._flush_log

    def slow(fd: int) -> None:
        started.set()
        release.wait(30)
        flush(fd)

    monkeypatch.setattr(store, "_flush_log", slow)
    with store._tx() as db:
        db.execute("CREATE TABLE t (x)")
    impatient = asyncio.ensure_future(store.sync())
    patient = asyncio.ensure_future(store.sync())
    assert await asyncio.to_thread(started.wait, 30)
    impatient.cancel()
    await asyncio.sleep(0)
    release.set()

    await patient
    assert impatient.cancelled()
    assert store._flusher.synced == store._written
    await store.close()


async def test_a_failed_flush_fails_its_answers_and_the_next_one_flushes_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    flush = store._flush_log
    failures = [OSError("disk gone")]

    def failing_once(fd: int) -> None:
        if failures:
            raise failures.pop()
        flush(fd)

    monkeypatch.setattr(store, "_flush_log", failing_once)
    with store._tx() as db:
        db.execute("CREATE TABLE t (x)")

    answers = await asyncio.gather(store.sync(), store.sync(), return_exceptions=True)
    assert all(isinstance(a, OSError) for a in answers)
    assert store._flusher.synced < store._written

    await store.sync()
    assert store._flusher.synced == store._written
    await store.close()


async def test_commits_made_during_a_flush_get_the_next_one_without_waiting_for_the_loop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load the event loop is busy: the flush that follows one must not wait for it."""
    store = SqliteStore(tmp_path / "db.sqlite")
    await store.open()
    first_began, release, second_done = threading.Event(), threading.Event(), threading.Event()
    flush, flushes = store._flush_log, []

    def counted(fd: int) -> None:
        flushes.append(1)
        if len(flushes) == 1:
            first_began.set()
            release.wait(30)
        flush(fd)
        if len(flushes) == 2:
            second_done.set()

    monkeypatch.setattr(store, "_flush_log", counted)
    with store._tx() as db:
        db.execute("CREATE TABLE t (x)")
    first = asyncio.ensure_future(store.sync())
    assert await asyncio.to_thread(first_began.wait, 30)
    with store._tx() as db:  # during the first flush: the next one covers it
        db.execute("INSERT INTO t VALUES (1)")
    second = asyncio.ensure_future(store.sync())
    await asyncio.sleep(0)  # its wait is registered
    release.set()
    # the loop stays busy (this thread never yields) while the flushes go on without it
    assert second_done.wait(30), "the second flush began while the loop was busy"
    await asyncio.gather(first, second)
    assert len(flushes) == 2 and store._flusher.synced == store._written
    await store.close()


async def test_a_store_closed_and_opened_again_still_flushes_before_it_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = SqliteStore(tmp_path / "db.sqlite")
    flush, flushes = store._flush_log, []

    def counted(fd: int) -> None:
        flushes.append(1)
        flush(fd)

    monkeypatch.setattr(store, "_flush_log", counted)
    for table in ("t", "u"):
        await store.open()
        with store._tx() as db:
            db.execute(f"CREATE TABLE {table} (x)")
        await asyncio.wait_for(store.sync(), 30)  # a flusher stopped by close would hang here
        assert store._flusher.synced == store._written
        await store.close()
    assert len(flushes) >= 2, "a flush for each opening's commit"
