"""The earnings ledger: rewards and bonuses, each credited to the worker once; and the
worker's statement of work."""

from .earnings import credit_bonus, credit_reward, earnings_of, ledger_line
from .statement import Statement, done_today, note_work, statement
from .store import BonusQuery, WorkLine, WorkTotal

__all__ = [
    "BonusQuery",
    "Statement",
    "WorkLine",
    "WorkTotal",
    "credit_bonus",
    "credit_reward",
    "done_today",
    "earnings_of",
    "ledger_line",
    "note_work",
    "statement",
]
