"""The reward an approval earns, case by case, without a store."""

from __future__ import annotations

import pytest

from crowdframe_gateway.core.records import ProjectSpec
from crowdframe_gateway.ledger.rules import Reward, reward_of


@pytest.mark.parametrize(
    ("reward_cents", "currency", "earned"),
    [
        (30, "USD", Reward(30, "USD", "Label pets", "reward:asg_1")),
        (1, "EUR", Reward(1, "EUR", "Label pets", "reward:asg_1")),
        (0, "USD", None),  # an unpaid project: no empty line in the ledger
    ],
)
def test_an_approval_earns_its_projects_reward_keyed_by_the_assignment(
    reward_cents: int, currency: str, earned: Reward | None
) -> None:
    spec = ProjectSpec("Label pets", "https://tasks.example/pets", reward_cents, currency=currency)
    assert reward_of(spec, "asg_1") == earned


def test_each_assignment_has_its_own_reward_key() -> None:
    spec = ProjectSpec("Label pets", "https://tasks.example/pets", 30)
    first, second = reward_of(spec, "asg_1"), reward_of(spec, "asg_2")
    assert first is not None and second is not None and first.key != second.key
