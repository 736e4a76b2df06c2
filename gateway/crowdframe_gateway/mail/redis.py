"""The outbox of emails on Redis: one partition of its own (``keys.MAIL_PARTITION``), so that
a lease (mail_lease.lua) and a finish (MULTI/EXEC) each change it at once, in one slot."""

from __future__ import annotations

import json
from dataclasses import asdict, replace

from redis.exceptions import WatchError

from ..store.redis import keys
from ..store.redis.base import RedisBase
from ..store.redis.codec import opt_text, text, texts
from .records import Email
from .rules import KEPT_SECONDS, EmailResult
from .waiting import MailWaiting

__all__ = ["MailPart"]

_P = keys.part(keys.MAIL_PARTITION)
_EMAILS, _DUE, _ORDER = _P + "emails", _P + "due", _P + "order"


def _email(raw: str) -> Email:
    return Email(**json.loads(raw))


class MailPart(MailWaiting, RedisBase):
    async def queue_email(self, email: Email) -> None:
        async with self.r.pipeline(transaction=True) as pipe:
            pipe.hset(_EMAILS, email.id, json.dumps(asdict(email)))
            pipe.zadd(_DUE, {email.id: email.next_attempt_at})
            pipe.zadd(_ORDER, {email.id: email.created_at})
            await pipe.execute()
        self._mail_event().set()
        await self._forget_settled(before=email.created_at - KEPT_SECONDS)

    async def _forget_settled(self, *, before: float) -> None:
        """Drop sent and failed emails queued before ``before`` (a few at a time: each queued
        email takes a step, so none takes long)."""
        old = texts(await self.r.zrangebyscore(_ORDER, "-inf", f"({before!r}", start=0, num=20))
        if not old:
            return
        found = await self.r.hmget(_EMAILS, old)
        settled = [
            email_id
            for email_id, raw in zip(old, found, strict=True)
            if raw is None or _email(text(raw)).status != "pending"
        ]
        if settled:
            async with self.r.pipeline(transaction=True) as pipe:
                pipe.hdel(_EMAILS, *settled)
                pipe.zrem(_ORDER, *settled)
                await pipe.execute()

    async def lease_emails(self, *, now: float, limit: int, lease_seconds: float) -> list[Email]:
        self._mail_event().clear()
        found = await self._eval(
            "mail_lease", keys.MAIL_PARTITION, repr(now), limit, repr(now + lease_seconds)
        )
        return [_email(text(raw)) for raw in found if raw]

    async def finish_email(self, result: EmailResult) -> None:
        async with self.r.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(_EMAILS)
                    raw = opt_text(await pipe.hget(_EMAILS, result.email_id))
                    if raw is None:
                        await pipe.reset()  # type: ignore[no-untyped-call]
                        return
                    email = _email(raw)
                    sent = result.status == "sent"
                    done = replace(
                        email,
                        status=result.status,
                        attempts=email.attempts + 1,
                        last_error=result.error,
                        next_attempt_at=result.next_attempt_at or email.next_attempt_at,
                        sent_at=result.at if sent else email.sent_at,
                        body="" if sent else email.body,
                    )
                    pipe.multi()  # type: ignore[no-untyped-call]
                    pipe.hset(_EMAILS, email.id, json.dumps(asdict(done)))
                    if result.status == "pending":
                        pipe.zadd(_DUE, {email.id: done.next_attempt_at})
                    else:
                        pipe.zrem(_DUE, email.id)
                    await pipe.execute()
                    return
                except WatchError:
                    continue

    async def get_email(self, email_id: str) -> Email | None:
        raw = opt_text(await self.r.hget(_EMAILS, email_id))
        return None if raw is None else _email(raw)

    async def list_emails(self, *, limit: int) -> list[Email]:
        ids = texts(await self.r.zrevrange(_ORDER, 0, limit - 1))
        if not ids:
            return []
        found = await self.r.hmget(_EMAILS, ids)
        return [_email(text(raw)) for raw in found if raw is not None]
