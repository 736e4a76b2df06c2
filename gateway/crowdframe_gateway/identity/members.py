"""A client's people in the console: invitations, accepting one, signing in, removing members.

An invitation is a one-time link (``/console/invite/<token>``) that works for
``rules.INVITATION_SECONDS``; the token is shown once and stored only as its hash. Accepting
it creates the client user with the password they choose, in the invitation's role.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.errors import Conflict, InvalidInput, NotFound, Unauthorized
from ..core.records import Client, ClientRole, ClientUser, Invitation, new_id, now
from .accounts import checked_email, checked_password, matching_password
from .credentials import hash_password
from .rules import (
    INVITATION_SECONDS,
    check_invitation_open,
    check_may_invite,
    check_removal,
)

if TYPE_CHECKING:
    from ..runtime import Runtime, Store


__all__ = [
    "INVITE_PATH",
    "NewInvitation",
    "accept",
    "authenticate",
    "invitation",
    "invite",
    "invite_owner",
    "members",
    "remove",
]

INVITE_PATH = "/console/invite/"
ROLES: tuple[ClientRole, ...] = ("owner", "member")


@dataclass(frozen=True, slots=True)
class NewInvitation:
    """An invitation just made, with its link: shown this once."""

    invitation: Invitation
    link: str


def _role(role: str) -> ClientRole:
    for known in ROLES:
        if role == known:
            return known
    raise InvalidInput("choose the role owner or member", field="role")


def _token_hash(token: str) -> str:
    # 256 random bits: a fast hash is enough, and lets the gateway look the link up by it
    return hashlib.sha256(token.encode()).hexdigest()


async def _invite(
    store: Store,
    origin: str,
    client: Client,
    *,
    email: str,
    role: str,
    invited_by: str | None,
) -> NewInvitation:
    email = checked_email(email)
    if await store.client_user_by_email(email) is not None:
        raise Conflict("someone with this email has a console account already", field="email")
    token = "cfi_" + secrets.token_urlsafe(32)  # the prefix: logs.py redacts it
    created = now()
    made = Invitation(
        id=new_id("inv"),
        client_id=client.id,
        email=email,
        role=_role(role),
        created_at=created,
        expires_at=created + INVITATION_SECONDS,
        invited_by=invited_by,
    )
    await store.create_invitation(made, _token_hash(token))
    return NewInvitation(made, f"{origin}{INVITE_PATH}{token}")


async def invite_owner(store: Store, origin: str, client: Client, email: str) -> NewInvitation:
    """The operator's invitation of a client's first owner (``crowdframe create-client``)."""
    return await _invite(store, origin, client, email=email, role="owner", invited_by=None)


async def invite(rt: Runtime, by: ClientUser, *, email: str, role: str = "member") -> NewInvitation:
    """An owner invites someone to their client's console (as a member, or another owner)."""
    check_may_invite(by)
    client = await rt.store.get_client(by.client_id)
    if client is None:
        raise NotFound("no such client", field="client_id")
    return await _invite(
        rt.store,
        rt.settings.public_origin,
        client,
        email=email,
        role=role,
        invited_by=by.id,
    )


async def invitation(rt: Runtime, token: str) -> Invitation:
    """The invitation a link names, if it may still be accepted: ``NotFound`` for a link that
    never was one, ``Conflict`` (``invitation_used``, ``invitation_expired``) otherwise."""
    found = await rt.store.invitation_by_token_hash(_token_hash(token))
    if found is None:
        raise NotFound("There is no such invitation: check that the whole link was copied.")
    check_invitation_open(found, now())
    return found


async def accept(rt: Runtime, token: str, *, password: str, repeated: str) -> ClientUser:
    """Accept an invitation with the password chosen (typed twice): the new client user."""
    found = await invitation(rt, token)
    checked_password(password)
    if password != repeated:
        raise InvalidInput("the two passwords are not the same", field="repeated")
    user = ClientUser(
        id=new_id("cus"),
        client_id=found.client_id,
        email=found.email,
        password_hash=await asyncio.to_thread(hash_password, password),
        role=found.role,
        created_at=now(),
    )
    await rt.store.accept_invitation(_token_hash(token), user, now=user.created_at)
    return user


async def authenticate(rt: Runtime, email: str, password: str) -> ClientUser:
    user = await rt.store.client_user_by_email(email.strip().lower())
    ok = await matching_password(password, user.password_hash if user else None)
    if user is None or not ok:
        raise Unauthorized("wrong email or password", field="email")
    return user


async def members(rt: Runtime, by: ClientUser) -> list[ClientUser]:
    """The people of the caller's client."""
    return await rt.store.list_client_users(by.client_id)


async def remove(rt: Runtime, by: ClientUser, user_id: str) -> None:
    """An owner removes a member of their client; another client's user is no such user."""
    target = await rt.store.get_client_user(user_id)
    if target is None or target.client_id != by.client_id:
        raise NotFound("no such user", field="user_id")
    check_removal(by, target)
    await rt.store.remove_client_user(by.client_id, user_id)
