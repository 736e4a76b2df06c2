"""Task-token verification: the SDK's ``verify_task_token`` against PyJWT's HS256 ``jwt.decode``.

PyJWT is what a client would otherwise use to check a signed token, so it is the baseline. Both
sides verify the same claims (signature, expiry, audience) in this process, one after the
other, best of several rounds. The goal is at least 2x PyJWT's rate.

    .venv/bin/python bench/token_verify.py
"""

from __future__ import annotations

import secrets
import time
import timeit
from collections.abc import Callable

import jwt

import crowdframe
from crowdframe._token import TaskTokenClaims, _serializer, sign_task_token

AUDIENCE = "https://tasks.example.com"
SECRET = "cfts_k1_" + secrets.token_urlsafe(32)
ROUNDS = 5
GOAL = 2.0


def _claims() -> TaskTokenClaims:
    now = int(time.time())
    return TaskTokenClaims(
        v=1,
        kid="k1",
        iss="https://gateway.example",
        aud=AUDIENCE,
        cid="cli_8fJ2kQ",
        pid="prj_Zx81mA",
        tid="tsk_0pQw7e",
        aid="asg_Hh3Kd9",
        wid="wkr_ab3kd8x0qpz7",
        mode="work",
        iat=now,
        exp=now + 3600,
        jti="Jk2mQ8xPzL0a",
    )


def rate(verify: Callable[[], object]) -> float:
    """Verifications a second, best of ``ROUNDS`` rounds of about 0.2 s each."""
    timer = timeit.Timer(verify)
    number, _ = timer.autorange()
    best = min(timer.repeat(repeat=ROUNDS, number=number))
    return number / best


def main() -> None:
    claims = _claims()
    ours = sign_task_token(claims, [SECRET])
    by_itsdangerous = _serializer((SECRET,)).dumps(claims.to_dict())
    pyjwt_token = jwt.encode(claims.to_dict(), SECRET, algorithm="HS256")

    # Same answer from every path before anything is timed.
    assert crowdframe.verify_task_token(ours, SECRET, audience=AUDIENCE) == claims
    assert crowdframe.verify_task_token(by_itsdangerous, SECRET, audience=AUDIENCE) == claims
    assert jwt.decode(pyjwt_token, SECRET, algorithms=["HS256"], audience=AUDIENCE)["aid"] == (
        claims.aid
    )

    baseline = rate(
        lambda: jwt.decode(pyjwt_token, SECRET, algorithms=["HS256"], audience=AUDIENCE)
    )
    sdk = rate(lambda: crowdframe.verify_task_token(ours, SECRET, audience=AUDIENCE))
    reference = rate(lambda: _serializer((SECRET,)).loads(by_itsdangerous))
    rotated = [SECRET, "cfts_k2_" + secrets.token_urlsafe(32)]  # old token, newest tried first
    during_rotation = rate(lambda: crowdframe.verify_task_token(ours, rotated, audience=AUDIENCE))

    print("task token verification (HS256, same claims, same process)")
    print(f"  PyJWT jwt.decode (baseline)        {baseline:>10,.0f} /s  {1e6 / baseline:6.1f} µs")
    print(f"  crowdframe.verify_task_token       {sdk:>10,.0f} /s  {1e6 / sdk:6.1f} µs")
    print(
        f"  ... during a rotation (2 secrets)  {during_rotation:>10,.0f} /s"
        f"  {1e6 / during_rotation:6.1f} µs"
    )
    print(f"  itsdangerous loads (signature only){reference:>10,.0f} /s  {1e6 / reference:6.1f} µs")
    ratio = sdk / baseline
    verdict = "meets" if ratio >= GOAL else "MISSES"
    print(f"  ratio SDK / PyJWT: {ratio:.2f}x ({verdict} the {GOAL:.0f}x goal)")


if __name__ == "__main__":
    main()
