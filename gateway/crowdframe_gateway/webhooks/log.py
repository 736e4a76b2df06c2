"""The delivery log as a client reads it, and replays: one message, or every failed one since a
time."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from ..core.errors import InvalidInput, NotFound
from ..core.page import Page
from ..core.records import Attempt, Client, Message, now
from ..core.validation import Body, Since, read
from .endpoints import owned_endpoint
from .store import MessageQuery

if TYPE_CHECKING:
    from ..runtime import Runtime


__all__ = ["attempts", "list_messages", "owned_message", "replay", "replay_failed"]

MessageStatus = Literal["pending", "delivered", "failed"]
MESSAGE_STATUSES: tuple[MessageStatus, ...] = ("pending", "delivered", "failed")


async def owned_message(rt: Runtime, client: Client, message_id: str) -> Message:
    message = await rt.store.get_message(message_id)
    if message is None or message.endpoint.client_id != client.id:
        raise NotFound("no such webhook message", field="message_id")
    return message


async def list_messages(
    rt: Runtime,
    client: Client,
    endpoint_id: str,
    *,
    status: str | None,
    cursor: str | None,
    limit: int,
) -> Page[Message]:
    endpoint = await owned_endpoint(rt, client, endpoint_id)
    if status is not None and status not in MESSAGE_STATUSES:
        raise InvalidInput(f"status must be one of {', '.join(MESSAGE_STATUSES)}", field="status")
    chosen: MessageStatus | None = next((s for s in MESSAGE_STATUSES if s == status), None)
    return await rt.store.list_messages(endpoint.id, MessageQuery(limit, chosen, cursor))


async def attempts(rt: Runtime, client: Client, message_id: str) -> list[Attempt]:
    message = await owned_message(rt, client, message_id)
    return await rt.store.list_attempts(message.id)


async def replay(rt: Runtime, client: Client, message_id: str) -> Message:
    message = await owned_message(rt, client, message_id)
    return await rt.store.replay_message(message.id, now=now())


class ReplaySince(Body):
    """``POST /webhook-endpoints/{id}/replay-failed``: replay what failed since then."""

    since: Since


async def replay_failed(rt: Runtime, client: Client, endpoint_id: str, body: dict[str, Any]) -> int:
    endpoint = await owned_endpoint(rt, client, endpoint_id)
    since = read(ReplaySince, body).since
    return await rt.store.replay_failed(endpoint.id, since=since, now=now())
