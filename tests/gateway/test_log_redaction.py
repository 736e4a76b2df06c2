"""Credentials never reach a log line, whoever logs them and however (message, arguments,
traceback, uvicorn's access line)."""

from __future__ import annotations

import io
import logging
import time
from collections.abc import Iterator

import pytest
from uvicorn.logging import AccessFormatter

from crowdframe._token import TaskTokenClaims, sign_task_token
from crowdframe_gateway.logs import RedactSecrets, redact, uvicorn_log_config

SECRET = "cfts_ab12cd34_Jx2mWq9vL4tR8yZ0aB3cD6eFgH"
API_KEY = "cfk_Zx81mAq0pL4tR8yZ0aB3cD6eFgHJ2k"
WEBHOOK_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def a_token() -> str:
    now = int(time.time())
    claims = TaskTokenClaims(
        1, "ab12cd34", "http://gw", "http://t", "c", "p", "t", "a", "w", "work", now, now + 60, "j"
    )
    return sign_task_token(claims, [SECRET])


@pytest.fixture
def captured() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(RedactSecrets())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    logger.setLevel(logging.INFO)
    try:
        yield logger, out
    finally:
        logger.removeHandler(handler)


def test_every_kind_of_credential_is_redacted_wherever_it_is_logged(
    captured: tuple[logging.Logger, io.StringIO],
) -> None:
    logger, out = captured
    token = a_token()

    logger.info("frame opened at /task?x=1&cf_token=%s&cf_mode=work", token)
    logger.info("verify %(token)s for %(n)d", {"token": token, "n": 3})
    logger.info("client made: %s %s %s", API_KEY, SECRET, WEBHOOK_SECRET)
    logger.info("header Authorization: Bearer %s", "opaque-key-without-prefix")
    try:
        raise ValueError(f"bad token {token}")
    except ValueError:
        logger.exception("failed")

    text = out.getvalue()
    for secret in (token, API_KEY, SECRET, WEBHOOK_SECRET, "opaque-key-without-prefix"):
        assert secret not in text
    for part in token.split("."):
        assert part not in text or len(part) < 8
    assert "cf_token=[redacted]&cf_mode=work" in text
    assert "for 3" in text and "ValueError: bad token [redacted token]" in text
    assert "cfk_[redacted] cfts_[redacted] whsec_[redacted]" in text


@pytest.mark.parametrize(
    "line",
    [
        "authorization: BEARER\topaque",
        "retry with cf_token=x",
        f"key={API_KEY}",
        f"secret {SECRET.upper().replace('CFTS_', 'cfts_')}",
        f"endpoint secret:{WEBHOOK_SECRET}",
        "join at /console/invitations/cfi_Qx81mAq0pL4tR8yZ0aB3",
    ],
)
def test_every_shape_is_caught_in_any_case_and_spacing(line: str) -> None:
    assert redact(line) != line
    assert "[redacted]" in redact(line)


def test_a_line_without_credentials_is_left_as_it_is() -> None:
    line = '127.0.0.1:5000 - "POST /work/assignments/asg_x/submit HTTP/1.1" 200'
    assert redact(line) is line


def test_a_cf_token_of_any_shape_is_redacted() -> None:
    assert redact("GET /work?cf_token=abc.def HTTP/1.1") == "GET /work?cf_token=[redacted] HTTP/1.1"


def test_uvicorns_access_line_keeps_its_shape() -> None:
    config = uvicorn_log_config()
    assert all("redact_secrets" in h["filters"] for h in config["handlers"].values())
    token = a_token()
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", f"/work?cf_token={token}", "1.1", 200),
        None,
    )

    RedactSecrets().filter(record)
    line = AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s').format(record)

    assert line == '127.0.0.1:5000 - "GET /work?cf_token=[redacted] HTTP/1.1" 200 OK'
