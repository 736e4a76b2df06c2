"""One round trip for what a turn of the event loop asks of Redis.

A command costs the gateway a socket write, a read and redis-py's own work around them (a
connection from the pool, the retry wrapper, timing) — more than the command costs Redis, and
most of a request's CPU when the request is a handful of reads and a script. Under load, many
requests wait on Redis at once: ``CoalescingRedis`` queues each command, and once the event loop
has run every task that was ready, sends what they queued as one pipeline and hands each caller
its own answer (or its own error). A command alone in its turn goes as it is.

What stays as it was:

- order: a caller awaits each command before it sends the next, so its commands keep their
  order; commands of different callers had no order between them anyway;
- a non-transactional pipeline (``pipeline(transaction=False)``) joins the batch as one block,
  its commands together and in their order, and its ``execute`` answers (or raises) as before;
  a transaction (MULTI/EXEC) or a pipeline that WATCHes runs on its own;
- errors: a command's error (NOSCRIPT, WRONGTYPE…) is its caller's only; a lost connection,
  after redis-py's retries, is every caller's in that batch, as it would have been for each;
- cancellation: a caller cancelled before its turn is sent is left out of it; once sent, the
  batch is read to its end by its own task, so no reply is ever left on a connection.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis
from redis.asyncio.client import Pipeline

__all__ = ["CoalescingRedis"]

Command = tuple[tuple[Any, ...], Mapping[str, Any]]


@dataclass(slots=True)
class _Queued:
    """A caller's command, or a pipeline's commands as one block."""

    commands: list[Command]
    answer: asyncio.Future[list[Any]]
    single: bool  # a command of its own: its answer is that command's, or its error raised


@dataclass(slots=True)
class _Turn:
    queued: list[_Queued] = field(default_factory=list)


class CoalescingRedis(redis.Redis):
    """``redis.asyncio.Redis`` whose commands share round trips (the module's docstring)."""

    _turn: _Turn | None = None
    _sending: set[asyncio.Task[None]] | None = None

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        answer = await self._join([(args, options)], single=True)
        return answer[0]

    def pipeline(self, transaction: bool = True, shard_hint: str | None = None) -> Pipeline:
        if transaction:
            return super().pipeline(transaction, shard_hint)
        return _JoiningPipeline(self, shard_hint)

    async def _join(self, commands: list[Command], *, single: bool) -> list[Any]:
        loop = asyncio.get_running_loop()
        turn = self._turn
        if turn is None:
            turn = self._turn = _Turn()
            loop.call_soon(self._send_turn, turn)
        queued = _Queued(commands, loop.create_future(), single)
        turn.queued.append(queued)
        return await queued.answer

    def _send_turn(self, turn: _Turn) -> None:
        self._turn = None
        live = [q for q in turn.queued if not q.answer.done()]  # cancelled callers: nothing
        if not live:
            return
        if self._sending is None:
            self._sending = set()
        task = asyncio.get_running_loop().create_task(self._send(live))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, queued: list[_Queued]) -> None:
        try:
            if len(queued) == 1 and queued[0].single:
                ((args, options),) = queued[0].commands
                answer = super().execute_command(*args, **options)  # type: ignore[no-untyped-call]
                answers = [await answer]
            else:
                pipe = super().pipeline(transaction=False)
                for q in queued:
                    for args, options in q.commands:
                        pipe.execute_command(*args, **options)
                answers = await pipe.execute(raise_on_error=False)
        except BaseException as exc:
            for q in queued:
                if not q.answer.done():
                    if isinstance(exc, asyncio.CancelledError):
                        q.answer.cancel()
                    else:
                        q.answer.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        start = 0
        for q in queued:
            mine = answers[start : start + len(q.commands)]
            start += len(q.commands)
            if q.answer.done():
                continue
            if q.single and isinstance(mine[0], Exception):
                q.answer.set_exception(mine[0])
            else:
                q.answer.set_result(mine)


class _JoiningPipeline(Pipeline):
    """A non-transactional pipeline whose commands go in the client's next batch, as one block."""

    def __init__(self, client: CoalescingRedis, shard_hint: str | None) -> None:
        super().__init__(client.connection_pool, client.response_callbacks, False, shard_hint)
        self._client = client

    async def execute(self, raise_on_error: bool = True) -> list[Any]:
        if self.watching or self.explicit_transaction or self.scripts:
            return await super().execute(raise_on_error)
        stack, self.command_stack = self.command_stack, []
        if not stack:
            return []
        answers = await self._client._join(list(stack), single=False)
        if raise_on_error:
            self.raise_first_error(stack, answers)
        return answers
