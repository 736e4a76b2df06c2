"""Checking AWS Signature Version 4 on requests boto3 signs for ``mturk-requester``.

The checks follow the AWS specification (and botocore's signer): the canonical request over the
method, path, query, the signed headers and the body's SHA-256; the scope
``<date>/us-east-1/mturk-requester/aws4_request``; ``X-Amz-Date`` within 15 minutes of the
gateway's clock, as AWS allows. Every failure is a ``SignatureError`` naming what failed.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote

__all__ = [
    "REGION",
    "SERVICE",
    "Authorization",
    "SignatureError",
    "SignedRequest",
    "parse_authorization",
    "verify",
]

SERVICE = "mturk-requester"
REGION = "us-east-1"
MAX_SKEW_SECONDS = 15 * 60
_ALGORITHM = "AWS4-HMAC-SHA256"
_AUTH = re.compile(
    r"^AWS4-HMAC-SHA256\s+Credential=(?P<credential>[^,\s]+),\s*"
    r"SignedHeaders=(?P<headers>[a-z0-9\-;]+),\s*Signature=(?P<signature>[0-9a-f]{64})$"
)


class SignatureError(Exception):
    """The request is not signed by a known, active key; ``code`` is AWS's error code."""

    def __init__(self, message: str, *, code: str = "InvalidSignatureException") -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Authorization:
    access_key_id: str
    date: str  # YYYYMMDD
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What the signature covers, as the server received it."""

    method: str
    path: str  # decoded, as the ASGI scope has it
    query: str  # raw
    headers: Callable[[str], Sequence[str]]  # every value of a (lower-case) header
    body: bytes


def parse_authorization(header: str | None) -> Authorization:
    if not header:
        raise SignatureError(
            "the request is not signed: send it with AWS credentials (SigV4)",
            code="MissingAuthenticationTokenException",
        )
    found = _AUTH.match(header.strip())
    if found is None:
        raise SignatureError(
            "the Authorization header is not an AWS4-HMAC-SHA256 signature",
            code="IncompleteSignatureException",
        )
    parts = found["credential"].split("/")
    if len(parts) != 5 or parts[4] != "aws4_request":
        raise SignatureError(
            "Credential must be KEY/DATE/REGION/SERVICE/aws4_request",
            code="IncompleteSignatureException",
        )
    key, date, region, service, _ = parts
    return Authorization(
        key, date, region, service, tuple(found["headers"].split(";")), found["signature"]
    )


def _canonical_query(query: str) -> str:
    if not query:
        return ""
    pairs = sorted(tuple(pair.partition("=")[::2]) for pair in query.split("&"))
    return "&".join(f"{k}={v}" for k, v in pairs)


def canonical_request(request: SignedRequest, signed_headers: Sequence[str]) -> str:
    header_lines = "".join(
        f"{name}:{','.join(' '.join(v.split()) for v in request.headers(name))}\n"
        for name in signed_headers
    )
    return "\n".join(
        [
            request.method.upper(),
            quote(request.path or "/", safe="/~"),
            _canonical_query(request.query),
            header_lines,
            ";".join(signed_headers),
            hashlib.sha256(request.body).hexdigest(),
        ]
    )


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signature(secret: str, amz_date: str, auth: Authorization, canonical: str) -> str:
    scope = f"{auth.date}/{auth.region}/{auth.service}/aws4_request"
    to_sign = "\n".join(
        [_ALGORITHM, amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()]
    )
    key = _hmac(f"AWS4{secret}".encode(), auth.date)
    for part in (auth.region, auth.service, "aws4_request"):
        key = _hmac(key, part)
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def verify(request: SignedRequest, auth: Authorization, secret: str, *, now: float) -> None:
    """Raise ``SignatureError`` unless ``request`` carries ``auth``'s valid signature."""
    if auth.service != SERVICE or auth.region != REGION:
        raise SignatureError(
            f"the credential scope must be {REGION}/{SERVICE}, not {auth.region}/{auth.service}:"
            f" create the client with region_name='{REGION}'"
        )
    if "host" not in auth.signed_headers or "x-amz-date" not in auth.signed_headers:
        raise SignatureError("the signature must cover the host and x-amz-date headers")
    amz_dates = request.headers("x-amz-date")
    amz_date = amz_dates[0] if amz_dates else ""
    try:
        signed_at = datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        raise SignatureError("X-Amz-Date must look like 20260101T120000Z") from None
    if amz_date[:8] != auth.date:
        raise SignatureError("X-Amz-Date and the credential scope name different days")
    if abs(signed_at.timestamp() - now) > MAX_SKEW_SECONDS:
        raise SignatureError(
            "Signature expired: X-Amz-Date is more than 15 minutes from the gateway's time",
            code="InvalidSignatureException",
        )
    claimed = request.headers("x-amz-content-sha256")
    if claimed and claimed[0] != hashlib.sha256(request.body).hexdigest():
        raise SignatureError("X-Amz-Content-SHA256 does not match the body")
    expected = signature(secret, amz_date, auth, canonical_request(request, auth.signed_headers))
    if not hmac.compare_digest(expected, auth.signature):
        raise SignatureError(
            "the request signature we calculated does not match the signature you provided:"
            " check the secret access key"
        )
