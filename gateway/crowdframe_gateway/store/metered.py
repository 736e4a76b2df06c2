"""Counting what the store keeps for ``/metrics``: claims and submissions, whichever path they
came by (the workplace, the server-side submit, MTurk, crowd review), on either backend.

Mixed in first into ``SqliteStore`` and ``RedisStore``; a counter's increment is all it adds to
the call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..metrics import CLAIMS, SUBMISSIONS

if TYPE_CHECKING:
    from ..core.params import Claim, Submission
    from ..core.records import Assignment

__all__ = ["Metered"]


class Metered:
    async def claim(self, claim: Claim, *, now: float) -> Assignment | None:
        claimed: Assignment | None = await super().claim(claim, now=now)  # type: ignore[misc]
        if claimed is not None:
            CLAIMS.inc()
        return claimed

    async def submit(self, assignment_id: str, submission: Submission, *, now: float) -> Assignment:
        done: Assignment = await super().submit(  # type: ignore[misc]
            assignment_id, submission, now=now
        )
        SUBMISSIONS.inc()
        return done
