"""Logging that never writes a credential, as text or as JSON lines with the request's id:
task tokens, ``cf_token=`` values, API keys, signing and webhook secrets, console invitation
links' tokens, bearer keys are redacted on every handler, whoever logs them.

The gateway itself never logs a token; this is the net under that rule, for what it does not
control: a uvicorn access line for ``/work?cf_token=…`` (a task page linking back with its
launch URL), an exception whose message quotes a request.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "REQUEST_ID",
    "JsonLines",
    "RedactSecrets",
    "configure_logging",
    "install_redaction",
    "redact",
    "uvicorn_log_config",
]

# the id of the request being answered (web/telemetry.py sets it), in each line logged meanwhile
REQUEST_ID: ContextVar[str | None] = ContextVar("crowdframe_request_id", default=None)

_PATTERNS = (
    # the launch parameter, whatever its value looks like
    (re.compile(r"(cf_token=)[^&\s\"'#]+"), r"\1[redacted]"),
    # a task token (itsdangerous: base64 JSON "eyJ…", timestamp, mac) or a JWT
    (re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{16,}"), "[redacted token]"),
    # API keys, signing secrets, webhook secrets, console invitation tokens (cfi_, in a link),
    # workers' email verification and password reset links (cfl_)
    (re.compile(r"\b(cfk|cfts|whsec|cfi|cfl)_[A-Za-z0-9_+/=-]{8,}"), r"\1_[redacted]"),
    (re.compile(r"(?i)(bearer\s+)[^\s\"',]+"), r"\1[redacted]"),
)
# every pattern above matches only where one of these does (a pattern added above adds its own
# here): most lines need no more than this one search
_ANY_CREDENTIAL = re.compile(r"cf_token=|eyJ|(?:cfk|cfts|whsec|cfi|cfl)_|(?i:bearer)\s")
_FORMATTER = logging.Formatter()
_FORMATTED_FROM_ARGS = frozenset({"uvicorn.access"})


def redact(text: str) -> str:
    """``text`` with every credential-looking value replaced."""
    if _ANY_CREDENTIAL.search(text) is None:
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_arg(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, int | float | bool) or value is None:
        return value  # %d and %.2f must still format them
    text = str(value)
    cleaned = redact(text)
    return value if cleaned == text else cleaned


class RedactSecrets(logging.Filter):
    """A handler filter: rewrites the record's message, arguments and traceback in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name in _FORMATTED_FROM_ARGS:
            # Its formatter reads the arguments one by one: redact each, keep the shape.
            if isinstance(record.args, tuple):
                record.args = tuple(_redact_arg(arg) for arg in record.args)
            elif isinstance(record.args, Mapping):
                record.args = {key: _redact_arg(arg) for key, arg in record.args.items()}
        else:
            # The whole line at once: a token split between the format and its arguments
            # ("cf_token=%s") is whole only once formatted.
            record.msg = redact(record.getMessage())
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = _FORMATTER.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


def install_redaction(logger: logging.Logger | None = None) -> None:
    """Put ``RedactSecrets`` on every handler of ``logger`` (the root logger by default)."""
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactSecrets) for f in handler.filters):
            handler.addFilter(RedactSecrets())


def uvicorn_log_config(log_format: str = "text") -> dict[str, Any]:
    """uvicorn's own logging configuration, with ``RedactSecrets`` on each of its handlers;
    for ``json``, its lines as JSON too (an access line carries its request's id)."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    if log_format == "json":
        config["formatters"] = {name: {"()": JsonLines} for name in config["formatters"]}
    config["filters"] = {"redact_secrets": {"()": RedactSecrets}}
    for handler in config["handlers"].values():
        handler["filters"] = [*handler.get("filters", []), "redact_secrets"]
    return config


class JsonLines(logging.Formatter):
    """One JSON object a line (``CROWDFRAME_LOG_FORMAT=json``): ``time``, ``level``,
    ``logger``, ``message``, ``request_id`` while a request is answered, ``exception``."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = REQUEST_ID.get()
        if request_id is not None:
            entry["request_id"] = request_id
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


_TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(log_format: str = "text") -> None:
    """The root logger at INFO, as text or JSON lines, every handler redacting credentials."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(_TEXT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    # httpx logs every request with its URL: a webhook URL may carry a secret, and
    # crowdframe.delivery already logs each attempt by endpoint id
    logging.getLogger("httpx").setLevel(logging.WARNING)
    install_redaction()
