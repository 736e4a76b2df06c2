"""MTurk qualification requirements as catalog.requirements decides them: every comparator on a
requester's own type, and the system types read from the worker's record."""

from __future__ import annotations

import pytest

from crowdframe_gateway.catalog.requirements import (
    MASTERS,
    NUMBER_APPROVED,
    PERCENT_APPROVED,
    PERCENT_REJECTED,
    Requirement,
    Standing,
    requirement_from,
    unmet,
    value_held,
)

OWN = "3OWNTYPE"


def meets(comparator: str, values: tuple[int, ...], standing: Standing, type_id: str = OWN) -> bool:
    return unmet([Requirement(type_id, comparator, values, "Accept")], standing) is None


HOLDS_5 = Standing({OWN: 5})
HOLDS_NONE = Standing({})


@pytest.mark.parametrize(
    ("comparator", "values", "with_5", "without"),
    [
        ("Exists", (), True, False),
        ("DoesNotExist", (), False, True),
        ("EqualTo", (5,), True, False),
        ("NotEqualTo", (5,), False, False),  # every comparison needs a value, as on MTurk
        ("NotEqualTo", (4,), True, False),
        ("LessThan", (5,), False, False),
        ("LessThan", (6,), True, False),
        ("LessThanOrEqualTo", (5,), True, False),
        ("GreaterThan", (5,), False, False),
        ("GreaterThan", (4,), True, False),
        ("GreaterThanOrEqualTo", (5,), True, False),
        ("In", (1, 5), True, False),
        ("In", (1, 2), False, False),
        ("NotIn", (1, 2), True, False),
        ("NotIn", (5,), False, False),
    ],
)
def test_every_comparator_on_a_requesters_own_type(
    comparator: str, values: tuple[int, ...], with_5: bool, without: bool
) -> None:
    assert meets(comparator, values, HOLDS_5) is with_5
    assert meets(comparator, values, HOLDS_NONE) is without


@pytest.mark.parametrize(
    ("type_id", "standing", "value"),
    [
        (PERCENT_APPROVED, Standing({}), 100),  # nothing reviewed yet: 100 %, as on MTurk
        (PERCENT_APPROVED, Standing({}, approved=19, rejected=1), 95),
        (PERCENT_APPROVED, Standing({}, approved=2, rejected=1), 66),  # rounded down
        (PERCENT_REJECTED, Standing({}), 0),
        (PERCENT_REJECTED, Standing({}, approved=3, rejected=1), 25),
        (NUMBER_APPROVED, Standing({}, approved=7, rejected=9), 7),
        (MASTERS[0], Standing({}, approved=999), None),
        (MASTERS[0], Standing({}, approved=1000, rejected=20), None),  # 98 %
        (MASTERS[1], Standing({}, approved=1000, rejected=10), 1),  # 99 %
    ],
)
def test_system_types_are_read_from_the_workers_record(
    type_id: str, standing: Standing, value: int | None
) -> None:
    assert value_held(type_id, standing) == value


def test_the_first_unmet_requirement_is_named_and_locale_is_left_to_country_rules() -> None:
    locale = Requirement("00000000000000000071", "In", (), "Accept")
    rate = Requirement(PERCENT_APPROVED, "GreaterThanOrEqualTo", (95,), "Accept")
    count = Requirement(NUMBER_APPROVED, "GreaterThan", (100,), "DiscoverPreviewAndAccept")
    standing = Standing({}, approved=50)
    assert unmet([locale, rate, count], standing) == count
    assert unmet([locale, rate], standing) is None


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"Comparator": "Exists"}, "needs QualificationTypeId"),
        ({"QualificationTypeId": OWN, "Comparator": "About"}, "Comparator must be one of"),
        ({"QualificationTypeId": OWN, "Comparator": "EqualTo"}, "exactly one IntegerValues"),
        ({"QualificationTypeId": OWN, "Comparator": "In"}, "In needs IntegerValues"),
        (
            {"QualificationTypeId": OWN, "Comparator": "In", "IntegerValues": ["1"]},
            "must be a list of integers",
        ),
        (
            {"QualificationTypeId": OWN, "Comparator": "Exists", "ActionsGuarded": "Look"},
            "ActionsGuarded must be one of",
        ),
    ],
)
def test_a_malformed_requirement_is_refused_naming_it(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        requirement_from(raw, 2)


def test_actions_guarded_defaults_as_on_mturk() -> None:
    assert requirement_from({"QualificationTypeId": OWN, "Comparator": "Exists"}).guarded == (
        "Accept"
    )
    hidden = {"QualificationTypeId": OWN, "Comparator": "Exists", "RequiredToPreview": True}
    assert requirement_from(hidden).guarded == "DiscoverPreviewAndAccept"
