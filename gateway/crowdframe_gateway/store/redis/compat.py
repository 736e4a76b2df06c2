"""MTurk compatibility: SigV4 credentials and HIT types, kept in the client's partition.

Global lookups (access key id, HIT type id -> client) are written before the record, as every
lookup here is. The project a HIT type runs as on one origin is found or made in two steps: the
client's ``hit-type-projects`` entry is set if absent (HSETNX: one project wins), then the
project is written unless it exists (``new_project.lua``), so a crash in between is mended by
the next call, and two racing calls end with one project.
"""

from __future__ import annotations

import json
from dataclasses import replace

from ...mturk.records import HitType, MTurkCredential
from ...records import Project
from . import keys
from .catalog import CatalogPart
from .codec import credential_from, hash_of, hit_type_from, opt_text, record_to

__all__ = ["CompatPart"]


class CompatPart(CatalogPart):
    # -- credentials ----------------------------------------------------------------------------

    async def create_mturk_credential(self, credential: MTurkCredential) -> None:
        await self.r.set(keys.MTURK_KEY_INDEX + credential.access_key_id, credential.client_id)
        await self.r.hset(
            keys.part(credential.client_id) + "mturk-key:" + credential.access_key_id,
            mapping={
                "access_key_id": credential.access_key_id,
                "client_id": credential.client_id,
                "secret_encrypted": credential.secret_encrypted,
                "status": credential.status,
                "created_at": repr(credential.created_at),
            },
        )

    async def _credential_client(self, access_key_id: str) -> str | None:
        return opt_text(await self.r.get(keys.MTURK_KEY_INDEX + access_key_id))

    async def get_mturk_credential(self, access_key_id: str) -> MTurkCredential | None:
        client_id = await self._credential_client(access_key_id)
        if client_id is None:
            return None
        found = hash_of(await self.r.hgetall(keys.part(client_id) + "mturk-key:" + access_key_id))
        if not found:
            return None
        raw = {**found, "created_at": float(found["created_at"])}
        return credential_from(json.dumps(raw))

    async def revoke_mturk_credential(self, access_key_id: str) -> bool:
        client_id = await self._credential_client(access_key_id)
        if client_id is None:
            return False
        return bool(await self._eval("revoke", client_id, access_key_id))

    # -- HIT types ------------------------------------------------------------------------------

    async def hit_type_for(self, hit_type: HitType) -> HitType:
        await self.r.set(keys.HIT_TYPE_INDEX + hit_type.id, hit_type.client_id)
        stored = hit_type_from(
            await self._eval(
                "hit_type",
                hit_type.client_id,
                hit_type.fingerprint,
                hit_type.id,
                record_to(hit_type),
            )
        )
        if stored.id != hit_type.id:  # registered before: ours was never used
            await self.r.delete(keys.HIT_TYPE_INDEX + hit_type.id)
        return stored

    async def get_hit_type(self, hit_type_id: str) -> HitType | None:
        client_id = opt_text(await self.r.get(keys.HIT_TYPE_INDEX + hit_type_id))
        if client_id is None:
            return None
        found = opt_text(await self.r.hget(keys.part(client_id) + "hit-types", hit_type_id))
        return None if found is None else hit_type_from(found)

    async def hit_type_project(self, hit_type_id: str, origin: str, project: Project) -> Project:
        where = keys.part(project.client_id) + "hit-type-projects"
        field = json.dumps([hit_type_id, origin])
        await self.r.hsetnx(where, field, project.id)
        project_id = opt_text(await self.r.hget(where, field))
        assert project_id is not None, "set just above, never deleted"
        await self._new_project(replace(project, id=project_id))
        found = await self.get_project(project_id)
        assert found is not None
        return found
