"""The SDK's own signer and verifier speak itsdangerous's format byte for byte.

A client may verify with itsdangerous itself (or an older SDK), and the gateway may have signed
with itsdangerous: either way round, the same token means the same claims.
"""

from __future__ import annotations

import hashlib

import pytest
from itsdangerous import BadSignature, URLSafeTimedSerializer

from crowdframe import TaskTokenClaims, TokenSignatureError, verify_task_token
from crowdframe._token import _serializer, sign_task_token
from task_tokens import AUDIENCE, work_claims

OLD = "cfts_k1_Jx2mWq9vL4tR8yZ0aB3cD6eF"
NEW = "cfts_k2_Tt3rEe6wQq9yUu2iOo5pAa8s"


def claims(**changes: object) -> TaskTokenClaims:
    return work_claims(**changes)


def test_a_token_itsdangerous_signed_verifies_in_the_sdk() -> None:
    token = _serializer((OLD,)).dumps(claims().to_dict())

    assert verify_task_token(token, OLD, audience=AUDIENCE) == claims()


def test_a_token_the_sdk_signed_verifies_in_itsdangerous() -> None:
    token = sign_task_token(claims(), [OLD])

    assert _serializer((OLD,)).loads(token) == claims().to_dict()
    assert token.count(".") == 2


def test_the_sdk_signs_the_same_bytes_as_itsdangerous_in_the_same_second() -> None:
    for _ in range(3):  # the timestamp is in seconds: retry if a second boundary fell between
        ours = sign_task_token(claims(), [OLD])
        reference = _serializer((OLD,)).dumps(claims().to_dict())
        if ours == reference:
            return
    raise AssertionError(f"{ours} != {reference}")


def test_rotation_matches_itsdangerous_newest_signs_every_current_secret_verifies() -> None:
    by_itsdangerous = _serializer((OLD, NEW)).dumps(claims(kid="k2").to_dict())
    by_sdk = sign_task_token(claims(kid="k2"), [OLD, NEW])

    for token in (by_itsdangerous, by_sdk):
        assert verify_task_token(token, [OLD, NEW], audience=AUDIENCE).kid == "k2"
        assert verify_task_token(token, [NEW], audience=AUDIENCE).kid == "k2"
        with pytest.raises(TokenSignatureError):
            verify_task_token(token, [OLD], audience=AUDIENCE)
        _serializer((NEW,)).loads(token)
        with pytest.raises(BadSignature):
            _serializer((OLD,)).loads(token)


def test_a_compressed_payload_from_plain_itsdangerous_verifies() -> None:
    # itsdangerous zlib-compresses a payload when that is shorter (a leading "."); the gateway
    # never does, but a token in that form is still the same format.
    long_claims = claims(jti="j" * 400)
    plain = URLSafeTimedSerializer(
        [OLD], salt="crowdframe.task-token.v1", signer_kwargs={"digest_method": hashlib.sha256}
    )
    token = plain.dumps(long_claims.to_dict())
    assert token.startswith(".")

    assert verify_task_token(token, OLD, audience=AUDIENCE) == long_claims


def test_a_signature_with_stray_characters_is_refused_though_itsdangerous_skips_them() -> None:
    token = sign_task_token(claims(), [OLD])
    head, signature = token.rsplit(".", 1)
    padded = f"{head}.{signature[:10]}!!!!{signature[10:]}"
    _serializer((OLD,)).loads(padded)  # itsdangerous's base64 drops the "!"s

    with pytest.raises(TokenSignatureError):
        verify_task_token(padded, OLD, audience=AUDIENCE)
