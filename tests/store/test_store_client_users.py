"""Client users and their invitations: an invitation is accepted once, an email is one
console account, a client's people are listed and removed within that client only."""

from __future__ import annotations

import asyncio

import pytest

from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.core.records import ClientUser, Invitation, new_id, now
from crowdframe_gateway.runtime import Store
from store_world import Opener, make_client

WEEK = 7 * 86_400


def invitation_of(client_id: str, email: str = "ann@example.org") -> Invitation:
    created = now()
    return Invitation(new_id("inv"), client_id, email, "owner", created, created + WEEK)


def user_of(invitation: Invitation) -> ClientUser:
    return ClientUser(
        new_id("cus"), invitation.client_id, invitation.email, "scrypt$x", invitation.role, now()
    )


async def test_an_invitation_is_found_by_its_hash_and_accepted_once(store: Store) -> None:
    client = await make_client(store)
    invitation = invitation_of(client.id)
    await store.create_invitation(invitation, "hash-1")
    assert await store.invitation_by_token_hash("hash-1") == invitation
    assert await store.invitation_by_token_hash("hash-2") is None

    user = user_of(invitation)
    await store.accept_invitation("hash-1", user, now=invitation.created_at + 60)

    accepted = await store.invitation_by_token_hash("hash-1")
    assert accepted is not None and accepted.accepted_at == invitation.created_at + 60
    assert await store.get_client_user(user.id) == user
    assert await store.client_user_by_email("ann@example.org") == user
    with pytest.raises(Conflict) as again:
        await store.accept_invitation("hash-1", user_of(invitation), now=now())
    assert again.value.code == "invitation_used"
    assert await store.list_client_users(client.id) == [user]
    with pytest.raises(NotFound):
        await store.accept_invitation("hash-unknown", user_of(invitation), now=now())


async def test_two_processes_accepting_one_invitation_make_one_user(
    open_stores: Opener,
) -> None:
    first, second = await open_stores(), await open_stores()
    client = await make_client(first)
    invitation = invitation_of(client.id)
    await first.create_invitation(invitation, "hash-1")

    tried = await asyncio.gather(
        *(s.accept_invitation("hash-1", user_of(invitation), now=now()) for s in (first, second)),
        return_exceptions=True,
    )

    assert sum(isinstance(t, Conflict) for t in tried) == 1
    assert len(await second.list_client_users(client.id)) == 1


async def test_an_email_holds_one_console_account_and_the_other_invitation_stays_unused(
    store: Store,
) -> None:
    acme, globex = await make_client(store, "acme"), await make_client(store, "globex")
    first, second = invitation_of(acme.id), invitation_of(globex.id)
    await store.create_invitation(first, "hash-1")
    await store.create_invitation(second, "hash-2")
    await store.accept_invitation("hash-1", user_of(first), now=now())

    with pytest.raises(Conflict) as refused:
        await store.accept_invitation("hash-2", user_of(second), now=now())

    assert refused.value.field == "email"
    unused = await store.invitation_by_token_hash("hash-2")
    assert unused is not None and unused.accepted_at is None
    assert await store.list_client_users(globex.id) == []


async def test_a_user_is_removed_by_their_own_client_only(store: Store) -> None:
    acme, globex = await make_client(store, "acme"), await make_client(store, "globex")
    users = []
    for n, email in enumerate(("ann@example.org", "bob@example.org")):
        invitation = invitation_of(acme.id, email)
        await store.create_invitation(invitation, f"hash-{n}")
        users.append(user_of(invitation))
        await store.accept_invitation(f"hash-{n}", users[-1], now=now())
    assert await store.list_client_users(acme.id) == users

    with pytest.raises(NotFound):
        await store.remove_client_user(globex.id, users[1].id)
    await store.remove_client_user(acme.id, users[1].id)

    assert await store.list_client_users(acme.id) == users[:1]
    assert await store.get_client_user(users[1].id) is None
    assert await store.client_user_by_email("bob@example.org") is None
    with pytest.raises(NotFound):
        await store.remove_client_user(acme.id, users[1].id)
