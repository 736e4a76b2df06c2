"""A bonus on an answer, as ``POST /assignments/{id}/bonus`` pays it: read, credited once per
request token, and told to the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..conversations import tell_bonus
from ..core.records import Credit
from ..core.validation import Fields
from ..ledger import credit_bonus
from .assignments import owned_assignment

if TYPE_CHECKING:
    from ..core.records import Client
    from ..runtime import Runtime


__all__ = ["pay_bonus"]


async def pay_bonus(
    rt: Runtime, client: Client, assignment_id: str, body: dict[str, Any], key: str | None
) -> Credit:
    """Pay ``{"amount_cents", "reason"}`` on the client's assignment; the same ``key`` again
    pays nothing more. The worker hears of it once per credit."""
    f = Fields(body)
    f.reject_unknown(("amount_cents", "reason"))
    amount = f.integer("amount_cents", low=1, high=1_000_000)
    reason = f.text("reason", min_len=1, max_len=1000)
    assignment = await owned_assignment(rt, client, assignment_id)
    credit = await credit_bonus(rt, assignment, amount, reason, key)
    await tell_bonus(rt, credit)
    return credit
