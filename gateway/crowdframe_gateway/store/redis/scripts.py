"""The Lua script registry: each script is shared preludes plus its body, called by SHA.

Scripts are sent by ``EVALSHA`` with the SHA computed here; a server that does not know one
(a fresh or restarted Redis) answers NOSCRIPT, and the store loads every script and retries.
A new store operation adds a ``Script`` to ``SCRIPTS`` and a file to ``lua/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["SCRIPTS", "Script"]

LUA = Path(__file__).parent / "lua"


@dataclass(frozen=True, slots=True)
class Script:
    name: str
    uses: tuple[str, ...] = ()  # preludes after prelude.lua, in order
    source: str = field(init=False)
    sha: str = field(init=False)

    def __post_init__(self) -> None:
        parts = ["prelude", *self.uses, self.name]
        source = "\n".join((LUA / f"{name}.lua").read_text() for name in parts)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "sha", hashlib.sha1(source.encode()).hexdigest())  # noqa: S324


_EVENTS = ("messages", "events")  # messages.lua indexes what events.lua emits
_WORK = (*_EVENTS, "pool", "assignments")
SCRIPTS = {
    script.name: script
    for script in (
        Script("new_project"),
        Script("add_tasks", ("tasks",)),
        Script("idempotency"),
        Script("available", ("pool",)),
        Script("live"),
        Script("latest"),
        Script("claim", _WORK),
        Script("submit", (*_WORK, "gold", "attempt")),
        Script("release", _WORK),
        Script("expire", _WORK),
        Script("expire_tasks", _WORK),
        Script("lease"),
        Script("review", _WORK),
        Script("approve", _WORK),
        Script("review_task", ("tasks",)),
        Script("cancel_task", _WORK),
        Script("event", _EVENTS),
        # conversations: disputes and messages (conversations/redis.py)
        Script("dispute_open", _EVENTS),
        Script("dispute_answer"),
        Script("dispute_report", _EVENTS),
        Script("thread_post", _EVENTS),
        # keyring, delivery and the delivery log, live feed (issues 3 and 4)
        Script("count_attempt"),
        Script("lease_messages", ("messages",)),
        Script("unlease"),
        Script("slots"),
        Script("finish_message", ("messages",)),
        Script("fail_endpoint", ("messages",)),
        Script("replay", ("messages",)),
        Script("endpoint_change", _EVENTS),
        Script("feed_copy"),
        # MTurk compatibility
        Script("revoke"),
        Script("hit_type"),
        Script("hit_listing"),
        Script("create_hit", ("tasks",)),
        Script("hit", ("hits",)),
        Script("dispose", ("hits",)),
        Script("expiry", ("pool",)),
        Script("more_seats", ("pool",)),
        # the worker's statement of work (ledger/redis.py)
        Script("work_line"),
        # assessments
        Script("attempt_start", ("pool",)),
        Script("unseen", ("pool",)),
        Script("unseen_ids", ("pool",)),
        Script("qualification_revoke"),
        # the outbox of emails (mail/redis.py)
        Script("mail_lease"),
    )
}
