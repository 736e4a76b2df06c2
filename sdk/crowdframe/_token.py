"""Task tokens: signed by the gateway per client, verified offline by the client.

A token is an itsdangerous ``URLSafeTimedSerializer`` string (salt ``crowdframe.task-token.v1``,
HMAC-SHA256) whose payload holds the claims of ``TaskTokenClaims``. Signing secrets look like
``cfts_<kid>_<random>``: the key id is part of the secret, so rotation needs no extra bookkeeping.
The gateway signs with the newest secret; verification accepts any of the current ones.

Signing and verifying read and write that format directly rather than through itsdangerous's
object layers (about 20 µs a token): the derived key of each secret is cached, and a check is one
HMAC, one constant-time compare and one base64 + JSON decode. The bytes are the same both ways:
itsdangerous verifies our tokens and we verify its (tests/sdk/test_sdk_token_format.py).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from functools import lru_cache
from typing import Any, Literal
from urllib.parse import urlsplit

from itsdangerous import URLSafeTimedSerializer
from itsdangerous.encoding import base64_encode, int_to_bytes

from ._exceptions import (
    TokenAudienceError,
    TokenExpiredError,
    TokenMalformedError,
    TokenModeError,
    TokenSignatureError,
)

__all__ = [
    "DEFAULT_LEEWAY",
    "TOKEN_SALT",
    "TaskTokenClaims",
    "TokenMode",
    "decode_task_token",
    "origin_of",
    "secret_kid",
    "sign_task_token",
    "verify_task_token",
]

TOKEN_SALT = "crowdframe.task-token.v1"  # noqa: S105 (a salt, not a secret)
DEFAULT_LEEWAY = 10
TokenMode = Literal["work", "preview"]
_MODES = ("work", "preview")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True, slots=True)
class TaskTokenClaims:
    """What a verified task token says: who works on what, for whom, until when.

    ``aid`` is empty in preview mode (a preview is not an assignment). ``wid`` is the worker's
    pseudonym for this client: stable across the client's projects, unlinkable across clients.
    """

    v: int
    kid: str
    iss: str
    aud: str
    cid: str
    pid: str
    tid: str
    aid: str
    wid: str
    mode: TokenMode
    iat: int
    exp: int
    jti: str

    def to_dict(self) -> dict[str, Any]:
        """The claims as the JSON object inside the token."""
        # every claim is a str or an int: no deep copy (dataclasses.asdict) is needed
        return {name: getattr(self, name) for name in _CLAIM_NAMES}


_CLAIM_NAMES = tuple(f.name for f in fields(TaskTokenClaims))


def origin_of(url: str) -> str:
    """The origin (``scheme://host[:port]``) of a URL, lower-cased, default port dropped."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if scheme not in _DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL: {url!r}")
    if ":" in host:
        host = f"[{host}]"
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"bad port in URL: {url!r}") from exc
    if port is None or port == _DEFAULT_PORTS[scheme]:
        return f"{scheme}://{host}"
    return f"{scheme}://{host}:{port}"


def secret_kid(secret: str) -> str:
    """The key id embedded in a signing secret ``cfts_<kid>_<random>``."""
    prefix, _, rest = secret.partition("_")
    kid, sep, _random = rest.partition("_")
    if prefix != "cfts" or not sep or not kid:
        raise ValueError("a signing secret looks like cfts_<kid>_<random>")
    return kid


class _TokenSerializer(URLSafeTimedSerializer):
    """Never zlib-compresses the payload, so the task widget can read ``iss`` with ``atob``."""

    def dump_payload(self, obj: Any) -> bytes:
        # itsdangerous's JSON serializer is already compact (no spaces).
        return base64_encode(self.serializer.dumps(obj).encode())


@lru_cache(maxsize=256)
def _serializer(secrets: tuple[str, ...]) -> URLSafeTimedSerializer:
    """The reference implementation of the format, for tests and the benchmark.

    itsdangerous signs with the last key and verifies against all, newest first."""
    return _TokenSerializer(
        list(secrets), salt=TOKEN_SALT, signer_kwargs={"digest_method": hashlib.sha256}
    )


# The itsdangerous format, spelled out: ``base64(json) "." base64(timestamp) "." base64(mac)``,
# the mac an HMAC-SHA256 of everything before the last dot, keyed with
# sha256(salt + b"signer" + secret) (itsdangerous's default "django-concat" derivation).
_SALT_BYTES = TOKEN_SALT.encode()


_TO_STANDARD_B64 = bytes.maketrans(b"-_", b"+/")


@lru_cache(maxsize=1024)
def _keyed_mac(secret: str) -> hmac.HMAC:
    """An HMAC already keyed with the secret's derived key; each use works on a copy."""
    derived = hashlib.sha256(_SALT_BYTES + b"signer" + secret.encode()).digest()
    return hmac.new(derived, digestmod=hashlib.sha256)


def _b64encode(raw: bytes) -> bytes:
    return base64.urlsafe_b64encode(raw).rstrip(b"=")


def _b64decode(text: bytes) -> bytes:
    """Strict URL-safe base64 without padding: itsdangerous skips stray characters, we refuse."""
    if not text:
        raise ValueError("empty base64")
    padded = text.translate(_TO_STANDARD_B64) + b"=" * (-len(text) % 4)
    return binascii.a2b_base64(padded, strict_mode=True)


def _mac(secret: str, value: bytes) -> bytes:
    mac = _keyed_mac(secret).copy()
    mac.update(value)
    return mac.digest()


