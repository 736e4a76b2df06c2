"""docs/migrate-from-mturk.md stays true to botocore's MTurk model and to the gateway: every
operation and parameter the model has is in its tables once, an operation the gateway refuses
is "not supported" there and no other is, and the counts are the tables' own."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import botocore.session

from crowdframe_gateway.mturk.operations import OPERATIONS, UNSUPPORTED

GUIDE = Path(__file__).parents[2] / "docs" / "migrate-from-mturk.md"
MODEL = botocore.session.get_session().get_service_model("mturk")
STATUSES = ("supported", "mapped", "not supported")


def _section(title: str) -> str:
    text = GUIDE.read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else None]


def _operations() -> dict[str, str]:
    rows = re.findall(
        r"^\| `(\w+)` \| (supported|mapped|not supported) \|", _section("Operations"), re.M
    )
    assert len(rows) == len({name for name, _ in rows}), "an operation listed twice"
    return dict(rows)


def _parameters() -> dict[tuple[str, str], str]:
    rows = re.findall(
        r"^\| `(\w+)` \| `(\w+)`(?: \(required\))? \| (supported|mapped|not supported) \|",
        _section("Parameters"),
        re.M,
    )
    assert len(rows) == len({(o, p) for o, p, _ in rows}), "a parameter listed twice"
    return {(o, p): status for o, p, status in rows}


def test_every_operation_of_the_model_is_listed_with_what_the_gateway_does() -> None:
    listed = _operations()
    assert set(listed) == set(MODEL.operation_names)
    assert set(OPERATIONS) | set(UNSUPPORTED) == set(MODEL.operation_names)
    refused = {name for name, status in listed.items() if status == "not supported"}
    assert refused == set(UNSUPPORTED)


def test_every_parameter_of_the_model_is_listed() -> None:
    expected = {
        (name, member)
        for name in MODEL.operation_names
        for member in (MODEL.operation_model(name).input_shape.members or {})
    }
    listed = _parameters()
    assert set(listed) == expected
    for (operation, _), status in listed.items():
        if operation in UNSUPPORTED:
            assert status == "not supported", operation


def test_the_counts_are_the_tables_own() -> None:
    operations, parameters = Counter(_operations().values()), Counter(_parameters().values())
    counts = _section("Counts")
    for status in STATUSES:
        row = re.search(rf"^\| {status} [^|]*\| (\d+) \| (\d+) \|$", counts, re.M)
        assert row is not None, status
        assert (int(row[1]), int(row[2])) == (operations[status], parameters[status]), status
    assert f"**{len(MODEL.operation_names)} operations**" in counts
    assert f"**{sum(parameters.values())}\nparameters**" in counts or (
        f"**{sum(parameters.values())} parameters**" in counts
    )
