"""The task list a page at a time: active projects with work, in creation order, every one of
them exactly once when a worker pages to the end."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import InvalidInput
from crowdframe_gateway.core.params import Claim
from crowdframe_gateway.core.records import Project, now
from crowdframe_gateway.runtime import Store
from crowdframe_gateway.work.rules import task_list_scan
from store_world import make_client, make_project, make_tasks


async def _listed(store: Store, worker_id: str, *, limit: int) -> list[list[str]]:
    """Every page of the worker's task list, from the first to the last, as project ids."""
    pages, after = [], None
    while True:
        page = await store.open_projects(worker_id, now=now(), after=after, limit=limit)
        pages.append([project.id for project, _ in page.items])
        if page.next_cursor is None:
            return pages
        assert len(pages) < 100, "the cursor never ends"
        after = page.next_cursor


async def _project_with(store: Store, tasks: int, **fields: object) -> Project:
    project = await make_project(store, await make_client(store), **fields)  # type: ignore[arg-type]
    if tasks:
        await make_tasks(store, project, tasks)
    return project


async def test_a_paused_project_is_never_listed_and_comes_back_in_its_place(store: Store) -> None:
    first = await _project_with(store, 1)
    paused = await _project_with(store, 1, status="paused")
    last = await _project_with(store, 1)
    assert await _listed(store, "w1", limit=50) == [[first.id, last.id]]
    await store.update_project(first.id, first.spec, "paused")
    assert await _listed(store, "w1", limit=50) == [[last.id]]
    await store.update_project(first.id, first.spec, "active")
    await store.update_project(paused.id, paused.spec, "active")
    assert await _listed(store, "w1", limit=50) == [[first.id, paused.id, last.id]], (
        "in creation order, not in the order they were activated"
    )


async def test_paging_to_the_end_lists_every_project_with_work_once_in_creation_order(
    store: Store,
) -> None:
    with_work = []
    for n in range(9):
        if n % 3 == 1:
            await _project_with(store, 0)  # nothing to do
        if n % 4 == 2:
            await _project_with(store, 2, status="paused")
        with_work.append((await _project_with(store, 1 + n % 2)).id)
    pages = await _listed(store, "w1", limit=2)
    assert [project for page in pages for project in page] == with_work
    assert all(len(page) <= 2 for page in pages)
    first = await store.open_projects("w1", now=now(), limit=2)
    assert [(p.id, n) for p, n in first.items] == [(with_work[0], 1), (with_work[1], 2)]


async def test_a_project_whose_tasks_the_worker_all_had_is_not_listed_for_them(
    store: Store,
) -> None:
    done = await _project_with(store, 2, per_task=2)
    other = await _project_with(store, 1)
    for _ in range(2):
        assert await store.claim(Claim(done.id, "w1", "p-w1"), now=now()) is not None
    assert await _listed(store, "w1", limit=50) == [[other.id]]
    assert await _listed(store, "w2", limit=50) == [[done.id, other.id]]


async def test_a_page_examines_a_bounded_number_of_projects_and_its_cursor_goes_on(
    store: Store,
) -> None:
    """A worker with no work in the first projects gets an empty page with a cursor, not a
    walk of every project there is."""
    for _ in range(task_list_scan(1) + 1):
        await _project_with(store, 0)
    wanted = await _project_with(store, 1)
    first = await store.open_projects("w1", now=now(), limit=1)
    assert first.items == [] and first.next_cursor is not None
    second = await store.open_projects("w1", now=now(), after=first.next_cursor, limit=1)
    assert [p.id for p, _ in second.items] == [wanted.id] and second.next_cursor is None


async def test_the_last_full_page_has_no_next_cursor(store: Store) -> None:
    projects = [(await _project_with(store, 1)).id for _ in range(2)]
    page = await store.open_projects("w1", now=now(), limit=2)
    assert [p.id for p, _ in page.items] == projects and page.next_cursor is None
    await _project_with(store, 0)  # a later project without work: the page may go on
    page = await store.open_projects("w1", now=now(), limit=2)
    assert page.next_cursor is not None
    rest = await store.open_projects("w1", now=now(), after=page.next_cursor, limit=2)
    assert rest.items == [] and rest.next_cursor is None


@pytest.mark.parametrize("cursor", ["", "abc", "-1", "1.5", "9" * 19, "1 "])
async def test_a_cursor_that_is_not_ours_is_refused_naming_after(store: Store, cursor: str) -> None:
    await _project_with(store, 1)
    with pytest.raises(InvalidInput) as refused:
        await store.open_projects("w1", now=now(), after=cursor)
    assert refused.value.field == "after"
