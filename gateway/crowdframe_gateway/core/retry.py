"""When to try again after a failure: one schedule of delays with jitter, for every outbox
(webhooks' messages, emails)."""

from __future__ import annotations

import random

__all__ = ["next_attempt_delay"]


def next_attempt_delay(schedule: tuple[float, ...], attempts_done: int) -> float | None:
    """Seconds until the next attempt after ``attempts_done`` failures; None: give up.

    Each delay gets ±10 % jitter so deliveries that failed together are not retried in
    lockstep.
    """
    index = attempts_done - 1
    if index >= len(schedule):
        return None
    return schedule[index] * random.uniform(0.9, 1.1)
