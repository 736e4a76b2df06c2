"""A project's results as JSON Lines or CSV, read from the store a page at a time.

One row per answer (an assignment submitted, approved or rejected), in the order the
assignments were accepted. Only one page of assignments and their tasks is in memory at once,
so an export of any size streams in constant memory (docs/api.md, "Results export"); each page
is one read of assignments and one of their tasks, each costing what the page holds, so an
export's time grows with its rows and nothing else.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from ..core.errors import InvalidInput
from ..core.params import AssignmentQuery
from ..core.records import ANSWERED, Assignment, AssignmentStatus, Client, Task, iso
from ..core.validation import parse_since

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = [
    "CSV_FIXED_COLUMNS",
    "MEDIA",
    "ExportFormat",
    "ExportQuery",
    "csv_cell",
    "encode_rows",
    "export_chunks",
    "export_query",
    "export_row",
]

ExportFormat = Literal["jsonl", "csv"]
MEDIA = {"jsonl": "application/x-ndjson", "csv": "text/csv; charset=utf-8"}  # by format
PAGE = 200  # assignments read from the store per page: one chunk of the answer
CSV_FIXED_COLUMNS = (
    "assignment_id",
    "task_id",
    "external_id",
    "worker_id",
    "status",
    "submitted_at",
    "reviewed_at",
    "signals",
    "input",
    "result",
)
# A spreadsheet runs a cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ExportQuery:
    format: ExportFormat
    status: AssignmentStatus | None
    since: float | None


def export_query(params: Mapping[str, str]) -> ExportQuery:
    """Validate the query string (``format``, ``status``, ``since``) before anything streams:
    a bad value is a 422 naming the field."""
    fmt = params.get("format") or "jsonl"
    if fmt not in ("jsonl", "csv"):
        raise InvalidInput("format must be one of: jsonl, csv", field="format")
    status = params.get("status") or None
    if status is not None and status not in ANSWERED:
        raise InvalidInput(f"status must be one of: {', '.join(ANSWERED)}", field="status")
    since_text = params.get("since") or None
    since = None if since_text is None else parse_since(since_text)
    return ExportQuery(fmt, status, since)  # type: ignore[arg-type]


def _changed_at(assignment: Assignment) -> float:
    return max(assignment.submitted_at or 0.0, assignment.reviewed_at or 0.0)


def export_row(assignment: Assignment, task: Task | None) -> dict[str, Any]:
    """One answer as a row of the export."""
    return {
        "assignment_id": assignment.id,
        "task_id": assignment.task_id,
        "external_id": assignment.external_id,
        "worker_id": assignment.worker_pseudonym,
        "status": assignment.status,
        "submitted_at": iso(assignment.submitted_at),
        "reviewed_at": iso(assignment.reviewed_at),
        "signals": list(assignment.signals),
        "input": {} if task is None else task.input,
        "result": assignment.result or {},
    }


async def _pages(
    rt: Runtime, client: Client, project_id: str, query: ExportQuery
) -> AsyncIterator[list[dict[str, Any]]]:
    """The export's rows, one store page at a time (a page may come out empty)."""
    cursor: str | None = None
    while True:
        page = await rt.store.list_assignments(
            client.id,
            AssignmentQuery(PAGE, project_id=project_id, status=query.status, cursor=cursor),
        )
        chosen = [
            a
            for a in page.items
            if a.status in ANSWERED and (query.since is None or _changed_at(a) >= query.since)
        ]
        tasks = await rt.store.get_tasks([a.task_id for a in chosen]) if chosen else {}
        yield [export_row(a, tasks.get(a.task_id)) for a in chosen]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def csv_cell(value: Any) -> str:
    """One CSV cell: text as it is (defused if a spreadsheet would run it as a formula),
    ``null`` as empty, other scalars and nested values as JSON text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "'" + value if value.startswith(_FORMULA_STARTS) else value
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _csv_columns(first_page: Sequence[dict[str, Any]]) -> list[str]:
    """The fixed columns, then ``input_<key>`` and ``result_<key>`` for every top-level key of
    the first page's inputs and results, sorted. Keys first seen later are in the ``input``
    and ``result`` columns (the whole JSON) of their rows."""
    inputs = sorted({k for row in first_page for k in row["input"]})
    results = sorted({k for row in first_page for k in row["result"]})
    return [
        *CSV_FIXED_COLUMNS,
        *(f"input_{k}" for k in inputs),
        *(f"result_{k}" for k in results),
    ]


def _csv_text(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def _csv_line(columns: Sequence[str], row: dict[str, Any]) -> list[str]:
    cells: list[str] = []
    for column in columns:
        if column in row:
            value = row[column]
            cells.append(json.dumps(value) if column == "signals" else csv_cell(value))
        elif column.startswith("input_"):
            cells.append(csv_cell(row["input"].get(column[6:])))
        else:
            cells.append(csv_cell(row["result"].get(column[7:])))
    return cells


async def export_chunks(
    rt: Runtime, client: Client, project_id: str, query: ExportQuery
) -> AsyncIterator[bytes]:
    """The body of the export, one chunk per store page with rows in it (the CSV header
    with the first; alone when there are none)."""
    async for chunk in encode_rows(_pages(rt, client, project_id, query), query.format):
        yield chunk


async def encode_rows(
    pages: AsyncIterator[list[dict[str, Any]]], fmt: ExportFormat
) -> AsyncIterator[bytes]:
    """Pages of rows (``export_row``) as the export's body in ``fmt``, a chunk per page with
    rows in it: the export of any listing that reads its answers a page at a time."""
    columns: list[str] | None = None
    async for rows in pages:
        if not rows:
            continue
        if fmt == "jsonl":
            text = "".join(
                json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows
            )
        else:
            lines: list[Sequence[str]] = []
            if columns is None:
                columns = _csv_columns(rows)
                lines.append(columns)
            lines.extend(_csv_line(columns, r) for r in rows)
            text = _csv_text(lines)
        yield text.encode()
    if fmt == "csv" and columns is None:
        yield _csv_text([list(CSV_FIXED_COLUMNS)]).encode()
