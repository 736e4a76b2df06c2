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
  batch is read to its end by its own task, so no reply is ever left on a connection;
- answers: each reply goes through redis-py's own response callback for its command, so a
  caller gets what redis-py would have given it.

A batch goes on ``Wire`` (wire.py: one lean connection, a fifth of redis-py's cost per command)
where the URL allows, else through a redis-py pipeline; what the wire could not deliver (its
connection lost, the server loading, an argument it cannot pack) goes through redis-py too,
whose retries wait for the server.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as redis
from redis.asyncio.client import Pipeline
from redis.client import EMPTY_RESPONSE, NEVER_DECODE
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError

from .wire import Wire, WireLost

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
    _wire: Wire | bool | None = False  # False: not made yet; None: this URL gets none

    async def aclose(self, close_connection_pool: bool | None = None) -> None:
        if isinstance(self._wire, Wire):
            self._wire.close()
        self._wire = False
        await super().aclose(close_connection_pool)

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
        commands = [command for q in queued for command in q.commands]
        try:
            answers = await self._on_wire(commands)
            if answers is None:
                answers = await self._through_redis_py(commands)
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

    def _wire_for_now(self) -> Wire | None:
        if self._wire is False:
            self._wire = Wire.for_pool(self.connection_pool)
        wire = self._wire
        return wire if isinstance(wire, Wire) and wire.ready() else None

    async def _on_wire(self, commands: list[Command]) -> list[Any] | None:
        """The answers of ``commands`` sent on the wire; None when it cannot take them. What
        the wire could not deliver is sent again through redis-py (as its retries would)."""
        wire = self._wire_for_now()
        if wire is None or any(NEVER_DECODE in options for _, options in commands):
            return None
        try:
            replies = await wire.send([_split(args) for args, _ in commands])
        except TypeError:  # an argument hiredis cannot pack: redis-py says why (DataError)
            return None
        except WireLost as lost:
            replies = lost.answered
        except (OSError, RedisConnectionError, TimeoutError):  # no connection: none answered
            replies = []
        answers: list[Any] = [
            self._answer(args, options, reply)
            for (args, options), reply in zip(commands, replies, strict=False)
        ]
        answers += [None] * (len(commands) - len(answers))
        # not done: unanswered, or refused for the connection (the server loading, too many
        # clients), which redis-py retries
        again = [
            i
            for i, answer in enumerate(answers)
            if i >= len(replies) or isinstance(answer, RedisConnectionError)
        ]
        if again:
            redone = await self._through_redis_py([commands[i] for i in again])
            for i, answer in zip(again, redone, strict=True):
                answers[i] = answer
        return answers

    def _answer(self, args: tuple[Any, ...], options: Mapping[str, Any], reply: Any) -> Any:
        """A raw reply as redis-py's ``parse_response`` makes it (its response callbacks)."""
        if isinstance(reply, ResponseError):
            return options.get(EMPTY_RESPONSE, reply)
        callback = self.response_callbacks.get(args[0])
        if callback is None:
            return reply
        rest = {k: v for k, v in options.items() if k not in (EMPTY_RESPONSE, "keys")}
        return callback(reply, **rest)

    async def _through_redis_py(self, commands: list[Command]) -> list[Any]:
        if len(commands) == 1:
            ((args, options),) = commands
            try:
                return [await super().execute_command(*args, **options)]  # type: ignore[no-untyped-call]
            except ResponseError as exc:
                return [exc]
        pipe = super().pipeline(transaction=False)
        for args, options in commands:
            pipe.execute_command(*args, **options)
        return list(await pipe.execute(raise_on_error=False))


def _split(args: tuple[Any, ...]) -> tuple[Any, ...]:
    """A command's words as Redis reads them ("CONFIG GET" is two, as redis-py sends it)."""
    name = args[0]
    if isinstance(name, str) and " " in name:
        return (*name.split(), *args[1:])
    return args


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
