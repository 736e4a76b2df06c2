"""``Webhook.verify_starlette`` and ``Webhook.verify_flask`` in real receiver apps served on
127.0.0.1, receiving real deliveries; a forged request is refused by both."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import flask
import httpx
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from werkzeug.serving import make_server

from crowdframe import Webhook, WebhookEvent, WebhookVerificationError
from delivery_harness import delivering, endpoint, wait_until
from harness import ApiClient, Gateway
from receiver import serving
from services import free_port


@contextmanager
def starlette_receiver(secret: list[str], got: list[WebhookEvent]) -> Iterator[str]:
    async def receive(request: Request) -> PlainTextResponse:
        try:
            got.append(await Webhook(secret[0]).verify_starlette(request))
        except WebhookVerificationError:
            return PlainTextResponse("refused", 400)
        return PlainTextResponse("ok")

    app = Starlette(routes=[Route("/hooks", receive, methods=["POST"])])
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/hooks"
    finally:
        server.should_exit = True
        thread.join(10)


@contextmanager
def flask_receiver(secret: list[str], got: list[WebhookEvent]) -> Iterator[str]:
    app = flask.Flask("receiver")

    @app.post("/hooks")
    def receive() -> Any:
        try:
            got.append(Webhook(secret[0]).verify_flask(flask.request))
        except WebhookVerificationError:
            return "refused", 400
        return "ok"

    with serving(make_server("127.0.0.1", 0, app, threaded=True)) as origin:
        yield origin + "/hooks"


async def test_starlette_and_flask_receivers_verify_real_deliveries(
    gateway: Gateway, api: ApiClient
) -> None:
    star_secret: list[str] = []
    flask_secret: list[str] = []
    star_got: list[WebhookEvent] = []
    flask_got: list[WebhookEvent] = []
    with (
        starlette_receiver(star_secret, star_got) as star_url,
        flask_receiver(flask_secret, flask_got) as flask_url,
    ):
        star = await endpoint(api, star_url)
        fl = await endpoint(api, flask_url)
        star_secret.append(star["secret"])
        flask_secret.append(fl["secret"])
        async with delivering(gateway):
            sent = {
                hook["id"]: (await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")).json()
                for hook in (star, fl)
            }
            await wait_until(lambda: len(star_got) == 1 and len(flask_got) == 1, "both")
        async with httpx.AsyncClient() as http:
            forged = {
                "webhook-id": "msg_forged",
                "webhook-timestamp": str(int(time.time())),
                "webhook-signature": "v1,AAAA",
            }
            body = b'{"type":"endpoint.test","timestamp":"x","data":{}}'
            refused = [
                (await http.post(url, content=body, headers=forged)).status_code
                for url in (star_url, flask_url)
            ]
    assert star_got[0].id == sent[star["id"]]["message_id"]
    assert flask_got[0].id == sent[fl["id"]]["message_id"]
    assert star_got[0].type == flask_got[0].type == "endpoint.test"
    assert refused == [400, 400]
    assert len(star_got) == len(flask_got) == 1
