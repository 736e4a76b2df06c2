"""A bonus on an answer, as ``POST /assignments/{id}/bonus`` pays it: read, credited once per
request token, and told to the worker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from ..conversations import tell_bonus
from ..core.records import Assignment, Credit
from ..core.validation import Body, Count, Text, read
from ..ledger import credit_bonus
from .assignments import owned_assignment

if TYPE_CHECKING:
    from ..core.records import Client
    from ..runtime import Runtime


__all__ = ["Bonus", "pay_bonus"]


class Bonus(Body):
    """``POST /assignments/{id}/bonus``."""

    amount_cents: Annotated[int, Count(1, 1_000_000)]
    reason: Annotated[str, Text(1, 1000)]


async def pay_bonus(
    rt: Runtime, client: Client, assignment_id: str, body: Any, key: str | None
) -> tuple[Credit, Assignment]:
    """Pay ``{"amount_cents", "reason"}`` on the client's assignment; the same ``key`` again
    pays nothing more. The worker hears of it once per credit (however often it is asked)."""
    asked = read(Bonus, body)
    assignment = await owned_assignment(rt, client, assignment_id)
    credit = await credit_bonus(rt, assignment, asked.amount_cents, asked.reason, key)
    await tell_bonus(rt, credit)
    return credit, assignment
