"""``crowdframe migrate`` moves conversations too: disputes in every state, threads and their
messages, contacts, mutes, notices, rejections and opt-outs read the same on Redis after, and
new ones order after the migrated ones."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from crowdframe_gateway.conversations import Notice, Thread, ThreadMessage
from crowdframe_gateway.conversations.store import (
    DisputeAnswer,
    DisputeQuery,
    ThreadMessageQuery,
)
from crowdframe_gateway.core.records import new_id, now
from crowdframe_gateway.redis_store import RedisStore
from crowdframe_gateway.runtime import SqliteStore, Store
from scale_out import opened
from services import BIN
from store_world import dispute_of, make_client, rejected


async def _talk(store: Store) -> dict[str, Any]:
    client = await make_client(store)
    one, two = await rejected(store, client, "w1"), await rejected(store, client, "w2")
    first = await store.open_dispute(dispute_of(one), {})
    await store.open_dispute(dispute_of(two), {})
    await store.answer_dispute(client.id, first.id, DisputeAnswer("upheld", "no", now()))
    thread = Thread(new_id("thr"), client.id, "w1", "p-w1", "", "Hello", now())
    for author, body in (("client", "hi"), ("worker", "hello")):
        message = ThreadMessage(new_id("tmg"), thread.id, client.id, author, body, now())  # type: ignore[arg-type]
        await store.post_message(thread, message, None)
    await store.remember_contact(client.id, "p-w1", "w1")
    await store.set_mute("w2", client.id, muted=True)
    await store.add_notice(
        Notice(new_id("ntc"), "w1", "bonus", "a bonus", "/earnings", "k1", now())
    )
    await store.note_rejection("w1", client.id, one.id)
    await store.set_notice_optouts("w1", ("message",))
    return {"client": client, "thread": thread}


async def _read(store: Store, said: dict[str, Any]) -> dict[str, Any]:
    client_id = said["client"].id
    return {
        "disputes": (await store.list_disputes(client_id, DisputeQuery(10))).items,
        "open": (await store.list_disputes(client_id, DisputeQuery(10, status="open"))).items,
        "thread": await store.get_thread(said["thread"].id),
        "messages": await store.thread_messages(said["thread"]),
        "replies": (await store.client_messages(client_id, ThreadMessageQuery(10, "worker"))).items,
        "threads": await store.worker_threads("w1", limit=10),
        "contact": await store.contact(client_id, "p-w1"),
        "mutes": await store.muting_workers(client_id),
        "notices": await store.notices("w1", limit=10),
        "rejections": await store.rejections("w1"),
        "optouts": await store.notice_optouts("w1"),
    }


def _migrate(source: Path, target: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BIN / "crowdframe", "migrate", "--from", f"sqlite:///{source}", "--to", target],
        capture_output=True,
        text=True,
        timeout=60,
    )


async def test_conversations_move_from_sqlite_to_redis(tmp_path: Path, redis_url: str) -> None:
    path = tmp_path / "crowdframe.db"
    async with opened(SqliteStore(str(path))) as sqlite:
        said = await _talk(sqlite)
        before = await _read(sqlite, said)
    moved = _migrate(path, redis_url)
    assert moved.returncode == 0, moved.stderr
    assert "disputes: 2" in moved.stdout and "thread messages: 2" in moved.stdout
    async with opened(RedisStore(redis_url)) as redis:
        assert await _read(redis, said) == before
        thread = said["thread"]
        later = ThreadMessage(new_id("tmg"), thread.id, thread.client_id, "client", "x", now())
        await redis.post_message(thread, later, None)
        assert (await redis.thread_messages(thread))[-1] == later, "new messages order after"
        newer = Thread(new_id("thr"), thread.client_id, "w1", "p-w1", "", "Again", now())
        await redis.post_message(
            newer,
            later.__class__(new_id("tmg"), newer.id, newer.client_id, "client", "y", now()),
            None,
        )
        assert [t.subject for t in await redis.worker_threads("w1", limit=10)] == ["Again", "Hello"]
        assert len(await redis.overdue_disputes(now=now() + 1000)) == 1, "the open one is due"
