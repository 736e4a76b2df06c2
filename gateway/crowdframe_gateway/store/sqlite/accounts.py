"""Clients and worker accounts."""

from __future__ import annotations

import json
import sqlite3
from typing import ClassVar

from ...errors import Conflict, NotFound
from ...records import (
    Client,
    Worker,
)
from .base import (
    SqliteBase,
    _client,
    _worker,
)

__all__ = ["AccountsPart"]


class AccountsPart(SqliteBase):
    ADDED_COLUMNS: ClassVar[tuple[tuple[str, str, str], ...]] = (
        ("workers", "skills", "TEXT NOT NULL DEFAULT '[]'"),
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
        with self._tx() as db:
            db.execute(
                "UPDATE workers SET languages = ?, skills = ? WHERE id = ?",
                (json.dumps(list(languages)), json.dumps(list(skills)), worker_id),
            )
            row = db.execute("SELECT * FROM workers WHERE id = ?", (worker_id,)).fetchone()
        if row is None:
            raise NotFound("no such worker", field="worker_id")
        return _worker(row)
