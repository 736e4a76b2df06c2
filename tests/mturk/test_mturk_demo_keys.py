"""``make demo`` gives its client boto3 keys once and shows the same ones on every start, until
they stop working (revoked, or sealed under another secret key): then it makes new ones."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from crowdframe_gateway.demo import prepare
from crowdframe_gateway.mturk.credentials import open_secret, revoke_credential
from crowdframe_gateway.runtime import opened_store
from harness import settings_for


async def test_the_demo_keeps_its_boto3_keys_while_they_work(tmp_path: Path) -> None:
    settings = settings_for(tmp_path)
    first = await prepare(settings)
    assert first.mturk is not None and first.mturk.client_id == first.client_id
    assert (await prepare(settings)).mturk == first.mturk  # shown again on the next start
    async with opened_store(settings) as store:
        kept = await store.get_mturk_credential(first.mturk.access_key_id)
        assert kept is not None and kept.status == "active"
        assert open_secret(settings.resolved_secret_key(), kept) == first.mturk.secret_access_key
        await revoke_credential(store, first.mturk.access_key_id)

    renewed = (await prepare(settings)).mturk
    assert renewed is not None and renewed.access_key_id != first.mturk.access_key_id
    rotated = replace(settings, secret_key="another secret key, at least 32 characters long")
    resealed = (await prepare(rotated)).mturk
    assert resealed is not None and resealed.access_key_id != renewed.access_key_id
    assert (await prepare(rotated)).mturk == resealed
