"""The SSRF guard: webhooks never reach the gateway's own network unless development allows it,
the check happens at connect time on the address actually used, and https still verifies the
certificate for the URL's hostname."""

from __future__ import annotations

import dataclasses
import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from crowdframe_gateway.webhooks.egress import guarded_transport, refusal
from delivery_harness import delivering, endpoint, messages_of, wait_until
from harness import ON_BOTH_STORES, ApiClient, Gateway, settings_for
from receiver import running_receiver


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.9",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "::ffff:127.0.0.1",
        "fd00:ec2::254",
        "fe80::1",
    ],
)
def test_private_loopback_link_local_and_metadata_addresses_are_refused(address: str) -> None:
    assert refusal(address) is not None


@pytest.mark.parametrize("address", ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert refusal(address) is None


@pytest.mark.parametrize(
    "url",
    ["http://hooks.example/x", "https://127.0.0.1/x", "https://10.0.0.8/x", "https://localhost/x"],
)
async def test_production_refuses_http_and_private_urls_when_an_endpoint_is_made(
    tmp_path: Path, url: str
) -> None:
    from crowdframe_gateway.app import create_app
    from harness import GATEWAY

    app = create_app(settings_for(tmp_path, allow_private_webhooks=False), background=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=GATEWAY) as http:
            api = await Gateway(app, app.state.runtime, http, []).client()
            answer = await api.call("POST", "/webhook-endpoints", json={"url": url})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "url"


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/x",
        "http://[::ffff:169.254.169.254]/x",
        "http://metadata.google.internal/computeMetadata/v1/",
        "https://METADATA.google.internal./x",
        "http://instance-data/latest/",
    ],
)
async def test_link_local_and_metadata_urls_are_refused_even_in_development(
    api: ApiClient, url: str
) -> None:
    assert api.gateway.rt.settings.allow_private_webhooks, "development: private URLs allowed"
    answer = await api.call("POST", "/webhook-endpoints", json={"url": url})
    assert answer.status_code == 422
    assert answer.json()["error"]["field"] == "url"
    loopback = await api.call("POST", "/webhook-endpoints", json={"url": "http://localhost:9/x"})
    assert loopback.status_code == 201, "while loopback stays allowed in development"


@ON_BOTH_STORES
async def test_a_name_resolving_to_link_local_is_refused_when_connecting_in_development(
    gateway: Gateway, api: ApiClient
) -> None:
    async def metadata_dns(host: str, port: int) -> list[str]:
        return ["169.254.169.254"] if host == "hooks.example" else []

    hook = await endpoint(api, "http://hooks.example:80/hooks")
    allowed = partial(guarded_transport, allow_private=True, resolve=metadata_dns)
    async with delivering(gateway, transport=allowed):
        await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
        await wait_until(partial(attempted, api, 1, hook["id"]), "an attempt")
    [attempt] = await attempts_of(api, hook["id"])
    assert attempt["status_code"] is None
    assert "169.254.169.254 is link-local (cloud metadata)" in str(attempt["error"])


def strict(gateway: Gateway) -> object:
    """The gateway's runtime with private webhooks no longer allowed (as in production)."""
    rt = gateway.rt
    return dataclasses.replace(
        rt, settings=dataclasses.replace(rt.settings, allow_private_webhooks=False)
    )


async def attempts_of(api: ApiClient, *endpoint_ids: str) -> list[dict[str, object]]:
    """Every recorded delivery attempt to the endpoints, each endpoint's oldest message first."""
    attempts: list[dict[str, object]] = []
    for endpoint_id in endpoint_ids:
        for message in await messages_of(api, endpoint_id):
            answer = await api.call("GET", f"/webhook-messages/{message['id']}/attempts")
            attempts += answer.json()["data"]
    return attempts


async def attempted(api: ApiClient, count: int, *endpoint_ids: str) -> bool:
    return len(await attempts_of(api, *endpoint_ids)) >= count


@ON_BOTH_STORES
async def test_a_name_resolving_to_loopback_is_refused_when_connecting(
    gateway: Gateway, api: ApiClient
) -> None:
    with running_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        hook = await endpoint(api, f"http://localhost:{port}/hooks")  # allowed when it was made
        async with delivering(gateway, rt=strict(gateway)):
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_until(partial(attempted, api, 1, hook["id"]), "an attempt")
        attempts = await attempts_of(api, hook["id"])
    assert receiver.received == []
    assert attempts[0]["status_code"] is None
    assert "loopback" in str(attempts[0]["error"])


