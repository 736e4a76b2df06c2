"""A batch of tasks from a file (the console's "Batches from a file", docs/console.md): a CSV or
JSON Lines file read into rows that know their line, the client's choice of columns, the whole
file judged by the API's own rules for tasks (``projects.read_tasks``) before any of it is
published, and publishing through the API's own service (``projects.add_tasks``), a part of
at most ``MAX_BATCH`` rows at a time, each part under an idempotency key derived from its rows.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.errors import GatewayError, InvalidInput, InvalidJSON, TooLarge
from ..core.limits import read_json
from ..core.records import Client, Project
from . import projects
from .projects import MAX_BATCH
from .store import TaskBatchResult

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "BatchFile",
    "Columns",
    "Row",
    "check",
    "file_too_large",
    "parse",
    "part_count",
    "publish_part",
    "task_bodies",
]

MAX_FILE_BYTES = 20_000_000  # 20 MB
MAX_ROWS = 20_000
JSON_LINES = (".jsonl", ".ndjson")
_FIELD = re.compile(r"^tasks\[(\d+)\]\.?(external_id|input|gold)?")


@dataclass(frozen=True, slots=True)
class Row:
    line: int  # where the row starts in the file, counted from 1 (a CSV's header is line 1)
    values: dict[str, Any]


@dataclass(frozen=True, slots=True)
class BatchFile:
    name: str
    digest: str  # sha256 of the file's bytes
    columns: tuple[str, ...]  # in the order of the file (JSON Lines: of first appearance)
    rows: tuple[Row, ...]


@dataclass(frozen=True, slots=True)
class Columns:
    """Which column is each task's ``external_id``, which are its input, which its gold answer."""

    external_id: str
    inputs: tuple[str, ...]
    gold: str | None = None


def file_too_large() -> TooLarge:
    return TooLarge(
        f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB ({MAX_FILE_BYTES} bytes)",
        field="file",
    )


def _refuse(line: int, message: str) -> InvalidInput:
    return InvalidInput(f"line {line}: {message}", field="file")


def parse(name: str, raw: bytes) -> BatchFile:
    """The file's rows: JSON Lines when its name ends in ``.jsonl`` or ``.ndjson``, else CSV
    with a header line. Refused past ``MAX_FILE_BYTES`` or ``MAX_ROWS``, or with a line that
    is not a row (naming the line)."""
    if len(raw) > MAX_FILE_BYTES:
        raise file_too_large()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("the file is not UTF-8 text", field="file") from None
    read = _json_lines if name.lower().endswith(JSON_LINES) else _csv
    columns, rows = read(text)
    if not rows:
        raise InvalidInput("the file has no rows", field="file")
    return BatchFile(name, hashlib.sha256(raw).hexdigest(), columns, tuple(rows))


def _too_many(line: int) -> InvalidInput:
    return _refuse(line, f"more than {MAX_ROWS} rows (the most a file may have)")


def _csv(text: str) -> tuple[tuple[str, ...], list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column.strip() for column in next(reader)]
    except StopIteration:
        return (), []
    except csv.Error as exc:
        raise _refuse(1, str(exc)) from None
    if not all(header) or len(set(header)) != len(header):
        raise _refuse(1, "the header must name every column once")
    rows: list[Row] = []
    start = reader.line_num + 1
    try:
        for cells in reader:
            if cells:  # a blank line is no row
                if len(cells) != len(header):
                    raise _refuse(start, f"{len(cells)} values for {len(header)} columns")
                if len(rows) == MAX_ROWS:
                    raise _too_many(start)
                rows.append(Row(start, dict(zip(header, cells, strict=True))))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _refuse(start, str(exc)) from None
    return tuple(header), rows


def _json_lines(text: str) -> tuple[tuple[str, ...], list[Row]]:
    columns: dict[str, None] = {}
    rows: list[Row] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            value = read_json(line.encode(), what=f"line {number}")
        except (InvalidJSON, TooLarge) as exc:
            raise _refuse(number, exc.message) from None
        if not isinstance(value, dict):
            raise _refuse(number, "must be a JSON object")
        if len(rows) == MAX_ROWS:
            raise _too_many(number)
        columns.update(dict.fromkeys(value))
        rows.append(Row(number, value))
    return tuple(columns), rows


