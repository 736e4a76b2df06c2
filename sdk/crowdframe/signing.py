"""The signing half of task tokens and webhooks, which the gateway shares with the SDK.

Clients verify (``crowdframe.verify_task_token``, ``crowdframe.Webhook``); the gateway signs,
with these same functions, so that a token or a webhook means the same thing on both sides.
Public and stable like the rest of the SDK: the gateway imports nothing private from it.
"""

from __future__ import annotations

from ._token import (
    TaskTokenClaims,
    TokenMode,
    decode_task_token,
    origin_of,
    secret_kid,
    sign_task_token,
)
from ._webhook import new_webhook_secret

__all__ = [
    "TaskTokenClaims",
    "TokenMode",
    "decode_task_token",
    "new_webhook_secret",
    "origin_of",
    "secret_kid",
    "sign_task_token",
]
