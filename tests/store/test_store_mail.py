"""The outbox of emails, on both stores: queued durably (a store opened afresh, as after a
restart, still has what was pending), leased so that two processes never send one at the same
time, and settled as sent (without its body), due again later, or failed."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from crowdframe_gateway.mail.records import Email
from crowdframe_gateway.mail.rules import EmailResult
from crowdframe_gateway.runtime import Store
from store_world import Opener

AT = 1_800_000_000.0


def email(n: int, *, due: float = AT) -> Email:
    return Email(f"eml_{n}", f"w{n}@example.org", f"Subject {n}", f"Body {n}", AT + n,
                 next_attempt_at=due)  # fmt: skip


async def queued(store: Store, *emails: Email) -> None:
    for each in emails:
        await store.queue_email(each)


async def test_due_emails_are_leased_the_longest_due_first_and_not_twice(
    open_stores: Opener,
) -> None:
    first, second = await open_stores(), await open_stores()
    await queued(first, email(1, due=AT + 5), email(2, due=AT + 1), email(3, due=AT + 100))
    leased = await first.lease_emails(now=AT + 10, limit=10, lease_seconds=30)
    assert [e.id for e in leased] == ["eml_2", "eml_1"]  # eml_3 is not due yet
    assert leased[0] == email(2, due=AT + 1)
    assert await second.lease_emails(now=AT + 20, limit=10, lease_seconds=30) == []
    # a lease that ran out (its process died): due again, for any process
    again = await second.lease_emails(now=AT + 41, limit=5, lease_seconds=30)
    assert sorted(e.id for e in again) == ["eml_1", "eml_2"]


async def test_a_lease_takes_at_most_its_limit(store: Store) -> None:
    await queued(store, *(email(n) for n in range(5)))
    assert len(await store.lease_emails(now=AT, limit=2, lease_seconds=30)) == 2
    assert len(await store.lease_emails(now=AT, limit=10, lease_seconds=30)) == 3


async def test_two_processes_leasing_at_once_share_the_emails_without_overlap(
    open_stores: Opener,
) -> None:
    stores = [await open_stores() for _ in range(3)]
    await queued(stores[0], *(email(n) for n in range(12)))
    leases = await asyncio.gather(
        *(s.lease_emails(now=AT, limit=5, lease_seconds=30) for s in stores)
    )
    ids = [e.id for lease in leases for e in lease]
    assert sorted(ids) == sorted(f"eml_{n}" for n in range(12))


async def test_a_sent_email_keeps_no_body_and_is_never_due_again(store: Store) -> None:
    await queued(store, email(1))
    [leased] = await store.lease_emails(now=AT, limit=5, lease_seconds=30)
    await store.finish_email(EmailResult(leased.id, "sent", AT + 2))
    sent = await store.get_email("eml_1")
    assert sent == replace(email(1), status="sent", attempts=1, body="", sent_at=AT + 2)
    assert await store.lease_emails(now=AT + 10_000, limit=5, lease_seconds=30) == []


async def test_a_failed_attempt_is_due_again_at_its_retry_then_fails_for_good(
    store: Store,
) -> None:
    await queued(store, email(1))
    [leased] = await store.lease_emails(now=AT, limit=5, lease_seconds=30)
    await store.finish_email(EmailResult(leased.id, "pending", AT + 1, AT + 60, "451 later"))
    assert await store.lease_emails(now=AT + 59, limit=5, lease_seconds=30) == []
    [retry] = await store.lease_emails(now=AT + 60, limit=5, lease_seconds=30)
    assert (retry.attempts, retry.last_error, retry.body) == (1, "451 later", "Body 1")
    await store.finish_email(EmailResult(retry.id, "failed", AT + 61, None, "550 no user"))
    failed = await store.get_email("eml_1")
    assert failed is not None
    assert (failed.status, failed.attempts, failed.last_error) == ("failed", 2, "550 no user")
    assert await store.lease_emails(now=AT + 10_000, limit=5, lease_seconds=30) == []


async def test_a_pending_email_outlives_the_process_that_queued_it(open_stores: Opener) -> None:
    before = await open_stores()
    await queued(before, email(1))
    await before.lease_emails(now=AT, limit=5, lease_seconds=30)  # it died while sending
    await before.close()
    after = await open_stores()
    [again] = await after.lease_emails(now=AT + 30, limit=5, lease_seconds=30)
    assert again.id == "eml_1" and again.body == "Body 1"


async def test_the_latest_emails_are_listed_newest_first(store: Store) -> None:
    await queued(store, email(1), email(2), email(3))
    assert [e.id for e in await store.list_emails(limit=2)] == ["eml_3", "eml_2"]


async def test_a_wait_for_emails_ends_when_this_process_queues_one(store: Store) -> None:
    waiting = asyncio.create_task(store.wait_for_emails(60))
    await asyncio.sleep(0)
    await store.queue_email(email(1))
    async with asyncio.timeout(10):
        await waiting


async def test_settled_emails_are_forgotten_a_month_on_and_pending_ones_never(
    store: Store,
) -> None:
    await queued(store, email(1), email(2))
    await store.lease_emails(now=AT + 5, limit=5, lease_seconds=30)
    await store.finish_email(EmailResult("eml_1", "sent", AT + 6))
    month = 30 * 24 * 3600
    await store.queue_email(replace(email(3), created_at=AT + 1 + month))  # eml_1 just kept
    assert await store.get_email("eml_1") is not None
    await store.queue_email(replace(email(4), created_at=AT + 2 + month))
    assert await store.get_email("eml_1") is None
    assert await store.get_email("eml_2") is not None  # pending still: never forgotten
    assert [e.id for e in await store.list_emails(limit=10)] == ["eml_4", "eml_3", "eml_2"]