def _gold(column: str, value: Any) -> Any:
    """A gold cell: a JSON object is the known answer as it is; anything else is the answer's
    field named like the column (``sentiment`` → ``{"sentiment": "positive"}``); empty, none."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            found = json.loads(value)
        except ValueError:
            return {column: value}
        return found if isinstance(found, dict) else {column: value}
    return value if isinstance(value, dict) else {column: value}


def task_bodies(
    file: BatchFile, columns: Columns, *, limit: int | None = None
) -> list[dict[str, Any]]:
    """Each row (the first ``limit``) as the API's task (``POST /projects/{id}/tasks``'
    ``tasks[i]``)."""
    bodies = []
    for row in file.rows[:limit]:
        body = {
            "external_id": row.values.get(columns.external_id),
            "input": {name: row.values.get(name) for name in columns.inputs},
        }
        if columns.gold is not None:
            body["gold"] = _gold(columns.gold, row.values.get(columns.gold))
        bodies.append(body)
    return bodies


def _check_columns(file: BatchFile, columns: Columns) -> None:
    chosen = [columns.external_id, *columns.inputs, *([columns.gold] if columns.gold else [])]
    for name in chosen:
        if name not in file.columns:
            raise InvalidInput(f"the file has no column `{name}`", field="columns")
    if columns.gold is not None and columns.gold in columns.inputs:
        raise InvalidInput(
            f"the gold column `{columns.gold}` must not be input too: workers would see it",
            field="gold",
        )


def _column_of(columns: Columns, part: str | None) -> str | None:
    if part == "external_id":
        return columns.external_id
    if part == "gold":
        return columns.gold
    return None


def check(project: Project, file: BatchFile, columns: Columns) -> list[dict[str, Any]]:
    """The whole file as tasks, judged by the API's rules before anything is published; a
    refusal names the row's line and the column: "line 17, column `id`: empty (…)"."""
    _check_columns(file, columns)
    bodies = task_bodies(file, columns)
    try:
        projects.read_tasks(project, bodies)
    except InvalidInput as exc:
        found = _FIELD.match(exc.field or "")
        if found is None:
            raise
        row = file.rows[int(found.group(1))]
        column = _column_of(columns, found.group(2))
        reason = exc.message.removeprefix(exc.field or "").strip()
        where = f"line {row.line}"
        if column is not None:
            where += f", column `{column}`"
            if row.values.get(column) in (None, ""):
                reason = f"empty ({reason})"
        raise InvalidInput(f"{where}: {reason}", field="file") from None
    return bodies


def part_count(rows: int) -> int:
    """How many parts of at most ``MAX_BATCH`` rows a file of ``rows`` is published in."""
    return -(-rows // MAX_BATCH)


async def publish_part(
    rt: Runtime, client: Client, project_id: str, file: BatchFile, bodies: list[dict[str, Any]],
    part: int,
) -> TaskBatchResult:  # fmt: skip
    """Publish the ``part``-th ``MAX_BATCH`` rows through the API's service, under a key
    derived from the project and those rows: publishing them again (the same file twice, or a
    publish resumed) creates nothing new and answers with the tasks made the first time. A
    row the store refuses (its ``external_id`` already in the project) is named by its line."""
    start = part * MAX_BATCH
    chunk = bodies[start : start + MAX_BATCH]
    if not chunk:
        raise InvalidInput(f"the file has no part {part}", field="part")
    digest = hashlib.sha256(json.dumps([project_id, chunk], sort_keys=True).encode()).hexdigest()
    try:
        return await projects.add_tasks(
            rt, client, project_id, {"tasks": chunk}, f"console-file-{digest}"
        )
    except GatewayError as exc:
        found = _FIELD.match(exc.field or "")
        if found is None:
            raise
        line = file.rows[start + int(found.group(1))].line
        raise type(exc)(f"line {line}: {exc.message}", field="file") from None
