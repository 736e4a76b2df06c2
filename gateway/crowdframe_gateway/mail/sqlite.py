"""The outbox of emails on SQLite: one table; a lease (``leased_until``) keeps an email from
every other process's look until it runs out."""

from __future__ import annotations

from ..core.stored import Layout
from ..store.sqlite.base import SqliteBase
from .records import Email
from .rules import KEPT_SECONDS, EmailResult
from .waiting import MailWaiting

__all__ = ["SELECTED_EMAIL", "MailPart", "read_email"]

_COLUMNS = (
    "id, to_address, subject, body, created_at, status, attempts, next_attempt_at, sent_at,"
    " last_error"
)


# the columns as the record's fields (the address's column is not named ``to``, SQL's word)
SELECTED_EMAIL = _COLUMNS.replace("to_address", 'to_address AS "to"')
read_email = Layout(Email).from_row


class MailPart(MailWaiting, SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS emails (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, to_address TEXT NOT NULL,
    subject TEXT NOT NULL, body TEXT NOT NULL, created_at REAL NOT NULL, status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at REAL NOT NULL, sent_at REAL,
    last_error TEXT, leased_until REAL);
CREATE INDEX IF NOT EXISTS emails_due ON emails (next_attempt_at) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS emails_settled ON emails (created_at) WHERE status != 'pending';
"""

    async def queue_email(self, email: Email) -> None:
        with self._tx() as db:
            db.execute(
                "DELETE FROM emails WHERE status != 'pending' AND created_at < ?",
                (email.created_at - KEPT_SECONDS,),
            )
            db.execute(
                f"INSERT INTO emails ({_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
                (
                    email.id,
                    email.to,
                    email.subject,
                    email.body,
                    email.created_at,
                    email.status,
                    email.attempts,
                    email.next_attempt_at,
                    email.sent_at,
                    email.last_error,
                ),
            )
        self._signal(self._mail_event().set)

    async def lease_emails(self, *, now: float, limit: int, lease_seconds: float) -> list[Email]:
        self._mail_event().clear()  # this look sees every email queued so far
        due = (
            "SELECT seq FROM emails WHERE status = 'pending' AND next_attempt_at <= ?1"
            " AND (leased_until IS NULL OR leased_until <= ?1)"
        )
        if not self._read(due + " LIMIT 1", (now,)):
            return []  # the idle loop's look every second reads, never writes
        with self._tx(durable=False) as db:  # a lost lease only sends an email again
            rows = db.execute(
                f"SELECT {SELECTED_EMAIL} FROM emails WHERE seq IN ({due}"
                " ORDER BY next_attempt_at LIMIT ?2) ORDER BY next_attempt_at",
                (now, limit),
            ).fetchall()
            db.executemany(
                "UPDATE emails SET leased_until = ? WHERE id = ?",
                [(now + lease_seconds, row["id"]) for row in rows],
            )
        return [read_email(row) for row in rows]

    async def finish_email(self, result: EmailResult) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE emails SET status = ?, attempts = attempts + 1, last_error = ?,"
                " leased_until = NULL,"
                " next_attempt_at = COALESCE(?, next_attempt_at),"
                " sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END,"
                " body = CASE WHEN ? = 'sent' THEN '' ELSE body END WHERE id = ?",
                (
                    result.status,
                    result.error,
                    result.next_attempt_at,
                    result.status,
                    result.at,
                    result.status,
                    result.email_id,
                ),
            )

    async def get_email(self, email_id: str) -> Email | None:
        rows = self._read(f"SELECT {SELECTED_EMAIL} FROM emails WHERE id = ?", (email_id,))
        return read_email(rows[0]) if rows else None

    async def list_emails(self, *, limit: int) -> list[Email]:
        rows = self._read(
            f"SELECT {SELECTED_EMAIL} FROM emails ORDER BY seq DESC LIMIT ?", (limit,)
        )
        return [read_email(row) for row in rows]
