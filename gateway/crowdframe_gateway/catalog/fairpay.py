"""Fair pay: a project's effective hourly rate against each country's statutory minimum wage.

The table (data/minimum_wages.json) gives hourly minimums in local currency with their source
and date, and the reference exchange rates used to compare across currencies. A worker only
sees projects that pay at least their country's minimum for the project's estimated time; a
project that targets countries it underpays is refused when it is created.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..core.records import ProjectSpec

__all__ = [
    "UNPAID_TEST_SECONDS",
    "CountryPay",
    "MinimumWage",
    "PayPreview",
    "hourly",
    "hourly_usd",
    "measured_pay",
    "minimum_wage",
    "pay_preview",
    "pay_report",
    "supported_currencies",
    "underpaid",
    "unpaid_test",
]

TABLE = Path(__file__).parent / "data" / "minimum_wages.json"


@dataclass(frozen=True, slots=True)
class MinimumWage:
    country: str
    hourly: float  # in ``currency``
    currency: str
    hourly_usd: float
    since: str
    source: str


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, float], dict[str, MinimumWage | None]]:
    raw = json.loads(TABLE.read_text())
    fx: dict[str, float] = raw["fx_to_usd"]
    wages: dict[str, MinimumWage | None] = {}
    for country, entry in raw["countries"].items():
        if entry is None:
            wages[country] = None
            continue
        wages[country] = MinimumWage(
            country=country,
            hourly=entry["hourly"],
            currency=entry["currency"],
            hourly_usd=round(entry["hourly"] * fx[entry["currency"]], 2),
            since=entry["since"],
            source=entry["source"],
        )
    return fx, wages


def supported_currencies() -> tuple[str, ...]:
    return tuple(sorted(_table()[0]))


def minimum_wage(country: str) -> MinimumWage | None:
    """The country's statutory hourly minimum, or None where it has none (or is not listed)."""
    return _table()[1].get(country)


def hourly(spec: ProjectSpec, seconds: float | None = None) -> float:
    """What the project pays per hour in its own currency, for its estimated time or a
    measured one."""
    worked = seconds if seconds is not None else spec.estimated_seconds
    return spec.reward_cents / 100 * 3600 / max(worked, 1)


def hourly_usd(spec: ProjectSpec, seconds: float | None = None) -> float:
    """What the project pays per hour in USD, for its estimated time or a measured one."""
    return hourly(spec, seconds) * _table()[0][spec.currency]


# An unpaid assessment may take a worker at most this long (test_size * estimated_seconds).
UNPAID_TEST_SECONDS = 600


def unpaid_test(spec: ProjectSpec) -> bool:
    """An assessment that pays nothing: allowed when the whole test is short."""
    return spec.kind == "assessment" and spec.reward_cents == 0


def underpaid(spec: ProjectSpec, country: str) -> MinimumWage | None:
    """The minimum the project falls below for a worker in ``country``, if it does (an unpaid
    assessment is checked for its length when created instead: ``UNPAID_TEST_SECONDS``)."""
    if unpaid_test(spec) and spec.test_size * spec.estimated_seconds <= UNPAID_TEST_SECONDS:
        return None
    wage = minimum_wage(country)
    if wage is None or hourly_usd(spec) >= wage.hourly_usd:
        return None
    return wage


def pay_report(spec: ProjectSpec, worked_seconds: list[float]) -> dict[str, Any]:
    """What the project pays per hour, estimated and as measured from real submissions, and the
    countries whose minimum the measured rate falls below although the estimate meets it
    (where the project is shown, but underpays in practice)."""
    estimated = hourly_usd(spec)
    report: dict[str, Any] = {
        "estimated_hourly_usd": round(estimated, 2),
        "median_seconds": None,
        "median_hourly_usd": None,
        "below_minimum_in": [],
    }
    if not worked_seconds:
        return report
    median = statistics.median(worked_seconds)
    measured = hourly_usd(spec, median)
    candidates = spec.countries or tuple(_table()[1])
    report.update(
        median_seconds=round(median, 1),
        median_hourly_usd=round(measured, 2),
        below_minimum_in=sorted(
            c
            for c in candidates
            if (wage := minimum_wage(c)) is not None and measured < wage.hourly_usd <= estimated
        ),
    )
    return report


@dataclass(frozen=True, slots=True)
class CountryPay:
    """How a project's pay compares with one country's minimum wage."""

    country: str
    minimum: MinimumWage
    minimum_in_currency: float  # the minimum in the project's currency
    enough: bool


@dataclass(frozen=True, slots=True)
class PayPreview:
    """What a project's settings pay per hour, against the minimums of the countries it
    targets (``targeted``: a project underpaying one of them is refused) and of the countries
    whose workers would not see it (``hidden_from``, when it targets none)."""

    hourly: float
    currency: str
    targeted: tuple[CountryPay, ...]
    hidden_from: tuple[CountryPay, ...]
    unpaid_test: bool


def _country_pay(spec: ProjectSpec, country: str, wage: MinimumWage) -> CountryPay:
    return CountryPay(
        country=country,
        minimum=wage,
        minimum_in_currency=wage.hourly_usd / _table()[0][spec.currency],
        enough=underpaid(spec, country) is None,
    )


def pay_preview(spec: ProjectSpec) -> PayPreview:
    """The fair-pay check explained before a project is saved: the same rule (``underpaid``)
    that refuses a project, country by country."""
    wages = _table()[1]
    targeted = tuple(
        _country_pay(spec, c, wage) for c in spec.countries if (wage := wages.get(c)) is not None
    )
    hidden: tuple[CountryPay, ...] = ()
    if not spec.countries:
        hidden = tuple(
            pay
            for c, wage in sorted(wages.items())
            if wage is not None and not (pay := _country_pay(spec, c, wage)).enough
        )
    return PayPreview(
        hourly=hourly(spec),
        currency=spec.currency,
        targeted=targeted,
        hidden_from=hidden,
        unpaid_test=unpaid_test(spec),
    )


def measured_pay(spec: ProjectSpec, worked_seconds: list[float]) -> PayPreview | None:
    """What the project pays an hour for the median time its workers really took (the latest
    submissions' ``worked_seconds``), against each targeted country's minimum (or, targeting
    none, the countries it falls below): ``pay_preview`` for the measured time instead of the
    estimate. None before any submission."""
    if not worked_seconds:
        return None
    median = max(1, round(statistics.median(worked_seconds)))
    return pay_preview(replace(spec, estimated_seconds=median))
