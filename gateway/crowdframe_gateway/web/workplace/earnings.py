"""The worker's earnings page: every credit, newest first, and the total per currency; then
the rejected work, with its reason and where its dispute stands."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from ...conversations import disputes, reason_text
from ...ledger import earnings
from ...runtime import Runtime
from .pages import _worker, page

__all__ = ["earnings_page"]


async def earnings_page(request: Request) -> Response:
    worker = await _worker(request)
    rt: Runtime = request.app.state.runtime
    summary = await earnings.earnings_of(rt, worker)
    context = {
        "worker": worker,
        "totals": summary.totals,
        # a bonus's reason as a rejection's: MTurk's scripts may give an empty one
        "credits": [(credit, reason_text(credit.reason)) for credit in summary.credits],
        "rejected": await disputes.rejected_work(rt, worker),
        "disputed": request.query_params.get("disputed") == "1",
    }
    return page(request, "earnings.html", context)
