"""The console's money: per project and in total, the reward committed, approved and rejected,
the bonuses, and the measured median time's hourly rate against each targeted country's minimum
wage (docs/console.md, "Money"). The figures are ``review.money``'s; this module only renders."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...identity.accounts import COUNTRIES
from ...review.money import client_money, project_money
from .. import i18n
from .render import page
from .session import runtime, signed_in_client, signed_in_project

__all__ = ["money_page", "project_money_page"]

FIGURES = ("committed_cents", "approved_cents", "rejected_cents", "bonus_cents")


async def money_page(request: Request) -> Response:
    user, client = await signed_in_client(request)
    money = await client_money(runtime(request), client)
    context = {"money": money, "totals": {f: money.total(f) for f in FIGURES}}
    return page(request, "money.html", context, user=user)


async def project_money_page(request: Request) -> Response:
    user, client, project = await signed_in_project(request)
    figures = await project_money(runtime(request), client, project)
    context = {"project": project, "figures": figures,
               "countries": dict(i18n.country_names(COUNTRIES))}  # fmt: skip
    return page(request, "project_money.html", context, user=user)
