"""Reading a file of tasks: rows know the line they start on (a quoted value may span lines),
JSON Lines rows keep their values' types, gold cells become known answers."""

from __future__ import annotations

import pytest

from crowdframe_gateway.catalog.batch_file import Columns, parse, task_bodies
from crowdframe_gateway.core.errors import InvalidInput


def test_a_csv_rows_line_is_where_it_starts_even_after_a_value_on_two_lines() -> None:
    file = parse("a.csv", b'id,text\na,"one\ntwo"\n\nb,three\n')
    assert [(row.line, row.values["id"]) for row in file.rows] == [(2, "a"), (5, "b")]
    assert file.rows[0].values["text"] == "one\ntwo"


def test_json_lines_keep_their_types_and_columns_in_order_of_first_appearance() -> None:
    file = parse("a.jsonl", b'{"id": "a", "n": 1}\n\n{"id": "b", "tags": ["x"]}\n')
    assert file.columns == ("id", "n", "tags")
    assert [(row.line, row.values) for row in file.rows] == [
        (1, {"id": "a", "n": 1}), (3, {"id": "b", "tags": ["x"]})
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("cell", "gold"),
    [
        ("positive", {"sentiment": "positive"}),
        ('{"sentiment": "negative", "why": "tone"}', {"sentiment": "negative", "why": "tone"}),
        ("", None),
    ],
)
def test_a_gold_cell_is_the_known_answer(cell: str, gold: object) -> None:
    raw = f'id,text,sentiment\na,hello,"{cell.replace(chr(34), chr(34) * 2)}"\n'.encode()
    bodies = task_bodies(parse("a.csv", raw), Columns("id", ("text",), "sentiment"))
    assert bodies == [{"external_id": "a", "input": {"text": "hello"}, "gold": gold}]


@pytest.mark.parametrize(
    ("name", "raw", "message"),
    [
        ("a.csv", b"id,id\na,b\n", "line 1: the header must name every column once"),
        ("a.csv", b"id\n", "the file has no rows"),
        ("a.jsonl", b'{"id": 1}\n[1]\n', "line 2: must be a JSON object"),
        ("a.csv", b"id\n\xff\n", "the file is not UTF-8 text"),
    ],
)
def test_a_file_that_is_not_rows_says_where(name: str, raw: bytes, message: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse(name, raw)
    assert refused.value.message == message
