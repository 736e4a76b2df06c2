"""A worker's emailed links (verification, password reset), on both stores: kept by their
token's hash, used once (two uses at once: one wins), refused once expired or of another kind;
and what using one changes on the account."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from crowdframe_gateway.core.errors import Conflict, GatewayError, NotFound
from crowdframe_gateway.identity.records import AccountLink
from crowdframe_gateway.identity.rules import LINK_SECONDS
from crowdframe_gateway.runtime import Store
from store_world import Opener, make_worker

MADE = 1_800_000_000.0


async def a_link(store: Store, purpose: str = "reset") -> AccountLink:
    """A link of a new worker's, by the token hash ``h1``."""
    token_hash = "h1"
    worker = await make_worker(store, "ada@example.org")
    link = AccountLink(
        "lnk_" + token_hash, worker.id, purpose, worker.email, MADE,  # type: ignore[arg-type]
        MADE + LINK_SECONDS[purpose],  # type: ignore[index]
    )  # fmt: skip
    await store.create_account_link(link, token_hash)
    return link


async def test_a_link_is_found_by_its_token_hash_only(store: Store) -> None:
    link = await a_link(store)
    assert await store.account_link_by_token_hash("h1") == link
    assert await store.account_link_by_token_hash("another") is None


async def test_a_link_works_once(store: Store) -> None:
    link = await a_link(store)
    used = await store.use_account_link("h1", purpose="reset", now=MADE + 60)
    assert used == replace(link, used_at=MADE + 60)
    assert await store.account_link_by_token_hash("h1") == used
    with pytest.raises(Conflict) as again:
        await store.use_account_link("h1", purpose="reset", now=MADE + 61)
    assert again.value.code == "link_used"


async def test_of_two_uses_at_once_from_two_processes_one_wins(open_stores: Opener) -> None:
    first, second = await open_stores(), await open_stores()
    await a_link(first)
    outcomes = await asyncio.gather(
        *(s.use_account_link("h1", purpose="reset", now=MADE + 1) for s in (first, second) * 3),
        return_exceptions=True,
    )
    won = [o for o in outcomes if isinstance(o, AccountLink)]
    lost = [o for o in outcomes if isinstance(o, GatewayError)]
    assert len(won) == 1 and len(lost) == 5
    assert {e.code for e in lost} == {"link_used"}


@pytest.mark.parametrize(
    ("purpose", "asked", "at", "code"),
    [
        ("reset", "reset", MADE + 3600, "link_expired"),
        ("verify", "verify", MADE + 7 * 86400, "link_expired"),
        ("verify", "reset", MADE, "link_unknown"),
    ],
)
async def test_a_link_past_its_end_or_of_another_kind_is_refused_and_stays_unused(
    store: Store, purpose: str, asked: str, at: float, code: str
) -> None:
    link = await a_link(store, purpose)
    with pytest.raises(GatewayError) as refused:
        await store.use_account_link("h1", purpose=asked, now=at)  # type: ignore[arg-type]
    assert refused.value.code == code
    assert await store.account_link_by_token_hash("h1") == link


async def test_an_unknown_token_is_not_found(store: Store) -> None:
    with pytest.raises(NotFound):
        await store.use_account_link("nothing", purpose="verify", now=MADE)


async def test_a_new_password_and_a_confirmed_address_are_kept_on_the_account(
    store: Store,
) -> None:
    worker = await make_worker(store, "ada@example.org")
    assert worker.email_verified_at is None
    changed = await store.set_worker_password(worker.id, "scrypt$new")
    assert changed == replace(worker, password_hash="scrypt$new")
    confirmed = await store.set_worker_email_verified(worker.id, at=MADE)
    assert confirmed.email_verified_at == MADE
    again = await store.set_worker_email_verified(worker.id, at=MADE + 10)
    assert again.email_verified_at == MADE  # the first confirmation stays
    assert await store.worker_by_email("ada@example.org") == again
    with pytest.raises(NotFound):
        await store.set_worker_password("wrk_unknown", "scrypt$x")


async def test_closing_a_workers_links_of_one_kind_spends_the_open_ones_only(
    store: Store,
) -> None:
    worker = await make_worker(store, "ada@example.org")

    def made(n: int, purpose: str, at: float = MADE) -> AccountLink:
        return AccountLink(f"lnk_{n}", worker.id, purpose, worker.email, at,  # type: ignore[arg-type]
                           at + LINK_SECONDS[purpose])  # type: ignore[index]  # fmt: skip

    for n, purpose in enumerate(("reset", "reset", "reset", "verify")):
        await store.create_account_link(made(n, purpose), f"t{n}")
    await store.use_account_link("t0", purpose="reset", now=MADE + 1)
    other = await make_worker(store, "bob@example.org")
    await store.create_account_link(replace(made(9, "reset"), worker_id=other.id), "t9")

    assert await store.close_account_links(worker.id, purpose="reset", now=MADE + 2) == 2
    for token_hash, used_at in (("t0", MADE + 1), ("t1", MADE + 2), ("t2", MADE + 2)):
        found = await store.account_link_by_token_hash(token_hash)
        assert found is not None and found.used_at == used_at
    for untouched in ("t3", "t9"):  # another kind, another worker
        found = await store.account_link_by_token_hash(untouched)
        assert found is not None and found.used_at is None
    assert await store.close_account_links(worker.id, purpose="reset", now=MADE + 3) == 0
