"""A project's results export (``GET /projects/{id}/results``), read as it streams.

``Client`` and ``AsyncClient`` get these methods from the two mixins below: rows one at a
time (``export_results``), or the raw export written to a file (``download_results``) with a
progress callback. Neither holds the whole export in memory.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import IO, Any, Literal, TypedDict, overload

from ._call import _AsyncRunner, _Call, _query, _segment, _SyncRunner

__all__ = ["ExportFormat", "ResultRow"]

ExportFormat = Literal["jsonl", "csv"]
ExportStatus = Literal["submitted", "approved", "rejected"]
Destination = str | os.PathLike[str] | IO[bytes]


class ResultRow(TypedDict):
    """One answer in a ``jsonl`` export (a ``csv`` row is the header mapped to its cells)."""

    assignment_id: str
    task_id: str
    external_id: str
    worker_id: str  # the worker's pseudonym for you
    status: Literal["submitted", "approved", "rejected"]
    submitted_at: str
    reviewed_at: str | None
    signals: list[str]
    input: dict[str, Any]
    result: dict[str, Any]


def _export_call(
    project_id: str,
    format: ExportFormat,
    status: ExportStatus | None,
    since: datetime | str | None,
) -> _Call[None]:
    if format not in ("jsonl", "csv"):
        raise ValueError("format must be 'jsonl' or 'csv'")
    when = since.isoformat() if isinstance(since, datetime) else since
    return _Call(
        "GET",
        f"/projects/{_segment(project_id)}/results",
        lambda body: None,
        params=_query(format=format, status=status, since=when),
    )


class _RowDecoder:
    """Turns the export's byte chunks into rows: JSON objects (jsonl) or dicts of the CSV
    header to each cell (csv). A chunk may end anywhere, even inside a quoted CSV cell."""

    def __init__(self, format: ExportFormat) -> None:
        self._format = format
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._pending = ""
        self._header: list[str] | None = None

    def feed(self, chunk: bytes, *, final: bool = False) -> list[dict[str, Any]]:
        self._pending += self._text.decode(chunk, final)
        cut = len(self._pending) if final else self._complete_end()
        ready, self._pending = self._pending[:cut], self._pending[cut:]
        if self._format == "jsonl":
            return [json.loads(line) for line in ready.splitlines() if line.strip()]
        rows: list[dict[str, Any]] = []
        for record in csv.reader(io.StringIO(ready, newline="")):
            if self._header is None:
                self._header = record
            elif record:
                rows.append(dict(zip(self._header, record, strict=False)))
        return rows

    def _complete_end(self) -> int:
        """Where the whole records in the buffer end: after the last line break outside
        quotes (CSV doubles a quote inside a cell, so an even count means outside)."""
        end = self._pending.rfind("\n") + 1
        if self._format == "csv":
            while end and self._pending.count('"', 0, end) % 2:
                end = self._pending.rfind("\n", 0, end - 1) + 1
        return end


def _open(destination: Destination) -> tuple[IO[bytes], bool]:
    if isinstance(destination, str | os.PathLike):
        return open(destination, "wb"), True  # closed by the caller
    return destination, False


class SyncResults(_SyncRunner):
    """The results export methods of ``Client``."""

    @overload
    def export_results(
        self,
        project_id: str,
        *,
        format: Literal["jsonl"] = "jsonl",
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
    ) -> Iterator[ResultRow]: ...
    @overload
    def export_results(
        self,
        project_id: str,
        *,
        format: Literal["csv"],
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
    ) -> Iterator[dict[str, str]]: ...
    def export_results(
        self,
        project_id: str,
        *,
        format: ExportFormat = "jsonl",
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
    ) -> Iterator[Any]:
        """Yield the project's answers (submitted, approved, rejected) as the gateway streams
        them: each a JSON object for ``jsonl``, or the CSV header mapped to the row's cells for
        ``csv``. ``status`` keeps one status; ``since`` (a zone-aware datetime or ISO text)
        keeps answers submitted or reviewed at or after it."""
        decoder = _RowDecoder(format)
        for chunk in self._stream_bytes(_export_call(project_id, format, status, since)):
            yield from decoder.feed(chunk)
        yield from decoder.feed(b"", final=True)

    def download_results(
        self,
        project_id: str,
        destination: Destination,
        *,
        format: ExportFormat = "jsonl",
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write the export, byte for byte, to a path or a binary file; ``progress`` is called
        with the bytes written so far after each chunk. Returns the bytes written."""
        call = _export_call(project_id, format, status, since)
        out, owned = _open(destination)
        written = 0
        try:
            for chunk in self._stream_bytes(call):
                out.write(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(written)
        finally:
            if owned:
                out.close()
        return written


class AsyncResults(_AsyncRunner):
    """The results export methods of ``AsyncClient``."""

    @overload
    def export_results(
        self,
        project_id: str,
        *,
        format: Literal["jsonl"] = "jsonl",
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
    ) -> AsyncIterator[ResultRow]: ...
    @overload
    def export_results(
        self,
        project_id: str,
        *,
        format: Literal["csv"],
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
    ) -> AsyncIterator[dict[str, str]]: ...
    async def export_results(
        self,
        project_id: str,
        *,
        format: ExportFormat = "jsonl",
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
    ) -> AsyncIterator[Any]:
        """Yield the project's answers as they stream; see ``Client.export_results``."""
        decoder = _RowDecoder(format)
        async for chunk in self._stream_bytes(_export_call(project_id, format, status, since)):
            for row in decoder.feed(chunk):
                yield row
        for row in decoder.feed(b"", final=True):
            yield row

    async def download_results(
        self,
        project_id: str,
        destination: Destination,
        *,
        format: ExportFormat = "jsonl",
        status: ExportStatus | None = None,
        since: datetime | str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> int:
        """Write the export to a path or binary file; see ``Client.download_results``."""
        call = _export_call(project_id, format, status, since)
        out, owned = _open(destination)
        written = 0
        try:
            async for chunk in self._stream_bytes(call):
                out.write(chunk)
                written += len(chunk)
                if progress is not None:
                    progress(written)
        finally:
            if owned:
                out.close()
        return written
