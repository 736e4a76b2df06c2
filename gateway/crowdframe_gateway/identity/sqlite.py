"""Clients and worker accounts.

A client's keyring (API keys, token signing secrets) and the shared rate-limit counters.
Client users (the console's people) and their invitations.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from typing import ClassVar

from ..core.errors import Conflict, NotFound
from ..core.records import ApiKey, Client, ClientUser, Invitation, Worker
from ..core.stored import API_KEY, CLIENT_USER, INVITATION
from ..store.sqlite.base import SqliteBase, _client, _worker
from .records import AccountLink, LinkPurpose
from .rules import LINK_KEPT_SECONDS, check_link_open, kept_signing_secrets, revokes_now

__all__ = ["AccountLinksPart", "AccountsPart", "ClientUsersPart", "CredentialsPart"]


class AccountsPart(SqliteBase):
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("workers", "skills", "TEXT NOT NULL DEFAULT '[]'"),
        ("workers", "locale", "TEXT"),
        ("workers", "email_verified_at", "REAL"),
        ("clients", "platform", "INTEGER NOT NULL DEFAULT 0"),
    )
    SCHEMA = """
CREATE TABLE IF NOT EXISTS clients (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, api_key_hash TEXT NOT NULL UNIQUE,
    signing_secrets TEXT NOT NULL, pseudonym_key TEXT NOT NULL, created_at REAL NOT NULL);
CREATE TABLE IF NOT EXISTS workers (
    id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL,
    country TEXT NOT NULL, languages TEXT NOT NULL, created_at REAL NOT NULL);
