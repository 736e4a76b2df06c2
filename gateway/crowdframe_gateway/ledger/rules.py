"""What the ledger credits: the rules of a reward, decided in Python and handed on as data.

- an approved assignment earns its project's reward, in the project's currency, with the
  project's title as the reason (``reward_of``);
- a project that pays nothing (an unpaid assessment) writes no line at all;
- a reward is keyed by its assignment (``reward:<assignment id>``): credited once, however often
  the approval is repeated or retried.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.records import ProjectSpec

__all__ = ["Reward", "reward_key", "reward_of"]


@dataclass(frozen=True, slots=True)
class Reward:
    """The ledger line an approval earns, less who it is for (the assignment says)."""

    amount_cents: int
    currency: str
    reason: str
    key: str


def reward_key(assignment_id: str) -> str:
    """The reward's unique key in the ledger: one reward per assignment."""
    return f"reward:{assignment_id}"


def reward_of(spec: ProjectSpec, assignment_id: str) -> Reward | None:
    """The reward an approved assignment of a project with ``spec`` earns; None pays nothing."""
    if spec.reward_cents == 0:
        return None
    return Reward(spec.reward_cents, spec.currency, spec.title, reward_key(assignment_id))
