"""The results' filters as the console's query string gives them: each read, an empty one no
filter, and a value that is not one refused naming its field."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.errors import InvalidInput
from crowdframe_gateway.review import answers


def test_a_filter_is_read_from_the_query_string_and_a_bad_value_names_its_field() -> None:
    read = answers.answer_filter(
        {"status": "approved", "signal": "too_fast", "gold": "work", "worker": " wkr_a ",
         "since": "2026-12-01", "until": "2026-12-02"}
    )  # fmt: skip
    assert read.query() == {
        "status": "approved",
        "signal": "too_fast",
        "gold": "work",
        "worker": "wkr_a",
        "since": "2026-12-01",
        "until": "2026-12-02",
    }
    assert answers.answer_filter({"status": "", "worker": ""}) == answers.AnswerFilter()
    for params, field in (
        ({"status": "accepted"}, "status"),
        ({"signal": "slow"}, "signal"),
        ({"gold": "yes"}, "gold"),
        ({"worker": "bob"}, "worker"),
        ({"since": "01/12/2026"}, "since"),
        ({"since": "2026-12-02", "until": "2026-12-01"}, "until"),
    ):
        with pytest.raises(InvalidInput) as refused:
            answers.answer_filter(params)
        assert refused.value.field == field, params
