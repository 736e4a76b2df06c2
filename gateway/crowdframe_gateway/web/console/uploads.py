"""Uploaded files between the console's steps (choose columns, preview, publish), kept in the
gateway process that received them for ``KEPT_SECONDS``, at most ``MAX_KEPT`` at once (the
oldest give way). An upload belongs to one client's project: asked for by another, it is none.
"""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ...catalog.batch_file import BatchFile, Columns

__all__ = ["KEPT_SECONDS", "MAX_KEPT", "Upload", "UploadShelf"]

KEPT_SECONDS = 3600
MAX_KEPT = 20


@dataclass(frozen=True, slots=True)
class Upload:
    id: str
    client_id: str
    project_id: str
    file: BatchFile
    kept_at: float
    # the file's tasks by the columns they were checked with (every part of a publish asks)
    checked: dict[Columns, list[dict[str, Any]]] = field(default_factory=dict)


class UploadShelf:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._kept: OrderedDict[str, Upload] = OrderedDict()

    def keep(self, client_id: str, project_id: str, file: BatchFile) -> str:
        self._drop_expired()
        upload_id = "upl_" + secrets.token_urlsafe(12)
        self._kept[upload_id] = Upload(upload_id, client_id, project_id, file, self.clock())
        while len(self._kept) > MAX_KEPT:
            self._kept.popitem(last=False)
        return upload_id

    def get(self, upload_id: str, client_id: str, project_id: str) -> Upload | None:
        self._drop_expired()
        found = self._kept.get(upload_id)
        if found is None or (found.client_id, found.project_id) != (client_id, project_id):
            return None
        return found

    def _drop_expired(self) -> None:
        oldest = self.clock() - KEPT_SECONDS
        while self._kept and next(iter(self._kept.values())).kept_at < oldest:
            self._kept.popitem(last=False)