def sign_task_token(claims: TaskTokenClaims, secrets: Iterable[str]) -> str:
    """Sign ``claims`` with the newest of ``secrets`` (the last one). Used by the gateway."""
    ordered = tuple(secrets)
    if not ordered:
        raise ValueError("no signing secret")
    if claims.kid != secret_kid(ordered[-1]):
        raise ValueError("claims.kid must name the newest secret")
    payload = json.dumps(claims.to_dict(), separators=(",", ":")).encode()
    value = _b64encode(payload) + b"." + _b64encode(int_to_bytes(int(time.time())))
    return (value + b"." + _b64encode(_mac(ordered[-1], value))).decode()


def _unsign(token: str, secrets: tuple[str, ...]) -> bytes:
    """The payload segment of a token whose mac one of ``secrets`` (newest first) made."""
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise TokenSignatureError("token signature does not match") from None
    value, dot, signature = raw.rpartition(b".")
    if not dot:
        raise TokenMalformedError("not a task token")
    try:
        mac = _b64decode(signature)
    except (ValueError, binascii.Error):
        raise TokenSignatureError("token signature does not match") from None
    for secret in reversed(secrets):
        if hmac.compare_digest(mac, _mac(secret, value)):
            break
    else:
        raise TokenSignatureError("token signature does not match")
    payload, dot, _timestamp = value.rpartition(b".")
    if not dot:
        raise TokenSignatureError("token timestamp is missing")
    return payload


def _load_payload(payload: bytes) -> Any:
    # Signed, but not base64 JSON: only a holder of the secret could make this.
    try:
        compressed = payload.startswith(b".")  # itsdangerous's zlib form; we never write it
        raw = _b64decode(payload[1:] if compressed else payload)
        return json.loads(zlib.decompress(raw) if compressed else raw)
    except (ValueError, binascii.Error, zlib.error):
        raise TokenMalformedError("token payload is not JSON") from None


_CLAIM_NAMES = tuple(TaskTokenClaims.__dataclass_fields__)


_STRING_CLAIMS = ("kid", "iss", "aud", "cid", "pid", "tid", "aid", "wid", "jti")
_INTEGER_CLAIMS = ("v", "iat", "exp")


def _claims_from(payload: Any) -> TaskTokenClaims:
    if not isinstance(payload, dict):
        raise TokenMalformedError("token payload is not an object")
    # Checked on the dict before the dataclass is built: the common, valid case stays cheap.
    # Unknown claims are ignored, so a newer gateway's tokens still verify with an older SDK.
    for name in _CLAIM_NAMES:
        if name not in payload:
            raise TokenMalformedError(f"token claims have the wrong shape: {name!r} is missing")
    for name in _STRING_CLAIMS:
        if type(payload[name]) is not str:
            raise TokenMalformedError(f"claim {name!r} must be a string")
    for name in _INTEGER_CLAIMS:
        if type(payload[name]) is not int:
            raise TokenMalformedError(f"claim {name!r} must be an integer")
    if payload["mode"] not in _MODES:
        raise TokenMalformedError("claim 'mode' must be 'work' or 'preview'")
    return TaskTokenClaims(**{name: payload[name] for name in _CLAIM_NAMES})


def decode_task_token(
    token: str,
    secret: str | Iterable[str],
    *,
    leeway: int = DEFAULT_LEEWAY,
    now: float | None = None,
) -> TaskTokenClaims:
    """Check a token's signature, shape, version and expiry, but not its audience or mode.

    The gateway uses this where it learns the expected audience from the claims' project;
    clients should call ``verify_task_token``, which checks everything.
    """
    if not isinstance(token, str) or not token:
        raise TokenMalformedError("no token given")
    secrets = (secret,) if isinstance(secret, str) else tuple(secret)
    if not secrets:
        raise ValueError("no secret to verify with")
    leeway = max(0, min(leeway, DEFAULT_LEEWAY))
    payload = _load_payload(_unsign(token, secrets))
    claims = _claims_from(payload)
    if claims.v != 1:
        raise TokenMalformedError(f"unsupported token version {claims.v}")
    current = time.time() if now is None else now
    if current > claims.exp + leeway:
        raise TokenExpiredError(
            f"token expired at {claims.exp} ({int(current - claims.exp)} s ago)",
            expired_at=claims.exp,
        )
    if claims.iat > current + leeway:
        raise TokenMalformedError("token issued in the future")
    return claims


@lru_cache(maxsize=256)
def _expected_audience(audience: str) -> str:
    try:
        return origin_of(audience)
    except ValueError:
        return audience


def verify_task_token(
    token: str,
    secret: str | Iterable[str],
    *,
    audience: str,
    mode: TokenMode | None = "work",
    leeway: int = DEFAULT_LEEWAY,
    now: float | None = None,
) -> TaskTokenClaims:
    """Verify a task token offline and return its claims.

    ``secret`` is the client's signing secret, or several during a rotation. ``audience`` is the
    origin (or any URL) of the task page verifying the token: a token issued for another origin is
    refused. ``mode`` is the mode required (``"work"`` by default, so a preview token cannot be
    used to submit work); pass ``None`` to accept both. ``exp`` is checked with ``leeway``
    seconds of tolerance for clock skew (at most 10).

    Raises a ``TokenError`` subclass naming the check that failed.
    """
    claims = decode_task_token(token, secret, leeway=leeway, now=now)
    expected = _expected_audience(audience)
    if claims.aud != expected:
        raise TokenAudienceError(f"token is for {claims.aud!r}, not {expected!r}")
    if mode is not None and claims.mode != mode:
        raise TokenModeError(f"token mode is {claims.mode!r}, {mode!r} required")
    return claims
