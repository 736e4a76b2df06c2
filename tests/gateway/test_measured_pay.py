"""What a project pays an hour for the time its workers really took, against each targeted
country's minimum: the fair-pay check itself, run on the measured median instead of the
estimate."""

from __future__ import annotations

import pytest

from crowdframe_gateway.catalog.fairpay import measured_pay, minimum_wage
from crowdframe_gateway.core.records import ProjectSpec

# 30 cents for an estimated minute: 18 USD an hour
SPEC = ProjectSpec(title="t", task_url="https://tasks.example/t", reward_cents=30,
                   estimated_seconds=60, countries=("DE", "US"))  # fmt: skip


def test_nothing_is_measured_before_a_submission() -> None:
    assert measured_pay(SPEC, []) is None


@pytest.mark.parametrize(
    ("worked", "hourly", "fair_in_germany"),
    [
        ([60.0], 18.0, True),
        ([30.0, 90.0, 60.0], 18.0, True),  # the median, not the mean
        ([10.0, 20.0], 72.0, True),  # an even count: the middle two's mean
        ([600.0], 1.8, False),  # ten minutes on a task estimated at one
    ],
)
def test_the_measured_median_is_judged_against_each_targeted_country(
    worked: list[float], hourly: float, fair_in_germany: bool
) -> None:
    pay = measured_pay(SPEC, worked)
    assert pay is not None
    assert pay.hourly == pytest.approx(hourly)
    by_country = {c.country: c for c in pay.targeted}
    assert set(by_country) == {"DE", "US"}
    assert by_country["DE"].enough is fair_in_germany
    germany = minimum_wage("DE")
    assert germany is not None
    assert by_country["DE"].minimum_in_currency == pytest.approx(germany.hourly_usd)


def test_targeting_no_country_lists_those_whose_minimum_the_measured_rate_falls_below() -> None:
    anywhere = ProjectSpec(title="t", task_url="https://tasks.example/t", reward_cents=30,
                           estimated_seconds=60)  # fmt: skip
    fair = measured_pay(anywhere, [60.0])
    slow = measured_pay(anywhere, [600.0])
    assert fair is not None and slow is not None
    assert fair.hidden_from == ()
    assert "DE" in {c.country for c in slow.hidden_from}
