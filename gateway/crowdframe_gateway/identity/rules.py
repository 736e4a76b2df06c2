"""Identity's rules: the keyring's, who of a client's people may do what in the console, the
links emailed to workers (verification, password reset), and where a sign-in lands.

The keyring's rules are decided here once; each store reads the keyring, asks, and writes.

A client never locks itself out: its last live API key cannot be revoked and its only signing
secret cannot be removed. It holds at most ``MAX_LIVE_API_KEYS`` live keys and
``MAX_SIGNING_SECRETS`` secrets. Each store applies a removal in one transaction (SQLite) or
one watched transaction (Redis) around the rule, so two removals at once leave one behind.
"""

from __future__ import annotations

from collections.abc import Sequence

from crowdframe.signing import secret_kid

from ..core.errors import Conflict, Forbidden, NotFound
from ..core.records import ApiKey, ClientUser, Invitation, iso
from ..core.text import N_
from .records import AccountLink, LinkPurpose

__all__ = [
    "INVITATION_SECONDS",
    "LINK_KEPT_SECONDS",
    "LINK_SECONDS",
    "MAX_LIVE_API_KEYS",
    "MAX_SIGNING_SECRETS",
    "check_invitation_open",
    "check_link_open",
    "check_may_invite",
    "check_may_manage_credentials",
    "check_removal",
    "check_room_for_api_key",
    "check_room_for_signing_secret",
    "kept_signing_secrets",
    "landing_path",
    "may_manage_credentials",
    "revokes_now",
    "same_site_path",
]

MAX_LIVE_API_KEYS = 20
MAX_SIGNING_SECRETS = 5


def revokes_now(key: ApiKey, live_keys: int) -> bool:
    """Whether revoking ``key`` changes it: False for a key revoked already (revoking twice is
    harmless); ``Conflict`` (``last_api_key``) when ``live_keys``, the client's live keys,
    leave none beside it."""
    if key.revoked_at is not None:
        return False
    if live_keys <= 1:
        raise Conflict(
            "this is the client's last API key: create another one first",
            code="last_api_key",
            field="key_id",
        )
    return True


def kept_signing_secrets(secrets: Sequence[str], kid: str) -> tuple[str, ...]:
    """The secrets left once the one with key id ``kid`` is removed; ``NotFound`` when there
    is none with that id, ``Conflict`` (``last_signing_secret``) when it is the only one."""
    kept = tuple(secret for secret in secrets if secret_kid(secret) != kid)
    if len(kept) == len(secrets):
        raise NotFound("no signing secret with this key id", field="kid")
    if not kept:
        raise Conflict(
            "this is the client's only signing secret: create another one first",
            code="last_signing_secret",
            field="kid",
        )
    return kept


def check_room_for_api_key(live_keys: int) -> None:
    """``Conflict`` (``too_many_api_keys``) when the client holds the most live keys already."""
    if live_keys >= MAX_LIVE_API_KEYS:
        raise Conflict(
            f"a client has at most {MAX_LIVE_API_KEYS} live API keys: revoke one first",
            code="too_many_api_keys",
        )


def check_room_for_signing_secret(secrets: int) -> None:
    """``Conflict`` (``too_many_signing_secrets``) when the client holds the most already."""
    if secrets >= MAX_SIGNING_SECRETS:
        raise Conflict(
            f"a client has at most {MAX_SIGNING_SECRETS} signing secrets: delete an old one first",
            code="too_many_signing_secrets",
        )


# -- the console's people ----------------------------------------------------------------------

INVITATION_SECONDS = 7 * 24 * 3600  # an invitation link works this long, and once


def check_invitation_open(invitation: Invitation, now: float) -> None:
    """``Conflict`` (``invitation_used`` or ``invitation_expired``) unless the invitation may
    still be accepted at ``now``."""
    if invitation.accepted_at is not None:
        raise Conflict(
            "This invitation link has been used already. Sign in with the password chosen"
            " then, or ask the owner of your team for a new link.",
            code="invitation_used",
        )
    if now >= invitation.expires_at:
        expired = (iso(invitation.expires_at) or "")[:10]
        raise Conflict(
            f"This invitation link expired on {expired}. Ask the owner of your team for a new"
            " link.",
            code="invitation_expired",
        )


