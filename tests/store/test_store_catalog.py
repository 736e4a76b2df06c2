"""Projects, tasks and task batches (idempotent with a key)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crowdframe_gateway.catalog.store import TaskBatch
from crowdframe_gateway.core.errors import Conflict, InvalidInput, NotFound
from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.runtime import Store
from store_world import Opener, make_client, make_project, make_tasks, new_tasks


async def test_a_project_reads_back_with_its_task_counts(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client, per_task=2)
    fresh = await store.get_project(project.id)
    assert fresh == replace(project, counts={"tasks": 0, "open": 0, "completed": 0, "expired": 0})
    await make_tasks(store, project, 3)
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts == {
        "tasks": 3,
        "open": 3,
        "completed": 0,
        "expired": 0,
    }
    assert await store.get_project("prj_unknown") is None


async def test_projects_are_listed_page_by_page_for_their_client_only(store: Store) -> None:
    client, other = await make_client(store), await make_client(store, "other")
    made = [await make_project(store, client) for _ in range(5)]
    await make_project(store, other)
    first = await store.list_projects(client.id, cursor=None, limit=2)
    assert [p.id for p in first.items] == [p.id for p in made[:2]]
    second = await store.list_projects(client.id, cursor=first.next_cursor, limit=2)
    third = await store.list_projects(client.id, cursor=second.next_cursor, limit=2)
    assert [p.id for p in second.items + third.items] == [p.id for p in made[2:]]
    assert third.next_cursor is None
    with pytest.raises(InvalidInput):
        await store.list_projects(client.id, cursor="not-a-cursor", limit=2)


async def test_updating_a_project_changes_its_spec_and_status(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    spec = replace(project.spec, title="Label it carefully", reward_cents=7)
    updated = await store.update_project(project.id, spec, "paused")
    assert (updated.spec, updated.status) == (spec, "paused")
    assert await store.get_project(project.id) == updated
    with pytest.raises(NotFound):
        await store.update_project("prj_unknown", spec, "active")


async def test_every_rule_of_a_project_reads_back_as_set(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(
        store, client, protocol="mturk", countries=("DE", "AT"), excluded_countries=("FR",),
        languages=("de:native", "en"), gold_ratio=0.2, gold_min_answers=4,
        gold_min_accuracy=0.8, agreement_min=0.6, assignments_max=3, allow=("camera",),
    )  # fmt: skip
    assert (await store.get_project(project.id)).spec == project.spec  # type: ignore[union-attr]
    spec = replace(project.spec, countries=(), languages=("fr",), assignments_per_task=2)
    assert (await store.update_project(project.id, spec, "active")).spec == spec
    [task] = await make_tasks(store, project, 1)
    assert (await store.get_task(task.id)).project_id == project.id  # type: ignore[union-attr]
    claimed = await store.claim(Claim(project.id, "w1", "p"), now=task.created_at)
    assert claimed is not None
    assert await store.claim(Claim(project.id, "w2", "p"), now=task.created_at) is not None, (
        "a task added after the change gets the new assignments_per_task"
    )


async def test_tasks_read_back_exactly_as_added(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    tasks = new_tasks(project, 2)
    tasks[1] = replace(tasks[1], input={"nested": {"list": [1, 2.5, None, "é"]}, "empty": {}})
    tasks.append(replace(new_tasks(project, 1, prefix="g")[0], gold={"label": "cat", "n": [1]}))
    batch = await store.add_tasks(client.id, project.id, TaskBatch(tasks, "h"))
    assert batch.tasks == tasks and not batch.replayed
    assert [await store.get_task(t.id) for t in tasks] == tasks
    assert await store.get_task("tsk_unknown") is None


async def test_many_tasks_are_read_at_once_by_id_from_any_project(open_stores: Opener) -> None:
    store = await open_stores()
    client = await make_client(store)
    one, two = await make_project(store, client), await make_project(store, client)
    tasks = await make_tasks(store, one, 1200) + await make_tasks(store, two, 3, gold={"a": 1})
    fresh = await open_stores()  # another process: nothing of these tasks known to it yet
    wanted = [t.id for t in tasks[::-1]] + ["tsk_unknown", tasks[0].id]
    found = await fresh.get_tasks(wanted)
    assert found == {t.id: t for t in tasks}, "every task once, by id; an unknown id left out"
    assert await fresh.get_tasks([tasks[5].id, "tsk_unknown"]) == {tasks[5].id: tasks[5]}
    assert await fresh.get_tasks([]) == {}


async def test_a_batch_sent_twice_with_one_key_creates_its_tasks_once(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    first = await store.add_tasks(
        client.id, project.id, TaskBatch(new_tasks(project, 3), "h1", "k1")
    )
    again = await store.add_tasks(
        client.id, project.id, TaskBatch(new_tasks(project, 3), "h1", "k1")
    )
    assert again.replayed and again.tasks == first.tasks
    counted = await store.get_project(project.id)
    assert counted is not None and counted.counts["tasks"] == 3
    with pytest.raises(Conflict) as mismatch:
        await store.add_tasks(client.id, project.id, TaskBatch(new_tasks(project, 3), "h2", "k1"))
    assert mismatch.value.code == "idempotency_mismatch"


async def test_a_batch_with_a_known_external_id_is_refused_whole(store: Store) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    await make_tasks(store, project, 2, prefix="a")
    clashing = new_tasks(project, 1, prefix="b") + new_tasks(project, 1, prefix="a")
    with pytest.raises(Conflict) as clash:
        await store.add_tasks(client.id, project.id, TaskBatch(clashing, "h", "k"))
    assert clash.value.field == "tasks[1].external_id"
    assert await store.get_task(clashing[0].id) is None, "nothing of the batch was kept"
    # the refused batch did not use up its key: the corrected batch goes through with it
    fixed = new_tasks(project, 2, prefix="c")
    batch = await store.add_tasks(client.id, project.id, TaskBatch(fixed, "h", "k"))
    assert batch.tasks == fixed and not batch.replayed


async def test_the_same_external_id_may_be_used_in_another_project(store: Store) -> None:
    client = await make_client(store)
    one, two = await make_project(store, client), await make_project(store, client)
    await make_tasks(store, one, 1)
    await make_tasks(store, two, 1)
    for project in (one, two):
        counted = await store.get_project(project.id)
        assert counted is not None and counted.counts["tasks"] == 1


@pytest.mark.parametrize("cursor", ["x", "-5", "1.5", "9" * 40])
async def test_a_cursor_the_store_never_gave_is_refused_naming_it(
    store: Store, cursor: str
) -> None:
    client = await make_client(store)
    project = await make_project(store, client)
    listings = [
        store.list_projects(client.id, cursor=cursor, limit=10),
        store.list_assessment_attempts(project.id, cursor=cursor, limit=10),
    ]
    for listing in listings:
        with pytest.raises(InvalidInput) as refused:
            await listing
        assert refused.value.field == "cursor"
