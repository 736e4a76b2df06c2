"""``crowdframe migrate`` moves what workers are waiting for: a link they have not opened yet
works on Redis after, and an email not sent yet is sent from there (sent ones, and used
links, are history and stay behind)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from crowdframe_gateway.core.records import now
from crowdframe_gateway.identity.records import AccountLink
from crowdframe_gateway.mail.records import Email
from crowdframe_gateway.mail.rules import EmailResult
from crowdframe_gateway.migration.copy import migrate_sqlite_to_redis
from crowdframe_gateway.redis_store import RedisStore
from crowdframe_gateway.runtime import SqliteStore
from store_world import make_worker


async def test_open_links_and_unsent_emails_move_to_redis(tmp_path: Path, redis_url: str) -> None:
    source = SqliteStore(tmp_path / "store.db")
    await source.open()
    worker = await make_worker(source, "ada@example.org")
    at = now()
    link = AccountLink("lnk_1", worker.id, "reset", worker.email, at, at + 3600)
    await source.create_account_link(link, "open")
    await source.create_account_link(replace(link, id="lnk_2"), "used")
    await source.use_account_link("used", purpose="reset", now=at)
    waiting = Email(
        "eml_1", worker.email, "Choose a new password", "the link", at, next_attempt_at=at
    )
    await source.queue_email(waiting)
    await source.queue_email(replace(waiting, id="eml_2"))
    await source.finish_email(EmailResult("eml_2", "sent", at))
    await source.close()

    lines: list[str] = []
    await migrate_sqlite_to_redis(f"sqlite:///{tmp_path / 'store.db'}", redis_url, lines.append)
    assert "account links: 1" in lines and "emails to send: 1" in lines

    target = RedisStore(redis_url)
    await target.open()
    try:
        assert await target.account_link_by_token_hash("open") == link
        assert await target.account_link_by_token_hash("used") is None
        assert await target.lease_emails(now=at, limit=5, lease_seconds=30) == [waiting]
    finally:
        await target.close()
