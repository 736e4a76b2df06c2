"""Identity's rules, case by case, without a store: a client never locks itself out, an
invitation works once for a week, owners manage members and stay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from crowdframe_gateway.core.errors import Conflict, Forbidden, NotFound
from crowdframe_gateway.core.records import ApiKey, ClientUser, Invitation
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


WEEK = 7 * 86_400
INVITED = Invitation("inv_1", "cli_a", "ann@example.org", "member", 1000.0, 1000.0 + WEEK)


@pytest.mark.parametrize(
    ("invitation", "at", "refusal"),
    [
        (INVITED, 1000.0, None),
        (INVITED, 1000.0 + WEEK - 1, None),
        (INVITED, 1000.0 + WEEK, "invitation_expired"),
        (replace(INVITED, accepted_at=1500.0), 1600.0, "invitation_used"),
        (replace(INVITED, accepted_at=1500.0), 1000.0 + WEEK, "invitation_used"),
    ],
)
def test_an_invitation_works_once_for_seven_days(
    invitation: Invitation, at: float, refusal: str | None
) -> None:
    assert rules.INVITATION_SECONDS == WEEK
    if refusal is None:
        rules.check_invitation_open(invitation, at)
        return
    with pytest.raises(Conflict) as refused:
        rules.check_invitation_open(invitation, at)
    assert refused.value.code == refusal


OWNER = ClientUser("cus_o", "cli_a", "o@example.org", "h", "owner", 1.0)
MEMBER = ClientUser("cus_m", "cli_a", "m@example.org", "h", "member", 1.0)


@pytest.mark.parametrize(
    ("by", "target", "refusal"),
    [
        (OWNER, MEMBER, None),
        (OWNER, replace(OWNER, id="cus_o2"), "owner_kept"),
        (OWNER, OWNER, "owner_kept"),
        (MEMBER, replace(MEMBER, id="cus_m2"), "owner_only"),
        (MEMBER, MEMBER, "owner_only"),
    ],
)
def test_owners_remove_members_and_owners_stay(
    by: ClientUser, target: ClientUser, refusal: str | None
) -> None:
    if refusal is None:
        rules.check_removal(by, target)
        return
    with pytest.raises((Conflict, Forbidden)) as refused:
        rules.check_removal(by, target)
    assert refused.value.code == refusal


def test_only_owners_invite() -> None:
    rules.check_may_invite(OWNER)
    with pytest.raises(Forbidden):
        rules.check_may_invite(MEMBER)


@pytest.mark.parametrize(("by", "may"), [(OWNER, True), (MEMBER, False)])
def test_only_owners_change_keys_secrets_and_endpoints(by: ClientUser, may: bool) -> None:
    assert rules.may_manage_credentials(by) is may
    if may:
        rules.check_may_manage_credentials(by)
        return
    with pytest.raises(Forbidden) as refused:
        rules.check_may_manage_credentials(by)
    assert refused.value.code == "owner_only" and refused.value.status == 403
