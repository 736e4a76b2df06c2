"""The one seam between the gateway and its storage.

Every state change that clients hear about writes its event, and one outbox message per
subscribed endpoint, in the same transaction as the change itself: nothing is announced that
did not happen, and nothing happens unannounced.

Each context declares its part of the protocol in its own ``store`` module; ``StoreLifecycle``
is what every backend adds: opening, closing, and making writes durable.
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["StoreLifecycle"]


class StoreLifecycle(Protocol):
    # what the store raises while it is unreachable, after waiting for it (the edge: 503)
    outage_errors: tuple[type[Exception], ...]

    async def open(self) -> None: ...
    async def close(self) -> None: ...
    async def ping(self) -> None:
        """Raise unless the store answers now (``/readyz``)."""
        ...

    async def sync(self) -> None:
        """Make every acknowledged write durable before its answer is sent (the gateway calls
        this before each response); a store whose writes are durable on commit does nothing."""
        ...
