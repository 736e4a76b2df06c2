"""Uploaded files between the console's steps (choose columns, check, preview, publish), kept
by the store (``DraftsStore``) for ``KEPT_SECONDS``, so any gateway process can take the next
step. An upload belongs to one client's project: asked for by another, it is none.

Each step finds the upload in the store; a file never changes, so a process reads it and
checks the tasks a choice of columns makes once (for its last few files)."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...catalog import batch_file
from ...catalog.batch_file import BatchFile, Columns
from ...catalog.store import FileUpload
from ...core.records import Project, now

if TYPE_CHECKING:
    from ...runtime import Runtime

__all__ = ["KEPT_SECONDS", "Upload", "checked", "find", "keep"]

KEPT_SECONDS = 3600
_KEPT_HERE = 4  # the files this process remembers read and checked


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    file: BatchFile


async def keep(rt: Runtime, client_id: str, project_id: str, name: str, raw: bytes) -> str:
    """Keep a file that ``batch_file.parse`` accepted (so UTF-8 text); its upload id."""
    at = now()
    upload_id = "upl_" + secrets.token_urlsafe(12)
    upload = FileUpload(upload_id, client_id, project_id, name, raw.decode("utf-8"),
                        expires_at=at + KEPT_SECONDS)  # fmt: skip
    await rt.store.keep_file_upload(upload, now=at)
    return upload_id


async def find(rt: Runtime, upload_id: str, client_id: str, project_id: str) -> Upload | None:
    found = await rt.store.get_file_upload(upload_id, now=now())
    if found is None or (found.client_id, found.project_id) != (client_id, project_id):
        return None
    file = _parsed.get(found.id)
    if file is None:
        file = _parsed[found.id] = batch_file.parse(found.name, found.text.encode("utf-8"))
        while len(_parsed) > _KEPT_HERE:
            _parsed.popitem(last=False)
    return Upload(found.id, file)


# what this process remembers of the last few files (an optimisation only: the store decides)
_parsed: OrderedDict[str, BatchFile] = OrderedDict()
_checked: OrderedDict[tuple[str, str, Columns], list[dict[str, Any]]] = OrderedDict()


def checked(project: Project, upload: Upload, columns: Columns) -> list[dict[str, Any]]:
    """The file's tasks with these columns, checked whole (``batch_file.check``) once."""
    key = (project.id, upload.file.digest, columns)
    if key not in _checked:
        _checked[key] = batch_file.check(project, upload.file, columns)
        while len(_checked) > _KEPT_HERE:
            _checked.popitem(last=False)
    return _checked[key]
