"""The keyring's rules, case by case, without a store: a client never locks itself out."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crowdframe_gateway.core.errors import Conflict, NotFound
from crowdframe_gateway.core.records import ApiKey
from crowdframe_gateway.identity import rules

LIVE = ApiKey("key_a", "cli_a", "ci", "cfk_abcd", 1.0)
REVOKED = ApiKey("key_a", "cli_a", "ci", "cfk_abcd", 1.0, revoked_at=2.0)


@pytest.mark.parametrize(
    ("key", "live_keys", "expected"),
    [
        (LIVE, 2, True),
        (LIVE, 20, True),
        (LIVE, 1, "last_api_key"),
        (REVOKED, 1, False),  # revoking twice is harmless, even when one key is left
        (REVOKED, 0, False),
    ],
)
def test_an_api_key_is_revoked_unless_it_is_the_last_live_one(
    key: ApiKey, live_keys: int, expected: bool | str
) -> None:
    if isinstance(expected, str):
        with pytest.raises(Conflict) as refused:
            rules.revokes_now(key, live_keys)
        assert refused.value.code == expected
    else:
        assert rules.revokes_now(key, live_keys) is expected


@pytest.mark.parametrize(
    ("secrets", "kid", "expected"),
    [
        (("cfts_k1_x", "cfts_k2_y"), "k1", ("cfts_k2_y",)),
        (("cfts_k1_x", "cfts_k2_y"), "k2", ("cfts_k1_x",)),
        (("cfts_k1_x", "cfts_k2_y", "cfts_k3_z"), "k2", ("cfts_k1_x", "cfts_k3_z")),
        (("cfts_k1_x",), "k1", "last_signing_secret"),
        (("cfts_k1_x", "cfts_k2_y"), "k9", "not_found"),
        ((), "k1", "not_found"),
    ],
)
def test_a_signing_secret_is_removed_unless_it_is_the_only_one(
    secrets: tuple[str, ...], kid: str, expected: tuple[str, ...] | str
) -> None:
    if expected == "not_found":
        with pytest.raises(NotFound):
            rules.kept_signing_secrets(secrets, kid)
    elif isinstance(expected, str):
        with pytest.raises(Conflict) as refused:
            rules.kept_signing_secrets(secrets, kid)
        assert refused.value.code == expected
    else:
        assert rules.kept_signing_secrets(secrets, kid) == expected


@pytest.mark.parametrize(
    ("check", "held", "refusal"),
    [
        (rules.check_room_for_api_key, 0, None),
        (rules.check_room_for_api_key, rules.MAX_LIVE_API_KEYS - 1, None),
        (rules.check_room_for_api_key, rules.MAX_LIVE_API_KEYS, "too_many_api_keys"),
        (rules.check_room_for_signing_secret, 1, None),
        (rules.check_room_for_signing_secret, rules.MAX_SIGNING_SECRETS - 1, None),
        (
            rules.check_room_for_signing_secret,
            rules.MAX_SIGNING_SECRETS,
            "too_many_signing_secrets",
        ),
    ],
)
def test_a_keyring_holds_a_bounded_number_of_keys_and_secrets(
    check: Callable[[int], None], held: int, refusal: str | None
) -> None:
    if refusal is None:
        check(held)
        return
    with pytest.raises(Conflict) as refused:
        check(held)
    assert refused.value.code == refusal
