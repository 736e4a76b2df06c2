"""The one seam between the gateway and its storage.

Every state change that clients hear about writes its event, and one outbox message per
subscribed endpoint, in the same transaction as the change itself: nothing is announced that
did not happen, and nothing happens unannounced.

Each context declares its part of the protocol in its own ``store`` module; ``StoreLifecycle``
is what every backend adds: opening, closing, and making writes durable.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Coroutine
from typing import Any, Protocol, TypeVar, overload

__all__ = ["StoreLifecycle", "together"]


class StoreLifecycle(Protocol):
    # what the store raises while it is unreachable, after waiting for it (the edge: 503)
    outage_errors: tuple[type[Exception], ...]
    # whether reads awaited together share a round trip (Redis: store/redis/coalescing.py);
    # a store that answers in place (SQLite) gains nothing from running them at once
    reads_together: bool

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise unless the store answers now (``/readyz``)."""
        ...

    def track_writes(self) -> None:
        """From here on, in this task and the tasks it starts (a request: the gateway calls
        this as each one begins), ``sync`` waits for the writes made here only."""
        ...

    async def sync(self) -> None:
        """Make the writes durable before an answer that reports them is sent (the gateway
        calls this before each response): those made since ``track_writes``, else every write
        so far. A store whose writes are durable on commit does nothing."""
        ...


A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")


@overload
async def together(
    store: StoreLifecycle, first: Awaitable[A], second: Awaitable[B], /
) -> tuple[A, B]: ...
@overload
async def together(
    store: StoreLifecycle, first: Awaitable[A], second: Awaitable[B], third: Awaitable[C], /
) -> tuple[A, B, C]: ...
@overload
async def together(store: StoreLifecycle, /, *reads: Awaitable[A]) -> tuple[A, ...]: ...
async def together(store: StoreLifecycle, /, *reads: Awaitable[Any]) -> tuple[Any, ...]:
    """The results of ``reads``, in order: awaited at once where the store batches them (one
    round trip on Redis), else one after another (no task made for each). The first error
    is raised; the reads not yet awaited then are dropped."""
    if store.reads_together:
        return tuple(await asyncio.gather(*reads))
    done: list[Any] = []
    try:
        for read in reads:
            done.append(await read)
    except BaseException:
        for left in reads[len(done) + 1 :]:
            if isinstance(left, Coroutine):
                left.close()  # never started: no "never awaited" warning
        raise
    return tuple(done)