def check_may_invite(by: ClientUser) -> None:
    """Only an owner invites people."""
    if by.role != "owner":
        raise Forbidden("only an owner of the team may invite people", code="owner_only")


def may_manage_credentials(by: ClientUser) -> bool:
    """Only an owner creates, revokes, rotates or deletes the client's API keys, signing
    secrets and webhook endpoints, and enables or disables an endpoint: each of these hands out
    or takes away the client's access. A member sees them (never a secret) and the delivery
    log, and may replay a message: a replay sends an event again to an endpoint the owners
    chose, and changes no access."""
    return by.role == "owner"


def check_may_manage_credentials(by: ClientUser) -> None:
    """``Forbidden`` (``owner_only``) unless ``may_manage_credentials``."""
    if not may_manage_credentials(by):
        raise Forbidden(
            "only an owner of the team may change API keys, signing secrets and webhook endpoints",
            code="owner_only",
        )


def check_removal(by: ClientUser, target: ClientUser) -> None:
    """An owner removes members; nobody removes an owner (a team always keeps its owners)."""
    if by.role != "owner":
        raise Forbidden("only an owner of the team may remove people", code="owner_only")
    if target.role == "owner":
        raise Conflict("an owner cannot be removed", code="owner_kept", field="user_id")


# -- workers' account links and sign-in --------------------------------------------------------

# how long an emailed link works, and it works once: a reset link is short-lived (it is a
# password), a verification link lasts as long as an email may wait unread
LINK_SECONDS: dict[LinkPurpose, float] = {"verify": 7 * 24 * 3600, "reset": 3600}
LINK_KEPT_SECONDS = 7 * 24 * 3600  # how long a link's record outlives its end (both stores)


def check_link_open(link: AccountLink | None, *, purpose: LinkPurpose, now: float) -> None:
    """``NotFound`` (``link_unknown``) for no link or a link made for another purpose,
    ``Conflict`` (``link_used``) once used, ``Conflict`` (``link_expired``) from its
    ``expires_at``; nothing while it may still be used at ``now``."""
    if link is None or link.purpose != purpose:
        raise NotFound(
            N_("This link is not valid. Check that it was copied whole, or ask for a new one."),
            code="link_unknown",
        )
    if link.used_at is not None:
        raise Conflict(
            N_("This link has been used already: each link works once. Ask for a new one if"
               " you need it."),
            code="link_used",
        )  # fmt: skip
    if now >= link.expires_at:
        raise Conflict(N_("This link has expired. Ask for a new one."), code="link_expired")


_ACCOUNT_PAGES = frozenset({"/signin", "/signup", "/signout"})
MAX_PATH = 2000


def same_site_path(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None. Refused: anything not starting with
    one ``/`` (``//evil.example`` and ``/\\evil.example`` are other sites to a browser, as are
    ``http:`` and ``javascript:`` links), a backslash, whitespace or a control character
    anywhere (browsers drop a tab or a newline inside a URL, which would turn ``/``, a tab,
    ``/evil.example`` into ``//evil.example``), and an absurd length."""
    if not target or len(target) > MAX_PATH or not target.startswith("/"):
        return None
    if target.startswith("//") or "\\" in target:
        return None
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in target):
        return None
    return target


def landing_path(target: str | None) -> str | None:
    """Where a sign-in sends the visitor (the ``next`` they came with): a ``same_site_path``
    that is not an account page itself (sign-in, sign-up, sign-out, a password or verification
    link); None: the caller's default."""
    path = same_site_path(target)
    if path is None:
        return None
    bare = path.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if bare in _ACCOUNT_PAGES or bare.startswith(("/password/", "/verify/")):
        return None
    return path
