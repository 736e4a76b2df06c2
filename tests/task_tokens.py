"""Task-token claims for tests: a ``work`` token for one task, with plain sample values."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from crowdframe import TaskTokenClaims

AUDIENCE = "https://tasks.example.com"
LIFETIME = 120


def work_claims(*, issued_at: int | None = None, **changes: Any) -> TaskTokenClaims:
    """Claims of a ``work`` token for ``AUDIENCE``, issued at ``issued_at`` (now by default)
    and valid ``LIFETIME`` seconds; ``changes`` replace any of the fields."""
    iat = int(time.time()) if issued_at is None else issued_at
    claims = TaskTokenClaims(
        v=1,
        kid="k1",
        iss="https://gateway.example",
        aud=AUDIENCE,
        cid="cli_1",
        pid="prj_1",
        tid="tsk_1",
        aid="asg_1",
        wid="wkr_abc",
        mode="work",
        iat=iat,
        exp=iat + LIFETIME,
        jti="jti_1",
    )
    return dataclasses.replace(claims, **changes)
