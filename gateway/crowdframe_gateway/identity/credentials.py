"""Secrets the gateway mints and checks: API keys, passwords, signing secrets, pseudonyms."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = [
    "hash_api_key",
    "hash_link_token",
    "hash_password",
    "new_api_key",
    "new_link_token",
    "new_pseudonym_key",
    "new_signing_secret",
    "verify_password",
    "worker_pseudonym",
]

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def new_api_key() -> str:
    """A random client API key; shown once, stored only as its hash."""
    return "cfk_" + secrets.token_urlsafe(32)


def hash_api_key(api_key: str) -> str:
    # API keys carry 256 random bits, so a fast hash is enough (no dictionary to attack) and
    # lets the gateway look a key up by its hash.
    return hashlib.sha256(api_key.encode()).hexdigest()


def new_link_token() -> str:
    """The token of a link emailed to a worker (verification, password reset): in the email
    only, stored as its hash; ``cfl_`` so that logs.py redacts it from a logged path."""
    return "cfl_" + secrets.token_urlsafe(32)


# 256 random bits as well: looked up by its hash, as an API key is
hash_link_token = hash_api_key


def new_signing_secret() -> str:
    """A task-token signing secret ``cfts_<kid>_<random>``."""
    return f"cfts_{secrets.token_hex(4)}_{secrets.token_urlsafe(32)}"


def new_pseudonym_key() -> str:
    return secrets.token_hex(32)


def worker_pseudonym(pseudonym_key: str, worker_id: str) -> str:
    """The worker's id as one client sees it: stable for that client, unlinkable across clients."""
    digest = hmac.digest(pseudonym_key.encode(), worker_id.encode(), "sha256")
    return "wkr_" + base64.b32encode(digest[:15]).decode().lower()


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt${n}${r}${p}${salt}${digest}".format(
        **_SCRYPT,
        salt=base64.b64encode(salt).decode(),
        digest=base64.b64encode(digest).decode(),
    )


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            dklen=len(expected),
            n=int(n),
            r=int(r),
            p=int(p),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)
