"""Reads a page awaits together (``store.base.together``): their answers in order on both
stores; the first error raised and the reads after it dropped cleanly."""

from __future__ import annotations

import gc
import warnings

import pytest

from crowdframe_gateway.core.errors import NotFound
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.store.base import together
from store_world import make_client, make_project


async def test_reads_together_answer_in_the_order_asked(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    found_project, found_client, missing = await together(
        store, store.get_project(project.id), store.get_client(client.id), store.get_task("no")
    )
    assert found_project is not None and found_project.id == project.id
    assert found_client is not None and found_client.id == client.id
    assert missing is None


async def test_the_first_error_is_raised_and_no_read_is_left_unawaited(store: Store) -> None:
    async def fails() -> None:
        raise NotFound("gone", field="assignment_id")

    client = await make_client(store)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        with pytest.raises(NotFound):
            await together(store, store.get_client(client.id), fails(), store.get_client("x"))
        gc.collect()
    assert not [w for w in seen if "never awaited" in str(w.message)]
