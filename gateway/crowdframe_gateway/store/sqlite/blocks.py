"""Blocks: a client refuses a worker, known to it by pseudonym, any of its work."""

from __future__ import annotations

from ...records import Block
from ..base import Page
from .base import SqliteBase, _seq

__all__ = ["BlocksPart"]


class BlocksPart(SqliteBase):
    SCHEMA = """
CREATE TABLE IF NOT EXISTS blocks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, client_id TEXT NOT NULL,
    worker_pseudonym TEXT NOT NULL, reason TEXT NOT NULL, created_at REAL NOT NULL,
    UNIQUE (client_id, worker_pseudonym));
"""

    async def block_worker(self, block: Block) -> None:
        with self._tx() as db:
            db.execute(
                "INSERT INTO blocks (client_id, worker_pseudonym, reason, created_at)"
                " VALUES (?,?,?,?) ON CONFLICT (client_id, worker_pseudonym)"
                " DO UPDATE SET reason = excluded.reason",
                (block.client_id, block.worker_pseudonym, block.reason, block.created_at),
            )

    async def unblock_worker(self, client_id: str, worker_pseudonym: str) -> bool:
        with self._tx() as db:
            gone = db.execute(
                "DELETE FROM blocks WHERE client_id = ? AND worker_pseudonym = ?",
                (client_id, worker_pseudonym),
            )
            return gone.rowcount > 0

    async def is_blocked(self, client_id: str, worker_pseudonym: str) -> bool:
        rows = self._read(
            "SELECT 1 FROM blocks WHERE client_id = ? AND worker_pseudonym = ?",
            (client_id, worker_pseudonym),
        )
        return bool(rows)

    async def list_blocks(self, client_id: str, *, cursor: str | None, limit: int) -> Page[Block]:
        rows = self._read(
            "SELECT * FROM blocks WHERE client_id = ? AND seq > ? ORDER BY seq LIMIT ?",
            (client_id, _seq(cursor), limit + 1),
        )
        items = [
            Block(r["client_id"], r["worker_pseudonym"], r["reason"], r["created_at"])
            for r in rows[:limit]
        ]
        return Page(items, str(rows[limit - 1]["seq"]) if len(rows) > limit else None)
