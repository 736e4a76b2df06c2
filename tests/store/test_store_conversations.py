"""Conversations in the store: a dispute once per assignment with its event, answered once,
reported overdue once; threads and their messages with the worker's reply as an event; mutes,
notices told once, the worker's rejections and notice opt-outs. Every case on both stores."""

from __future__ import annotations

import asyncio

import pytest

from crowdframe_gateway.conversations import Dispute, Notice, Thread, ThreadMessage
from crowdframe_gateway.conversations.store import (
    DisputeAnswer,
    DisputeQuery,
    ThreadMessageQuery,
)
from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.core.params import ReviewDecision
from crowdframe_gateway.core.records import Client, new_id, now
from crowdframe_gateway.runtime import Store
from store_world import dispute_of, make_client, recorded_events, rejected


async def test_a_rejection_is_disputed_once_with_its_event(store: Store) -> None:
    client = await make_client(store)
    assignment = await rejected(store, client)
    first = dispute_of(assignment)
    attempts = [first, *(dispute_of(assignment) for _ in range(4))]
    outcomes = await asyncio.gather(
        *(store.open_dispute(d, {"dispute_id": d.id}) for d in attempts), return_exceptions=True
    )
    kept = [o for o in outcomes if isinstance(o, Dispute)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(kept) == 1 and len(refused) == 4
    assert all(e.code == "already_disputed" and kept[0].id in e.message for e in refused)
    assert await store.dispute_of(client.id, assignment.id) == kept[0]
    assert await store.get_dispute(client.id, kept[0].id) == kept[0]
    assert await store.get_dispute("cli_other", kept[0].id) is None
    events = await recorded_events(store, client, "assignment.disputed")
    assert events == [{"dispute_id": kept[0].id}]


async def test_disputes_are_listed_page_by_page_and_by_status(store: Store) -> None:
    client = await make_client(store)
    made = []
    for n in range(3):
        made.append(
            await store.open_dispute(dispute_of(await rejected(store, client, f"w{n}")), {})
        )
    first = await store.list_disputes(client.id, DisputeQuery(2))
    assert first.items == made[:2] and first.next_cursor is not None
    rest = await store.list_disputes(client.id, DisputeQuery(2, cursor=first.next_cursor))
    assert rest.items == made[2:] and rest.next_cursor is None
    await store.answer_dispute(client.id, made[1].id, DisputeAnswer("upheld", "sorry", now()))
    open_ones = await store.list_disputes(client.id, DisputeQuery(10, status="open"))
    assert [d.id for d in open_ones.items] == [made[0].id, made[2].id]
    upheld = await store.list_disputes(client.id, DisputeQuery(10, status="upheld"))
    assert [(d.id, d.reply) for d in upheld.items] == [(made[1].id, "sorry")]


async def test_a_dispute_is_answered_once(store: Store) -> None:
    client = await make_client(store)
    dispute = await store.open_dispute(dispute_of(await rejected(store, client)), {})
    at = now()
    overturned = await store.answer_dispute(
        client.id, dispute.id, DisputeAnswer("overturned", None, at)
    )
    assert (overturned.status, overturned.answered_at) == ("overturned", at)
    again = await store.answer_dispute(
        client.id, dispute.id, DisputeAnswer("overturned", None, at + 5)
    )
    assert again == overturned, "a repeat changes nothing"
    with pytest.raises(Conflict) as refused:
        await store.answer_dispute(client.id, dispute.id, DisputeAnswer("upheld", "no", at))
    assert refused.value.code == "dispute_answered"
    with pytest.raises(NotFound):
        await store.answer_dispute(client.id, "dsp_none", DisputeAnswer("upheld", "no", at))


async def test_an_overdue_dispute_is_listed_until_answered_and_reported_once(
    store: Store,
) -> None:
    client = await make_client(store)
    at = now()
    late = await store.open_dispute(dispute_of(await rejected(store, client, "w1"), at=at), {})
    await store.open_dispute(dispute_of(await rejected(store, client, "w2"), at=at + 50), {})
    assert await store.overdue_disputes(now=at + 99) == []
    assert [d.id for d in await store.overdue_disputes(now=at + 120)] == [late.id]
    reports = await asyncio.gather(
        *(store.report_overdue(late, {"dispute_id": late.id}, now=at + 120) for _ in range(3))
    )
    assert sorted(reports) == [False, False, True]
    assert await recorded_events(store, client, "dispute.overdue") == [{"dispute_id": late.id}]
    listed = await store.overdue_disputes(now=at + 130)
    assert [(d.id, d.reported_at) for d in listed] == [(late.id, at + 120)]
    await store.answer_dispute(client.id, late.id, DisputeAnswer("upheld", "no", at + 130))
    assert await store.overdue_disputes(now=at + 130) == []


def thread_for(client: Client, worker: str, subject: str = "Thanks") -> Thread:
    return Thread(new_id("thr"), client.id, worker, "p-" + worker, "", subject, now())


def message_in(thread: Thread, body: str, author: str = "client") -> ThreadMessage:
    return ThreadMessage(new_id("tmg"), thread.id, thread.client_id, author, body, now())  # type: ignore[arg-type]


async def test_a_thread_keeps_its_messages_and_a_reply_is_an_event(store: Store) -> None:
    client = await make_client(store)
    thread = thread_for(client, "w1")
    hello = message_in(thread, "<script>alert(1)</script>")
    await store.post_message(thread, hello, None)
    reply = message_in(thread, "thanks!", "worker")
    await store.post_message(thread, reply, {"message_id": reply.id})
    assert await store.get_thread(thread.id) == thread
    assert await store.get_thread("thr_none") is None
    assert await store.thread_messages(thread) == [hello, reply]
    assert await recorded_events(store, client, "message.received") == [{"message_id": reply.id}]
    replies = await store.client_messages(client.id, ThreadMessageQuery(10, author="worker"))
    assert replies.items == [reply]
    every = await store.client_messages(client.id, ThreadMessageQuery(1))
    assert every.items == [hello] and every.next_cursor is not None
    rest = await store.client_messages(client.id, ThreadMessageQuery(1, cursor=every.next_cursor))
    assert rest.items == [reply]


async def test_a_workers_threads_come_latest_message_first(store: Store) -> None:
    acme, other = await make_client(store), await make_client(store, "other")
    older, newer = thread_for(acme, "w1", "older"), thread_for(other, "w1", "newer")
    await store.post_message(older, message_in(older, "one"), None)
    await store.post_message(newer, message_in(newer, "two"), None)
    elsewhere = thread_for(acme, "w2")
    await store.post_message(elsewhere, message_in(elsewhere, "x"), None)
    assert [t.subject for t in await store.worker_threads("w1", limit=10)] == ["newer", "older"]
    await store.post_message(older, message_in(older, "three", "worker"), {})
    assert [t.subject for t in await store.worker_threads("w1", limit=10)] == ["older", "newer"]
    page = await store.client_threads(acme.id, limit=1, cursor=None)
    assert page.items == [older] and page.next_cursor is not None


async def test_contacts_mutes_notices_rejections_and_optouts(store: Store) -> None:
    client = await make_client(store)
    await store.remember_contact(client.id, "wkr_a", "w1")
    await store.remember_contact(client.id, "wkr_a", "w9")
    assert await store.contact(client.id, "wkr_a") == "w1"
    assert await store.contact(client.id, "wkr_b") is None
    await store.set_mute("w1", client.id, muted=True)
    await store.set_mute("w2", client.id, muted=True)
    await store.set_mute("w2", client.id, muted=False)
    assert await store.muting_workers(client.id) == {"w1"}
    first = Notice(new_id("ntc"), "w1", "bonus", "a bonus", "/earnings", "bonus:1", now())
    again = Notice(new_id("ntc"), "w1", "bonus", "twice", "/earnings", "bonus:1", now())
    later = Notice(new_id("ntc"), "w1", "message", "hi", "/inbox", "message:1", now())
    assert await store.add_notice(first) and not await store.add_notice(again)
    assert await store.add_notice(later)
    assert await store.notices("w1", limit=10) == [later, first]
    assert await store.notices("w1", limit=1) == [later]
    for assignment_id in ("a1", "a2", "a1"):
        await store.note_rejection("w1", client.id, assignment_id)
    assert await store.rejections("w1") == [(client.id, "a2"), (client.id, "a1")]
    assert await store.notice_optouts("w1") == ()
    await store.set_notice_optouts("w1", ("bonus", "message"))
    assert await store.notice_optouts("w1") == ("bonus", "message")


async def test_an_overturn_approves_a_rejected_assignment(store: Store) -> None:
    client = await make_client(store)
    assignment = await rejected(store, client)
    with pytest.raises(Conflict):  # without the overturn flag a rejection is final
        await store.review(assignment.id, ReviewDecision(True), now=now())
    decision = ReviewDecision(True, None, {"overturned": True}, overturn=True)
    approved = await store.review(assignment.id, decision, now=now())
    assert (approved.status, approved.reject_reason) == ("approved", None)
    again = await store.review(assignment.id, decision, now=now())
    assert again.status == "approved"
    events = await recorded_events(store, client, "assignment.approved")
    assert [e.get("overturned") for e in events] == [True]
