"""What every request handler and background loop shares: settings, store, token issuer."""

from __future__ import annotations

from dataclasses import dataclass

from .settings import Settings
from .store import Store
from .tokens import TokenIssuer

__all__ = ["Runtime"]


@dataclass(frozen=True, slots=True)
class Runtime:
    settings: Settings
    store: Store
    tokens: TokenIssuer
    secret_key: str