"""

    # -- clients and workers ----------------------------------------------------------------

    async def create_client(self, client: Client, api_key_hash: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO clients (id, name, api_key_hash, signing_secrets, pseudonym_key,"
                " created_at, platform) VALUES (?,?,?,?,?,?,?)",
                (
                    client.id,
                    client.name,
                    api_key_hash,
                    json.dumps(list(client.signing_secrets)),
                    client.pseudonym_key,
                    client.created_at,
                    int(client.platform),
                ),
            )

    async def client_by_key_hash(self, key_hash: str) -> Client | None:
        rows = self._read(
            "SELECT clients.* FROM api_keys JOIN clients ON clients.id = api_keys.client_id"
            " WHERE api_keys.key_hash = ? AND api_keys.revoked_at IS NULL",
            (key_hash,),
        )
        return _client(rows[0]) if rows else None

    async def get_client(self, client_id: str) -> Client | None:
        rows = self._read("SELECT * FROM clients WHERE id = ?", (client_id,))
        return _client(rows[0]) if rows else None

    async def create_worker(self, worker: Worker) -> None:
        try:
            with self._tx() as db:
                db.execute(
                    "INSERT INTO workers (id, email, password_hash, country, languages,"
                    " created_at, skills) VALUES (?,?,?,?,?,?,?)",
                    (
                        worker.id,
                        worker.email,
                        worker.password_hash,
                        worker.country,
                        json.dumps(list(worker.languages)),
                        worker.created_at,
                        json.dumps(list(worker.skills)),
                    ),
                )
        except sqlite3.IntegrityError:
            raise Conflict("an account with this email exists", field="email") from None

    async def worker_by_email(self, email: str) -> Worker | None:
        rows = self._read("SELECT * FROM workers WHERE email = ?", (email,))
        return _worker(rows[0]) if rows else None

    async def get_worker(self, worker_id: str) -> Worker | None:
        rows = self._read("SELECT * FROM workers WHERE id = ?", (worker_id,))
        return _worker(rows[0]) if rows else None

    async def update_worker_profile(
        self, worker_id: str, *, languages: tuple[str, ...], skills: tuple[str, ...]
    ) -> Worker:
        return self._change_worker(
            worker_id,
            "languages = ?, skills = ?",
            (json.dumps(list(languages)), json.dumps(list(skills))),
        )

    async def set_worker_locale(self, worker_id: str, locale: str) -> Worker:
        return self._change_worker(worker_id, "locale = ?", (locale,))

    async def set_worker_password(self, worker_id: str, password_hash: str) -> Worker:
        return self._change_worker(worker_id, "password_hash = ?", (password_hash,))

    async def set_worker_email_verified(self, worker_id: str, *, at: float) -> Worker:
        return self._change_worker(
            worker_id, "email_verified_at = COALESCE(email_verified_at, ?)", (at,)
        )

    def _change_worker(
        self, worker_id: str, columns: str, values: tuple[str | float, ...]
    ) -> Worker:
        with self._tx() as db:
            db.execute(f"UPDATE workers SET {columns} WHERE id = ?", (*values, worker_id))
            row = db.execute("SELECT * FROM workers WHERE id = ?", (worker_id,)).fetchone()
        if row is None:
            raise NotFound("no such worker", field="worker_id")
        return _worker(row)


_api_key = API_KEY.from_row


class CredentialsPart(SqliteBase):
    # The INSERT gives clients created before API keys had a table of their own their first key
    # (it runs at every open and changes nothing the second time: key_hash is unique).
    SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, name TEXT NOT NULL, prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE, created_at REAL NOT NULL, revoked_at REAL);
CREATE INDEX IF NOT EXISTS api_keys_by_client ON api_keys (client_id, created_at);
INSERT OR IGNORE INTO api_keys (id, client_id, name, prefix, key_hash, created_at)
    SELECT 'key_' || id, id, 'default', 'cfk_', api_key_hash, created_at FROM clients;
CREATE TABLE IF NOT EXISTS rate_counts (
    key TEXT PRIMARY KEY, window_end REAL NOT NULL, count INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS rate_counts_by_end ON rate_counts (window_end);
"""

    # -- API keys ---------------------------------------------------------------------------

    async def create_api_key(self, key: ApiKey, key_hash: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO api_keys (id, client_id, name, prefix, key_hash, created_at,"
                " revoked_at) VALUES (?,?,?,?,?,?,?)",
                (
                    key.id,
                    key.client_id,
                    key.name,
                    key.prefix,
                    key_hash,
                    key.created_at,
                    key.revoked_at,
                ),
            )

    async def list_api_keys(self, client_id: str) -> list[ApiKey]:
        rows = self._read(
            "SELECT * FROM api_keys WHERE client_id = ? ORDER BY created_at DESC, id",
            (client_id,),
        )
        return [_api_key(row) for row in rows]

    async def revoke_api_key(self, client_id: str, key_id: str, *, now: float) -> ApiKey:
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM api_keys WHERE id = ? AND client_id = ?", (key_id, client_id)
            ).fetchone()
            if row is None:
                raise NotFound("no such API key", field="key_id")
            (live,) = db.execute(
                "SELECT COUNT(*) FROM api_keys WHERE client_id = ? AND revoked_at IS NULL",
                (client_id,),
            ).fetchone()
            if not revokes_now(_api_key(row), live):
                return _api_key(row)
            db.execute("UPDATE api_keys SET revoked_at = ? WHERE id = ?", (now, key_id))
            row = db.execute("SELECT * FROM api_keys WHERE id = ?", (key_id,)).fetchone()
        return _api_key(row)

    # -- token signing secrets --------------------------------------------------------------

    def _secrets_of(self, db: sqlite3.Connection, client_id: str) -> list[str]:
        row = db.execute(
            "SELECT signing_secrets FROM clients WHERE id = ?", (client_id,)
        ).fetchone()
        if row is None:
            raise NotFound("no such client", field="client_id")
        return list(json.loads(row["signing_secrets"]))

    def _set_secrets(self, db: sqlite3.Connection, client_id: str, secrets: list[str]) -> Client:
        db.execute(
            "UPDATE clients SET signing_secrets = ? WHERE id = ?", (json.dumps(secrets), client_id)
        )
        return _client(db.execute("SELECT * FROM clients WHERE id = ?", (client_id,)).fetchone())

    async def add_signing_secret(self, client_id: str, secret: str) -> Client:
        with self._tx() as db:
            return self._set_secrets(db, client_id, [*self._secrets_of(db, client_id), secret])

    async def remove_signing_secret(self, client_id: str, kid: str) -> Client:
        with self._tx() as db:
            kept = kept_signing_secrets(self._secrets_of(db, client_id), kid)
            return self._set_secrets(db, client_id, list(kept))

    # -- rate limits ------------------------------------------------------------------------

    async def count_attempt(self, key: str, *, window: float, now: float) -> tuple[int, float]:
        with self._tx() as db:
            row = db.execute(
                "SELECT window_end, count FROM rate_counts WHERE key = ?", (key,)
            ).fetchone()
            if row is None or row["window_end"] <= now:
                db.execute("DELETE FROM rate_counts WHERE window_end <= ?", (now,))
                db.execute(
                    "INSERT INTO rate_counts (key, window_end, count) VALUES (?,?,1)",
                    (key, now + window),
                )
                return 1, now + window
            db.execute("UPDATE rate_counts SET count = count + 1 WHERE key = ?", (key,))
            return int(row["count"]) + 1, float(row["window_end"])


_client_user = CLIENT_USER.from_row
_invitation = INVITATION.from_row


class ClientUsersPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS client_users (
    id TEXT PRIMARY KEY, client_id TEXT NOT NULL, email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS client_users_by_client ON client_users (client_id, created_at);
CREATE TABLE IF NOT EXISTS invitations (
    token_hash TEXT PRIMARY KEY, id TEXT NOT NULL, client_id TEXT NOT NULL, email TEXT NOT NULL,
    role TEXT NOT NULL, created_at REAL NOT NULL, expires_at REAL NOT NULL, invited_by TEXT,
    accepted_at REAL);
"""

    async def create_invitation(self, invitation: Invitation, token_hash: str) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO invitations (token_hash, id, client_id, email, role, created_at,"
                " expires_at, invited_by, accepted_at) VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    token_hash,
                    invitation.id,
                    invitation.client_id,
                    invitation.email,
                    invitation.role,
                    invitation.created_at,
                    invitation.expires_at,
                    invitation.invited_by,
                    invitation.accepted_at,
                ),
            )

    async def invitation_by_token_hash(self, token_hash: str) -> Invitation | None:
        rows = self._read("SELECT * FROM invitations WHERE token_hash = ?", (token_hash,))
        return _invitation(rows[0]) if rows else None

    async def accept_invitation(self, token_hash: str, user: ClientUser, *, now: float) -> None:
        with self._tx() as db:
            row = db.execute(
                "SELECT accepted_at FROM invitations WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            if row is None:
                raise NotFound("no such invitation", field="token")
            if row["accepted_at"] is not None:
                raise Conflict("this invitation has been used", code="invitation_used")
            try:
                db.execute(
                    "INSERT INTO client_users (id, client_id, email, password_hash, role,"
                    " created_at) VALUES (?,?,?,?,?,?)",
                    (
                        user.id,
                        user.client_id,
                        user.email,
                        user.password_hash,
                        user.role,
                        user.created_at,
                    ),
                )
            except sqlite3.IntegrityError:
                raise Conflict("an account with this email exists", field="email") from None
            db.execute(
                "UPDATE invitations SET accepted_at = ? WHERE token_hash = ?", (now, token_hash)
            )

    async def get_client_user(self, user_id: str) -> ClientUser | None:
        rows = self._read("SELECT * FROM client_users WHERE id = ?", (user_id,))
        return _client_user(rows[0]) if rows else None

    async def client_user_by_email(self, email: str) -> ClientUser | None:
        rows = self._read("SELECT * FROM client_users WHERE email = ?", (email,))
        return _client_user(rows[0]) if rows else None

    async def list_client_users(self, client_id: str) -> list[ClientUser]:
        rows = self._read(
            "SELECT * FROM client_users WHERE client_id = ? ORDER BY created_at, id",
            (client_id,),
        )
        return [_client_user(row) for row in rows]

    async def remove_client_user(self, client_id: str, user_id: str) -> None:
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM client_users WHERE id = ? AND client_id = ?", (user_id, client_id)
            ).rowcount
        if not gone:
            raise NotFound("no such user", field="user_id")


_LINK_COLUMNS = "id, worker_id, purpose, email, created_at, expires_at, used_at"


def _link(row: sqlite3.Row) -> AccountLink:
    return AccountLink(*(row[name] for name in _LINK_COLUMNS.split(", ")))


class AccountLinksPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS account_links (
    token_hash TEXT PRIMARY KEY, id TEXT NOT NULL, worker_id TEXT NOT NULL,
    purpose TEXT NOT NULL, email TEXT NOT NULL, created_at REAL NOT NULL,
    expires_at REAL NOT NULL, used_at REAL);
CREATE INDEX IF NOT EXISTS account_links_by_end ON account_links (expires_at);
CREATE INDEX IF NOT EXISTS account_links_by_worker ON account_links (worker_id, purpose)
    WHERE used_at IS NULL;
"""

    async def create_account_link(self, link: AccountLink, token_hash: str) -> None:
        with self._tx() as db:
            # links a week past their end are of no use to anyone: they go as new ones come
            db.execute(
                "DELETE FROM account_links WHERE expires_at < ?",
                (link.created_at - LINK_KEPT_SECONDS,),
            )
            db.execute(
                f"INSERT INTO account_links (token_hash, {_LINK_COLUMNS}) VALUES (?,?,?,?,?,?,?,?)",
                (
                    token_hash,
                    link.id,
                    link.worker_id,
                    link.purpose,
                    link.email,
                    link.created_at,
                    link.expires_at,
                    link.used_at,
                ),
            )

    async def account_link_by_token_hash(self, token_hash: str) -> AccountLink | None:
        rows = self._read(
            f"SELECT {_LINK_COLUMNS} FROM account_links WHERE token_hash = ?", (token_hash,)
        )
        return _link(rows[0]) if rows else None

    async def use_account_link(
        self, token_hash: str, *, purpose: LinkPurpose, now: float
    ) -> AccountLink:
        with self._tx() as db:
            row = db.execute(
                f"SELECT {_LINK_COLUMNS} FROM account_links WHERE token_hash = ?", (token_hash,)
            ).fetchone()
            check_link_open(None if row is None else _link(row), purpose=purpose, now=now)
            db.execute(
                "UPDATE account_links SET used_at = ? WHERE token_hash = ?", (now, token_hash)
            )
            return replace(_link(row), used_at=now)

    async def close_account_links(self, worker_id: str, *, purpose: LinkPurpose, now: float) -> int:
        with self._tx() as db:
            return db.execute(
                "UPDATE account_links SET used_at = ?"
                " WHERE worker_id = ? AND purpose = ? AND used_at IS NULL",
                (now, worker_id, purpose),
            ).rowcount
