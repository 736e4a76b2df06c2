"""The worker's earnings page: their statement of work, a page at a time, the latest first
(each submission pending until its auto-approval date, approved, or rejected with the
client's reason; and bonuses), with the totals of each; then the rejected work of the page,
with where its dispute stands."""

from __future__ import annotations

from collections import defaultdict

from starlette.requests import Request
from starlette.responses import Response

from ...conversations import disputes, reason_text
from ...core.errors import InvalidInput
from ...core.text import N_, Text
from ...ledger import Statement, WorkTotal, statement
from ...runtime import Runtime
from .pages import _worker, page

__all__ = ["earnings_page"]

# the order the totals are shown in
_SHOWN = ("submitted", "approved", "rejected", "bonus")


def _totals(totals: list[WorkTotal]) -> tuple[dict[str, list[WorkTotal]], dict[str, int]]:
    """The totals by status, and what was paid (approved work and bonuses) by currency."""
    by_status: dict[str, list[WorkTotal]] = defaultdict(list)
    paid: dict[str, int] = defaultdict(int)
    for total in totals:
        by_status[total.status].append(total)
        if total.status in ("approved", "bonus"):
            paid[total.currency] += total.amount_cents
    return dict(by_status), {c: cents for c, cents in paid.items() if cents > 0}


async def earnings_page(request: Request) -> Response:
    worker = await _worker(request)
    rt: Runtime = request.app.state.runtime
    after, status, notice = request.query_params.get("after"), 200, None
    try:
        found: Statement = await statement(rt, worker, cursor=after)
    except InvalidInput as exc:  # a hand-made or mangled link: the latest work, and why
        notice = Text(
            N_("That link to older work is not valid (%(why)s): here is the latest."),
            {"why": f"{exc.field}: {exc.message}"},
        )
        found, after, status = await statement(rt, worker), None, exc.status
    by_status, paid = _totals(found.totals)
    reviewed = [
        (line.client_id, line.assignment_id)
        for line in found.lines
        if line.status in ("rejected", "approved")
    ]
    context = {
        "worker": worker,
        # a bonus's reason as a rejection's: MTurk's scripts may give an empty one
        "lines": [
            (
                line,
                reason_text(line.title) if line.status == "bonus" else line.title,
                reason_text(line.reject_reason),
            )
            for line in found.lines
        ],
        "more": found.next_cursor,
        "later_page": after is not None,
        "totals": [(name, by_status[name]) for name in _SHOWN if name in by_status],
        "paid": paid,
        "rejected": await disputes.rejected_work(rt, worker, reviewed),
        "disputed": request.query_params.get("disputed") == "1",
        "notice": notice,
    }
    return page(request, "earnings.html", context, status=status)
