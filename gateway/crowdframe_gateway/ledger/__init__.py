"""The earnings ledger: rewards and bonuses, each credited to the worker once."""

from .earnings import credit_bonus, credit_reward, earnings_of, ledger_line
from .store import BonusQuery

__all__ = ["BonusQuery", "credit_bonus", "credit_reward", "earnings_of", "ledger_line"]
