"""Clients and worker accounts.

A worker's account link (verification, password reset) is a global record by its token's hash
(``cf:account-link:<hash>``), expiring a week after the link does; using it is a watched
transaction around ``rules.check_link_open``, so a link works once.

A client is its own partition (``cf:{cli_…}:client``); a worker is one global key. Lookups by
a unique value (API key hash, email) are global keys written after the record they point to,
so a lookup never finds a record that is not there. API keys and their lookup: keyring.py.

A client's keyring (API keys, token signing secrets) and the shared rate-limit counters.

API keys are records in the client's partition (``apikeys``: key id -> JSON with the key's
hash); a global lookup ``cf:api-key:<hash>`` points at the record and is written after it, so
it never points at nothing. The record decides whether a key is live: a revocation changes the
record (a watched transaction, so the client always keeps one live key) and then drops the
lookup. Signing secrets live in the client record, changed the same way.

Client users are global records (``cf:client-user:<id>``) with an email lookup and the
client's list of them; an invitation is a global record by its token's hash. Accepting one
writes the user's record, claims the email (``SET NX``), lists the user, then marks the
invitation accepted in a watched transaction; a refusal at either step takes back what came
before, so an invitation is accepted once and an email belongs to one user.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from redis.exceptions import WatchError

from ..core.errors import Conflict, NotFound
from ..core.records import ApiKey, Client, ClientUser, Invitation, Worker
from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import (
    client_from,
    client_to,
    opt_text,
    text,
    texts,
    worker_from,
    worker_to,
)
from .records import AccountLink, LinkPurpose
from .rules import LINK_KEPT_SECONDS, check_link_open, kept_signing_secrets, revokes_now

__all__ = ["AccountLinksPart", "AccountsPart", "ClientUsersPart", "KeyringPart"]


class AccountsPart(RedisBase):
    async def create_client(self, client: Client, api_key_hash: str) -> None:
        pipe = self.r.pipeline(transaction=False)
        pipe.set(keys.part(client.id) + "client", client_to(client, api_key_hash))
        pipe.sadd(keys.PARTITIONS, client.id)
        await pipe.execute()
        # the key is found once it is an API key record (create_api_key, keyring.py)

    async def get_client(self, client_id: str) -> Client | None:
        found = opt_text(await self.r.get(keys.part(client_id) + "client"))
        return None if found is None else client_from(found)

    async def create_worker(self, worker: Worker) -> None:
        await self.r.set(keys.WORKER + worker.id, worker_to(worker))
        if not await self.r.set(keys.WORKER_BY_EMAIL + worker.email, worker.id, nx=True):
            await self.r.delete(keys.WORKER + worker.id)
            raise Conflict("an account with this email exists", field="email")

    async def worker_by_email(self, email: str) -> Worker | None:
        worker_id = opt_text(await self.r.get(keys.WORKER_BY_EMAIL + email))
        return None if worker_id is None else await self.get_worker(worker_id)

    async def get_worker(self, worker_id: str) -> Worker | None:
        found = opt_text(await self.r.get(keys.WORKER + worker_id))
        return None if found is None else worker_from(found)

    async def update_worker_profile(
        self, worker_id: str, *, languages: tuple[str, ...], skills: tuple[str, ...]
    ) -> Worker:
        return await self._change_worker(worker_id, languages=languages, skills=skills)

    async def set_worker_locale(self, worker_id: str, locale: str) -> Worker:
        return await self._change_worker(worker_id, locale=locale)

    async def set_worker_password(self, worker_id: str, password_hash: str) -> Worker:
        return await self._change_worker(worker_id, password_hash=password_hash)

    async def set_worker_email_verified(self, worker_id: str, *, at: float) -> Worker:
        worker = await self.get_worker(worker_id)
        if worker is not None and worker.email_verified_at is not None:
            return worker
        return await self._change_worker(worker_id, email_verified_at=at)

    async def _change_worker(self, worker_id: str, **changes: Any) -> Worker:
        # only the worker changes their own account (their profile, their password, their
        # address verified by their own link): a read, then a write, is enough
        worker = await self.get_worker(worker_id)
        if worker is None:
            raise NotFound("no such worker", field="worker_id")
        changed = replace(worker, **changes)
        await self.r.set(keys.WORKER + worker_id, worker_to(changed))
        return changed


def _api_key(raw: str) -> ApiKey:
    fields: dict[str, Any] = json.loads(raw)
    fields.pop("key_hash", None)
    return ApiKey(**fields)


class KeyringPart(RedisBase):
    # -- API keys ---------------------------------------------------------------------------

    async def create_api_key(self, key: ApiKey, key_hash: str) -> None:
        record = json.dumps({**asdict(key), "key_hash": key_hash})
        await self.r.hset(keys.part(key.client_id) + "apikeys", key.id, record)
        await self.r.set(
            keys.API_KEY + key_hash, f"{key.client_id} {key.id}"
        )  # after: never dangling

    async def list_api_keys(self, client_id: str) -> list[ApiKey]:
        found = [_api_key(text(v)) for v in await self.r.hvals(keys.part(client_id) + "apikeys")]
        return sorted(found, key=lambda k: (-k.created_at, k.id))

    async def client_by_key_hash(self, key_hash: str) -> Client | None:
        pointer = opt_text(await self.r.get(keys.API_KEY + key_hash))
        if pointer is None:
            return None
        client_id, _, key_id = pointer.partition(" ")
        raw = opt_text(await self.r.hget(keys.part(client_id) + "apikeys", key_id))
        if raw is None or _api_key(raw).revoked_at is not None:
            return None
        found = opt_text(await self.r.get(keys.part(client_id) + "client"))
        return None if found is None else client_from(found)

    async def revoke_api_key(self, client_id: str, key_id: str, *, now: float) -> ApiKey:
        records = keys.part(client_id) + "apikeys"
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(records)
                    raw = opt_text(await pipe.hget(records, key_id))
                    if raw is None:
                        raise NotFound("no such API key", field="key_id")
                    key = _api_key(raw)
                    live = sum(
                        _api_key(text(v)).revoked_at is None for v in await pipe.hvals(records)
                    )
                    if not revokes_now(key, live):
                        return key
                    key_hash = json.loads(raw)["key_hash"]
                    revoked = replace(key, revoked_at=now)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.hset(
                        records, key_id, json.dumps({**asdict(revoked), "key_hash": key_hash})
                    )
                    await pipe.execute()
                    break
                except WatchError:
                    continue
        await self.r.delete(keys.API_KEY + key_hash)  # the record already refuses it
        return revoked

    # -- token signing secrets --------------------------------------------------------------

    async def _change_client(self, client_id: str, change: Callable[[Client], Client]) -> Client:
        key = keys.part(client_id) + "client"
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = opt_text(await pipe.get(key))
                    if raw is None:
                        raise NotFound("no such client", field="client_id")
                    stored = json.loads(raw)
                    changed = change(client_from(raw))
                    stored["signing_secrets"] = list(changed.signing_secrets)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, json.dumps(stored))
                    await pipe.execute()
                    return changed
                except WatchError:
                    continue

    async def add_signing_secret(self, client_id: str, secret: str) -> Client:
        return await self._change_client(
            client_id, lambda c: replace(c, signing_secrets=(*c.signing_secrets, secret))
        )

    async def remove_signing_secret(self, client_id: str, kid: str) -> Client:
        return await self._change_client(
            client_id,
            lambda c: replace(c, signing_secrets=kept_signing_secrets(c.signing_secrets, kid)),
        )

    # -- rate limits ------------------------------------------------------------------------

    async def count_attempt(self, key: str, *, window: float, now: float) -> tuple[int, float]:
        count, window_end = await self._eval(
            "count_attempt", keys.RATE + key, repr(now), repr(window)
        )
        return int(count), float(window_end)


class ClientUsersPart(RedisBase):
    async def create_invitation(self, invitation: Invitation, token_hash: str) -> None:
        await self.r.set(keys.INVITATION + token_hash, json.dumps(asdict(invitation)))

    async def invitation_by_token_hash(self, token_hash: str) -> Invitation | None:
        raw = opt_text(await self.r.get(keys.INVITATION + token_hash))
        return None if raw is None else Invitation(**json.loads(raw))

    async def accept_invitation(self, token_hash: str, user: ClientUser, *, now: float) -> None:
        key = keys.INVITATION + token_hash
        found = await self.invitation_by_token_hash(token_hash)
        if found is None:
            raise NotFound("no such invitation", field="token")
        if found.accepted_at is not None:
            raise Conflict("this invitation has been used", code="invitation_used")
        record, by_email = keys.CLIENT_USER + user.id, keys.CLIENT_USER_BY_EMAIL + user.email
        listed = keys.part(user.client_id) + "users"
        await self.r.set(record, json.dumps(asdict(user)))
        if not await self.r.set(by_email, user.id, nx=True):
            await self.r.delete(record)
            raise Conflict("an account with this email exists", field="email")
        await self.r.zadd(listed, {user.id: user.created_at})
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = opt_text(await pipe.get(key))
                    stored = None if raw is None else json.loads(raw)
                    if stored is None or stored["accepted_at"] is not None:
                        await pipe.reset()  # type: ignore[no-untyped-call]
                        await self.r.zrem(listed, user.id)
                        await self.r.delete(by_email, record)
                        raise Conflict("this invitation has been used", code="invitation_used")
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, json.dumps({**stored, "accepted_at": now}))
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    async def get_client_user(self, user_id: str) -> ClientUser | None:
        raw = opt_text(await self.r.get(keys.CLIENT_USER + user_id))
        return None if raw is None else ClientUser(**json.loads(raw))

    async def client_user_by_email(self, email: str) -> ClientUser | None:
        user_id = opt_text(await self.r.get(keys.CLIENT_USER_BY_EMAIL + email))
        return None if user_id is None else await self.get_client_user(user_id)

    async def list_client_users(self, client_id: str) -> list[ClientUser]:
        ids = texts(await self.r.zrange(keys.part(client_id) + "users", 0, -1))
        found = [await self.get_client_user(user_id) for user_id in ids]
        return [user for user in found if user is not None]

    async def remove_client_user(self, client_id: str, user_id: str) -> None:
        user = await self.get_client_user(user_id)
        if user is None or user.client_id != client_id:
            raise NotFound("no such user", field="user_id")
        # the list first, the record last: a half-done removal leaves no one listed who is gone
        await self.r.zrem(keys.part(client_id) + "users", user_id)
        await self.r.delete(keys.CLIENT_USER_BY_EMAIL + user.email)
        await self.r.delete(keys.CLIENT_USER + user_id)


class AccountLinksPart(RedisBase):
    async def create_account_link(self, link: AccountLink, token_hash: str) -> None:
        lasts = max(1, int(link.expires_at - link.created_at) + LINK_KEPT_SECONDS)
        await self.r.set(keys.ACCOUNT_LINK + token_hash, json.dumps(asdict(link)), ex=lasts)
        # the worker's links of this purpose, by when they end (close_account_links); ended
        # ones leave it as new ones come
        mine = f"{keys.ACCOUNT_LINKS}{link.worker_id}:{link.purpose}"
        await self.r.zadd(mine, {token_hash: link.expires_at})
        await self.r.zremrangebyscore(mine, "-inf", link.created_at - LINK_KEPT_SECONDS)
        await self.r.expire(mine, lasts)

    async def close_account_links(self, worker_id: str, *, purpose: LinkPurpose, now: float) -> int:
        mine = f"{keys.ACCOUNT_LINKS}{worker_id}:{purpose}"
        closed = 0
        for token_hash in texts(await self.r.zrangebyscore(mine, now, "+inf")):
            try:
                await self.use_account_link(token_hash, purpose=purpose, now=now)
            except (Conflict, NotFound):
                continue  # used, or gone, already
            closed += 1
        return closed

    async def account_link_by_token_hash(self, token_hash: str) -> AccountLink | None:
        raw = opt_text(await self.r.get(keys.ACCOUNT_LINK + token_hash))
        return None if raw is None else AccountLink(**json.loads(raw))

    async def use_account_link(
        self, token_hash: str, *, purpose: LinkPurpose, now: float
    ) -> AccountLink:
        key = keys.ACCOUNT_LINK + token_hash
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(key)
                    raw = opt_text(await pipe.get(key))
                    link = None if raw is None else AccountLink(**json.loads(raw))
                    check_link_open(link, purpose=purpose, now=now)
                    assert link is not None
                    used = replace(link, used_at=now)
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.set(key, json.dumps(asdict(used)), keepttl=True)
                    await pipe.execute()
                    return used
                except WatchError:
                    continue
