"""The console's drafts: an uploaded file and a row previewed as a task are found by their id
until they expire, and never after, on both stores (any gateway process finds them)."""

from __future__ import annotations

from crowdframe_gateway.catalog.store import FileUpload, PreviewTask
from crowdframe_gateway.core.records import Task, new_id
from crowdframe_gateway.runtime import Store

AT = 1_900_000_000.0
HOUR = 3600.0
TEXT = 'id,text\ns1,"Ünïcode, with a comma"\n'


def upload_of(expires_at: float = AT + HOUR) -> FileUpload:
    return FileUpload(new_id("upl"), "cli_a", "prj_a", "reviews.csv", TEXT, expires_at)


def preview_of(expires_at: float = AT + 900) -> PreviewTask:
    task = Task(new_id("tsk"), "prj_a", "s1", {"text": "Ünïcode, with a comma"}, "open", AT,
                AT + 86_400)  # fmt: skip
    return PreviewTask("cli_a", task, expires_at)


async def test_an_upload_is_found_until_it_expires(store: Store) -> None:
    upload = upload_of()
    await store.keep_file_upload(upload, now=AT)

    assert await store.get_file_upload(upload.id, now=AT + 60) == upload
    assert await store.get_file_upload(upload.id, now=AT + HOUR) is None  # at the edge: gone
    assert await store.get_file_upload("upl_never", now=AT) is None


async def test_a_previewed_row_is_found_as_its_task_until_it_expires(store: Store) -> None:
    preview = preview_of()
    await store.keep_preview_task(preview, now=AT)

    assert await store.get_preview_task(preview.task.id, now=AT + 899) == preview
    assert await store.get_preview_task(preview.task.id, now=AT + 900) is None
    assert await store.get_task(preview.task.id) is None  # never a task


async def test_keeping_more_leaves_the_others_as_they_are(store: Store) -> None:
    first, second = upload_of(), upload_of(AT + 2 * HOUR)
    await store.keep_file_upload(first, now=AT)
    await store.keep_file_upload(second, now=AT + 10)

    assert await store.get_file_upload(first.id, now=AT + 20) == first
    assert await store.get_file_upload(second.id, now=AT + HOUR + 1) == second
