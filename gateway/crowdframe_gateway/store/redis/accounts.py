"""Clients and worker accounts.

A client is its own partition (``cf:{cli_…}:client``); a worker is one global key. Lookups by
a unique value (API key hash, email) are global keys written after the record they point to,
so a lookup never finds a record that is not there. API keys and their lookup: keyring.py.
"""

from __future__ import annotations

from dataclasses import replace

from ...errors import Conflict, NotFound
from ...records import Client, Worker
from . import keys
from .base import RedisBase
from .codec import client_from, client_to, opt_text, worker_from, worker_to

__all__ = ["AccountsPart"]


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
        # only the worker changes their own profile: a read, then a write, is enough
        worker = await self.get_worker(worker_id)
        if worker is None:
            raise NotFound("no such worker", field="worker_id")
        changed = replace(worker, languages=languages, skills=skills)
        await self.r.set(keys.WORKER + worker_id, worker_to(changed))
        return changed
