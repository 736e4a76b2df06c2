"""A gateway stops promptly at shutdown, even while its delivery loop is settling attempts."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest

from crowdframe_gateway.background import running_background
from delivery_harness import endpoint, messages_of
from harness import ON_BOTH_STORES, ApiClient, Gateway
from webhook_sink import answering

pytestmark = ON_BOTH_STORES
STOPS = 30  # gateway stops, each a turn of the event loop later in the settling than the last


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    # a stop may leave a message leased (to be sent again when its lease ends): let every
    # stop's message find a free slot of the endpoint all the same
    return {"endpoint_concurrency": STOPS + 1}


@asynccontextmanager
async def receiver(on_post: Callable[[dict[str, str], bytes], None]) -> AsyncIterator[str]:
    """A webhook receiver on this event loop (what it answers is the loop's next step); its URL."""
    server = await asyncio.start_server(answering(on_post), "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hooks"


async def test_the_gateway_stops_promptly_while_attempts_are_settled(
    gateway: Gateway, api: ApiClient
) -> None:
    posted = asyncio.Event()
    async with receiver(lambda headers, body: posted.set()) as url:
        hook = await endpoint(api, url)
        for turns in range(STOPS):
            posted.clear()
            # bounds only a failure: a gateway that does not stop at all
            async with asyncio.timeout(20):
                async with running_background(gateway.rt):
                    await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
                    await posted.wait()  # answered next: the attempt is being recorded
                    for _ in range(turns):
                        await asyncio.sleep(0)  # one turn of the event loop, not the clock
    # after every stop, the gateway still answers, and right
    assert len(await messages_of(api, hook["id"])) == STOPS
