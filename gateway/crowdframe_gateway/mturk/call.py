"""One boto3 call as the operations see it: the runtime, the signed-in client, its parameters."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..core.records import Client
from .params import Params

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["Call", "Operation"]


@dataclass(frozen=True, slots=True)
class Call:
    rt: Runtime
    client: Client
    params: Params


Operation = Callable[[Call], Awaitable[dict[str, Any]]]
