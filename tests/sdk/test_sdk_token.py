"""Offline verification of task tokens: each failed check raises the error that names it.

Time is frozen with ``now=``; both edges of the expiry window are tested.
"""

from __future__ import annotations

import json

import pytest
from itsdangerous.encoding import base64_encode

from crowdframe import (
    TaskTokenClaims,
    TokenAudienceError,
    TokenExpiredError,
    TokenMalformedError,
    TokenModeError,
    TokenSignatureError,
    origin_of,
    verify_task_token,
)
from crowdframe._token import DEFAULT_LEEWAY, _serializer, sign_task_token
from task_tokens import AUDIENCE, LIFETIME, work_claims

SECRET = "cfts_k1_Jx2mWq9vL4tR8yZ0aB3cD6eF"
OTHER_CLIENTS_SECRET = "cfts_k1_Qp7nHs1kG5uV9wX2zC4bN8mM"
OLD_SECRET = SECRET
NEW_SECRET = "cfts_k2_Tt3rEe6wQq9yUu2iOo5pAa8s"
ISSUED = 1_790_000_000
EXPIRES = ISSUED + LIFETIME


def claims(**changes: object) -> TaskTokenClaims:
    return work_claims(issued_at=ISSUED, **changes)


def token(secrets: tuple[str, ...] = (SECRET,), **changes: object) -> str:
    return sign_task_token(claims(**changes), secrets)


def verify(value: str, secret: str | list[str] = SECRET, **options: object) -> TaskTokenClaims:
    options.setdefault("audience", AUDIENCE)
    options.setdefault("now", ISSUED + 5)
    return verify_task_token(value, secret, **options)  # type: ignore[arg-type]


def test_a_valid_token_gives_its_claims() -> None:
    assert verify(token()) == claims()


@pytest.mark.parametrize(
    "audience",
    [
        "https://tasks.example.com",
        "https://tasks.example.com/label?batch=3",
        "HTTPS://Tasks.Example.com:443/",
    ],
)
def test_the_audience_may_be_any_url_of_the_task_origin(audience: str) -> None:
    assert verify(token(), audience=audience).aud == AUDIENCE


def test_a_tampered_payload_is_refused() -> None:
    _payload, timestamp, signature = token().split(".")
    forged = base64_encode(json.dumps({**claims().to_dict(), "wid": "someone_else"})).decode()

    with pytest.raises(TokenSignatureError):
        verify(f"{forged}.{timestamp}.{signature}")


def test_a_tampered_signature_is_refused() -> None:
    payload, timestamp, signature = token().split(".")
    # Not the last character: its low bits are padding, so flipping them may change nothing.
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]

    with pytest.raises(TokenSignatureError):
        verify(f"{payload}.{timestamp}.{flipped}")


def test_another_clients_token_is_refused() -> None:
    theirs = token(secrets=(OTHER_CLIENTS_SECRET,))

    with pytest.raises(TokenSignatureError):
        verify(theirs)


def test_a_token_for_another_origin_is_refused() -> None:
    with pytest.raises(TokenAudienceError) as caught:
        verify(token(), audience="https://evil.example")

    assert "https://evil.example" in str(caught.value)


def test_a_token_is_accepted_until_its_expiry() -> None:
    assert verify(token(), now=EXPIRES - 1) == claims()
    assert verify(token(), now=EXPIRES) == claims()


def test_a_token_is_accepted_within_the_leeway() -> None:
    assert verify(token(), now=EXPIRES + DEFAULT_LEEWAY) == claims()


def test_a_token_is_refused_one_second_past_the_leeway() -> None:
    with pytest.raises(TokenExpiredError) as caught:
        verify(token(), now=EXPIRES + DEFAULT_LEEWAY + 1)

    assert caught.value.expired_at == EXPIRES


def test_the_leeway_cannot_be_stretched_beyond_ten_seconds() -> None:
    with pytest.raises(TokenExpiredError):
        verify(token(), now=EXPIRES + 11, leeway=3600)


