"""Properties of reading input: whatever bytes come, the JSON reader gives a value or a 4xx
naming what; whatever JSON comes, the task-batch model gives tasks or a 4xx naming a field —
never another exception."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crowdframe_gateway.catalog.bodies import TaskBatchBody
from crowdframe_gateway.core.errors import GatewayError
from crowdframe_gateway.core.limits import MAX_JSON_DEPTH, read_json
from crowdframe_gateway.core.validation import read

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
values: st.SearchStrategy[Any] = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
# bodies shaped like a batch, with something wrong anywhere
tasks = (
    st.fixed_dictionaries(
        {},
        optional={"external_id": values | st.text(max_size=250), "input": values, "gold": values},
    )
    | values
)
batches = st.fixed_dictionaries({}, optional={"tasks": st.lists(tasks, max_size=6) | values}) | (
    st.dictionaries(st.text(max_size=8), values, max_size=3)
)


def refused_naming_a_field(error: GatewayError) -> None:
    assert 400 <= error.status < 500
    assert error.field is not None, error.to_json()  # a member may be named ""


@SETTINGS
@given(raw=st.binary(max_size=300) | st.text(alphabet='[]{}"\\:,0a ', max_size=300).map(str.encode))
def test_the_json_reader_gives_a_value_or_a_4xx(raw: bytes) -> None:
    try:
        read_json(raw)
    except GatewayError as error:
        refused_naming_a_field(error)


@SETTINGS
@given(depth=st.integers(0, 3 * MAX_JSON_DEPTH), opener=st.sampled_from(["[", '{"a":']))
def test_nesting_past_the_limit_is_refused_before_parsing(depth: int, opener: str) -> None:
    closer = "]" if opener == "[" else "}"
    raw = (opener * depth + "1" + closer * depth).encode()
    try:
        assert read_json(raw) is not None
        assert depth <= MAX_JSON_DEPTH
    except GatewayError as error:
        assert depth > MAX_JSON_DEPTH and error.code == "too_deep"


@SETTINGS
@given(body=batches)
def test_a_task_batch_is_read_or_refused_naming_its_field(body: Any) -> None:
    if not isinstance(body, dict):
        body = {"tasks": body}
    try:
        batch = read(TaskBatchBody, body)
    except GatewayError as error:
        refused_naming_a_field(error)
        assert error.field is not None
        assert error.field in body or error.field.startswith("tasks"), "a member it was sent"
    else:
        assert 1 <= len(batch.tasks) <= 1000
        for task in batch.tasks:
            assert 1 <= len(task.external_id) <= 200 and isinstance(task.input, dict)
        json.dumps([t.model_dump() for t in batch.tasks])
