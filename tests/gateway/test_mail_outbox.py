"""The email outbox with a real SMTP server (aiosmtpd on 127.0.0.1): an email waiting when the
gateway stops is sent by the next one to start; a server that says "later" gets it again on the
retry schedule; one that refuses it for good is not asked again."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import time_machine

from crowdframe_gateway.app import create_app
from crowdframe_gateway.core.records import now
from crowdframe_gateway.metrics import REGISTRY
from harness import GATEWAY, ON_BOTH_STORES, Browser, Gateway, settings_for
from smtp_server import free_port, smtp_server

SMTP_PORT = free_port()


def attempts(result: str) -> float:
    return REGISTRY.get_sample_value("crowdframe_email_attempts_total", {"result": result}) or 0


@pytest.fixture
def gateway_settings() -> dict[str, object]:
    return {"smtp_url": f"smtp://127.0.0.1:{SMTP_PORT}"}


async def sign_up(app: object, email: str) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url=GATEWAY,
    ) as http:
        await Browser(http).sign_up(email)


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
async def test_an_email_pending_when_the_gateway_stops_is_sent_after_a_restart(
    tmp_path: Path, request: pytest.FixtureRequest, backend: str
) -> None:
    store = {"store_url": request.getfixturevalue("redis_url")} if backend == "redis" else {}
    settings = settings_for(tmp_path, smtp_url=f"smtp://127.0.0.1:{SMTP_PORT}", **store)
    first = create_app(settings, background=False)  # it stops before its mail loop sends
    async with first.router.lifespan_context(first):
        await sign_up(first, "ada@example.org")
        [waiting] = await first.state.runtime.store.list_emails(limit=5)
        assert (waiting.status, waiting.attempts) == ("pending", 0)

    with smtp_server(SMTP_PORT) as mailbox:
        second = create_app(settings)
        async with second.router.lifespan_context(second):
            assert second.state.loops.alive()["mail"]
            [welcome] = await mailbox.wait_for(1)
            [sent] = await second.state.runtime.store.list_emails(limit=5)
            assert sent.id == waiting.id
    assert welcome.to == ["ada@example.org"] and "/verify/cfl_" in welcome.text


@ON_BOTH_STORES
async def test_a_server_that_says_later_gets_the_email_again_on_the_schedule(
    gateway: Gateway,
) -> None:
    with smtp_server(SMTP_PORT) as mailbox, time_machine.travel(1_800_000_000, tick=False) as clock:
        mailbox.refuse = "451 4.3.0 try again later"
        await gateway.worker("ada@example.org")
        retries = attempts("retry")
        assert await gateway.send_emails() == 0
        assert attempts("retry") == retries + 1  # what /metrics shows
        [later] = await gateway.rt.store.list_emails(limit=5)
        assert (later.status, later.attempts) == ("pending", 1)
        assert later.last_error is not None and later.last_error.startswith("451")
        assert 27 <= later.next_attempt_at - now() <= 33  # 30 s, ±10 %

        mailbox.refuse = None
        assert await gateway.send_emails() == 0  # not yet due
        clock.shift(34)
        assert await gateway.send_emails() == 1
        [sent] = await gateway.rt.store.list_emails(limit=5)
        assert (sent.status, sent.attempts, sent.body) == ("sent", 2, "")
        assert len(mailbox.received) == 1


@ON_BOTH_STORES
async def test_a_server_that_refuses_the_email_for_good_is_not_asked_again(
    gateway: Gateway,
) -> None:
    with smtp_server(SMTP_PORT) as mailbox:
        mailbox.refuse = "550 5.1.1 no such mailbox"
        await gateway.worker("nobody@example.org")
        assert await gateway.send_emails() == 0
        [refused] = await gateway.rt.store.list_emails(limit=5)
        assert refused.status == "failed" and refused.last_error is not None
        assert refused.last_error.startswith("550")
        mailbox.refuse = None
        assert await gateway.send_emails() == 0
        assert mailbox.received == []