def test_without_leeway_a_token_is_refused_right_after_expiry() -> None:
    with pytest.raises(TokenExpiredError):
        verify(token(), now=EXPIRES + 1, leeway=0)


def test_a_token_issued_in_the_future_is_refused() -> None:
    with pytest.raises(TokenMalformedError):
        verify(token(), now=ISSUED - DEFAULT_LEEWAY - 1)


def test_a_preview_token_cannot_be_used_for_work() -> None:
    preview = token(mode="preview", aid="")

    with pytest.raises(TokenModeError):
        verify(preview, mode="work")
    with pytest.raises(TokenModeError):
        verify(preview)  # "work" is the default
    assert verify(preview, mode="preview").mode == "preview"
    assert verify(preview, mode=None).mode == "preview"


def test_a_work_token_is_not_a_preview_token() -> None:
    with pytest.raises(TokenModeError):
        verify(token(), mode="preview")


def test_rotation_old_tokens_still_verify_against_old_and_new() -> None:
    old_token = token(secrets=(OLD_SECRET,))

    assert verify(old_token, [OLD_SECRET, NEW_SECRET]).kid == "k1"


def test_rotation_new_tokens_are_signed_with_the_newest_secret() -> None:
    new_token = token(secrets=(OLD_SECRET, NEW_SECRET), kid="k2")

    assert verify(new_token, [OLD_SECRET, NEW_SECRET]).kid == "k2"
    assert verify(new_token, NEW_SECRET).kid == "k2"
    with pytest.raises(TokenSignatureError):
        verify(new_token, OLD_SECRET)


def test_signing_refuses_a_kid_that_is_not_the_newest_secrets() -> None:
    with pytest.raises(ValueError):
        token(secrets=(OLD_SECRET, NEW_SECRET), kid="k1")


@pytest.mark.parametrize(
    "value",
    [
        "",
        " ",
        "garbage",
        "a.b",
        "..",
        "a.b.c",
        "....",
        "é.é.é",
        "\x00.\x00.\x00",
        "a" * 10_000,
        "x" * 5_000 + "." + "y" * 5_000,
        None,
    ],
)
def test_strings_that_are_not_tokens_raise_a_token_error(value: str) -> None:
    with pytest.raises((TokenMalformedError, TokenSignatureError)):
        verify(value)


def test_the_empty_string_is_malformed() -> None:
    with pytest.raises(TokenMalformedError):
        verify("")


@pytest.mark.parametrize(
    "payload",
    [
        ["a", "list"],
        {"v": 1},
        {**claims().to_dict(), "exp": "soon"},
        {**claims().to_dict(), "iat": True},
        {**claims().to_dict(), "wid": 42},
        {**claims().to_dict(), "mode": "admin"},
        {**claims().to_dict(), "v": 2},
    ],
)
def test_a_validly_signed_payload_of_the_wrong_shape_is_malformed(payload: object) -> None:
    value = _serializer((SECRET,)).dumps(payload)

    with pytest.raises(TokenMalformedError):
        verify(value)


def test_unknown_claims_from_a_newer_gateway_are_ignored() -> None:
    value = _serializer((SECRET,)).dumps({**claims().to_dict(), "extra": "claim"})

    assert verify(value) == claims()


@pytest.mark.parametrize("payload", [b"!!!not-base64", b".eJwrSS0uAQAEXQHB", b"bm90IGpzb24"])
def test_a_validly_signed_payload_that_is_not_json_is_malformed(payload: bytes) -> None:
    value = _serializer((SECRET,)).make_signer().sign(payload).decode()

    with pytest.raises(TokenMalformedError):
        verify(value)


def test_verifying_without_a_secret_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        verify(token(), [])


def test_origin_of_normalises_scheme_host_and_default_port() -> None:
    assert origin_of("HTTPS://Tasks.Example.com:443/x?y") == "https://tasks.example.com"
    assert origin_of("http://localhost:8001/task") == "http://localhost:8001"
    assert origin_of("http://[::1]:80/") == "http://[::1]"
    with pytest.raises(ValueError):
        origin_of("javascript:alert(1)")