@ON_BOTH_STORES
async def test_the_connection_goes_to_the_address_that_was_checked(
    gateway: Gateway, api: ApiClient
) -> None:
    # hooks.example is unknown to the system's resolver: a delivery can only arrive if the
    # connection used the address the guard resolved and checked, with no second lookup
    async def rebinding_dns(host: str, port: int) -> list[str]:
        return ["127.0.0.1"] if host == "hooks.example" else []

    with running_receiver() as receiver:
        port = receiver.url.split(":")[2].split("/")[0]
        hook = await endpoint(api, f"http://hooks.example:{port}/hooks")
        allowed = partial(guarded_transport, allow_private=True, resolve=rebinding_dns)
        async with delivering(gateway, transport=allowed):
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            # the attempt recorded, not only received: stopping the loop between the two would
            # leave the message leased, and no second attempt would come in time
            await wait_until(partial(attempted, api, 1, hook["id"]), "the delivery")
        refused = partial(guarded_transport, allow_private=False, resolve=rebinding_dns)
        async with delivering(gateway, transport=refused):
            await api.call("POST", f"/webhook-endpoints/{hook['id']}/test")
            await wait_until(partial(attempted, api, 2, hook["id"]), "a second attempt")
        delivered, refused_attempt = await attempts_of(api, hook["id"])
    assert receiver.received[0].headers["host"] == f"hooks.example:{port}"
    assert len(receiver.received) == 1
    assert delivered["status_code"] == 200
    assert "127.0.0.1 is a loopback address" in str(refused_attempt["error"])


def make_certificates(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate it signed for hooks.example (Debian's openssl)."""
    ca_key, ca, key, csr, cert = (
        directory / name for name in ("ca.key", "ca.pem", "leaf.key", "leaf.csr", "leaf.pem")
    )
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    run = lambda *args: subprocess.run(["openssl", *args], check=True, capture_output=True)  # noqa: E731
    run(
        "req",
        "-x509",
        *ec,
        "-keyout",
        ca_key,
        "-out",
        ca,
        "-days",
        "2",
        "-subj",
        "/CN=Test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign",
    )
    run("req", *ec, "-keyout", key, "-out", csr, "-subj", "/CN=hooks.example")
    ext = directory / "ext.cnf"
    ext.write_text("subjectAltName=DNS:hooks.example\n")
    run(
        "x509",
        "-req",
        "-in",
        csr,
        "-CA",
        ca,
        "-CAkey",
        ca_key,
        "-CAcreateserial",
        "-out",
        cert,
        "-days",
        "2",
        "-extfile",
        ext,
    )
    return ca, cert, key


@contextmanager
def https_receiver(cert: Path, key: Path) -> Iterator[tuple[int, list[str]]]:
    got: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("content-length", "0")))
            got.append(self.headers.get("host", ""))
            self.send_response(200)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], got
    finally:
        server.shutdown()
        server.server_close()


@ON_BOTH_STORES
async def test_https_verifies_the_certificate_for_the_urls_hostname(
    gateway: Gateway, api: ApiClient, tmp_path: Path
) -> None:
    ca, cert, key = make_certificates(tmp_path)

    async def dns(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]  # both names lead to the same server

    trust = ssl.create_default_context(cafile=str(ca))
    http = partial(guarded_transport, allow_private=True, resolve=dns, ssl_context=trust)
    with https_receiver(cert, key) as (port, got):
        right = await endpoint(api, f"https://hooks.example:{port}/hooks")
        wrong = await endpoint(api, f"https://other.example:{port}/hooks")
        async with delivering(gateway, transport=http):
            await api.call("POST", f"/webhook-endpoints/{right['id']}/test")
            await api.call("POST", f"/webhook-endpoints/{wrong['id']}/test")
            await wait_until(partial(attempted, api, 2, right["id"], wrong["id"]), "both attempts")
        attempts = await attempts_of(api, right["id"], wrong["id"])
    assert got == [f"hooks.example:{port}"]
    failed = [a for a in attempts if a["status_code"] is None]
    assert len(failed) == 1
    assert "certificate" in str(failed[0]["error"]).lower()
