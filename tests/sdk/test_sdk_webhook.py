"""Standard Webhooks: interoperable with the reference library, strict about everything else."""

from __future__ import annotations

import base64
import json
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook as Ref

from crowdframe import Webhook, WebhookVerificationError
from crowdframe._webhook import new_webhook_secret

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OLD_SECRET = SECRET
NEW_SECRET = "whsec_" + base64.b64encode(b"a brand new secret, 32 bytes!!!").decode()
NOW = 1_790_000_000
BODY = json.dumps(
    {
        "type": "assignment.submitted",
        "timestamp": "2026-11-23T18:02:00Z",
        "data": {"assignment_id": "asg_1", "result": {"label": "cat"}},
    }
)


def signed(
    secret: str | list[str] = SECRET, *, timestamp: int = NOW, body: str = BODY
) -> dict[str, str]:
    return Webhook(secret).headers("msg_1", timestamp, body)


def test_the_reference_library_accepts_our_signature() -> None:
    now = int(time.time())
    headers = Webhook(SECRET).headers("msg_1", now, BODY)

    assert Ref(SECRET).verify(BODY, headers) == json.loads(BODY)


def test_we_accept_the_reference_librarys_signature() -> None:
    now = int(time.time())
    signature = Ref(SECRET).sign("msg_1", datetime.fromtimestamp(now, tz=UTC), BODY)
    headers = {"webhook-id": "msg_1", "webhook-timestamp": str(now), "webhook-signature": signature}

    event = Webhook(SECRET).verify(headers, BODY.encode())

    assert (event.id, event.type, event.assignment_id) == ("msg_1", "assignment.submitted", "asg_1")
    assert event.result == {"label": "cat"}


def test_the_reference_library_accepts_our_rotation_header() -> None:
    now = int(time.time())
    headers = Webhook([OLD_SECRET, NEW_SECRET]).headers("msg_1", now, BODY)

    assert len(headers["webhook-signature"].split(" ")) == 2
    assert Ref(OLD_SECRET).verify(BODY, headers) == json.loads(BODY)
    assert Ref(NEW_SECRET).verify(BODY, headers) == json.loads(BODY)


def test_a_fresh_secret_works_with_the_reference_library() -> None:
    secret = new_webhook_secret()
    now = int(time.time())

    assert Ref(secret).verify(BODY, Webhook(secret).headers("msg_1", now, BODY))


@pytest.mark.parametrize("offset", [-300, -1, 0, 1, 300])
def test_timestamps_within_five_minutes_are_accepted(offset: int) -> None:
    event = Webhook(SECRET).verify(signed(timestamp=NOW + offset), BODY, now=NOW)

    assert event.id == "msg_1"


@pytest.mark.parametrize("offset", [-301, 301, -86_400])
def test_timestamps_beyond_five_minutes_are_refused(offset: int) -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(signed(timestamp=NOW + offset), BODY, now=NOW)


def test_one_matching_signature_among_several_is_enough() -> None:
    good = signed()["webhook-signature"]
    stale = "v1," + base64.b64encode(b"\x00" * 32).decode()
    headers = {**signed(), "webhook-signature": f"{stale} v2,whatever {good}"}

    assert Webhook(SECRET).verify(headers, BODY, now=NOW).id == "msg_1"


def test_a_receiver_rotating_its_secret_accepts_old_and_new_senders() -> None:
    receiver = Webhook([OLD_SECRET, NEW_SECRET])

    assert receiver.verify(signed(OLD_SECRET), BODY, now=NOW).id == "msg_1"
    assert receiver.verify(signed(NEW_SECRET), BODY, now=NOW).id == "msg_1"


def test_header_names_are_case_insensitive() -> None:
    headers = {name.title(): value for name, value in signed().items()}

    assert Webhook(SECRET).verify(headers, BODY, now=NOW).type == "assignment.submitted"


def test_a_tampered_body_is_refused() -> None:
    tampered = BODY.replace('"cat"', '"dog"')

    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(signed(), tampered, now=NOW)


def test_a_signature_made_with_another_secret_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(signed(NEW_SECRET), BODY, now=NOW)


def test_a_different_message_id_is_refused() -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify({**signed(), "webhook-id": "msg_2"}, BODY, now=NOW)


@pytest.mark.parametrize(
    "changes",
    [
        {"webhook-timestamp": "not-a-number"},
        {"webhook-timestamp": "1790000000.5"},
        {"webhook-timestamp": ""},
        {"webhook-signature": "v1,!!!not base64!!!"},
        {"webhook-signature": "v1,c2hvcnQ="},
        {"webhook-signature": "no-comma-at-all"},
        {"webhook-signature": "v1,"},
        {"webhook-signature": ","},
        {"webhook-signature": "   "},
        {"webhook-signature": ""},
        {"webhook-id": ""},
    ],
)
def test_malformed_headers_raise_only_a_verification_error(changes: dict[str, str]) -> None:
    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify({**signed(), **changes}, BODY, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_raises_a_verification_error(missing: str) -> None:
    headers = {name: value for name, value in signed().items() if name != missing}

    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(headers, BODY, now=NOW)


@pytest.mark.parametrize("body", ["not json", "[1, 2]", '{"type": "x"}', b"\xff\xfe"])
def test_a_validly_signed_body_that_is_not_an_event_raises_a_verification_error(
    body: str | bytes,
) -> None:
    raw = body.encode() if isinstance(body, str) else body
    headers = Webhook(SECRET).headers("msg_1", NOW, raw)

    with pytest.raises(WebhookVerificationError):
        Webhook(SECRET).verify(headers, raw, now=NOW)


@pytest.mark.parametrize("secret", ["whsec_!!!garbage!!!", "whsec_abc", "whsec_", ""])
def test_a_bad_secret_is_refused_when_the_webhook_is_made(secret: str) -> None:
    with pytest.raises(ValueError):
        Webhook(secret)


def test_no_secret_at_all_is_refused() -> None:
    with pytest.raises(ValueError):
        Webhook([])
