"""Real server processes on loopback for end-to-end tests."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CONSOLE_OWNER = "owner@sentiment.example"  # the world's client invites its console owner


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """A real server process on loopback; its log is printed when a test fails."""

    name: str
    origin: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


def start_service(
    name: str, argv: list[str], origin: str, health: str, log_dir: Path, env: dict[str, str]
) -> Service:
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            argv, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **env}
        )
    service = Service(name, origin, process, log)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode}:\n{service.output()}")
        try:
            if (
                httpx.get(origin.replace("localhost", "127.0.0.1") + health, timeout=1).status_code
                < 500
            ):
                return service
        except httpx.HTTPError:
            time.sleep(0.1)
    service.stop()
    raise RuntimeError(f"{name} did not start in 30 s:\n{service.output()}")


@dataclass
class ClientAccount:
    client_id: str
    api_key: str
    signing_secret: str
    console_invitation: str | None = None  # the owner's link, with --owner-email


def create_client(
    name: str, data: Path, env: dict[str, str], *, owner_email: str | None = None
) -> ClientAccount:
    """A client made as an operator makes one: ``crowdframe create-client`` on ``data``; with
    ``owner_email``, its console owner is invited too."""
    owner = ["--owner-email", owner_email] if owner_email else []
    made = subprocess.run(
        [BIN / "crowdframe", "create-client", name, "--data-dir", data, "--json", *owner],
        check=True,
        capture_output=True,
        env={**os.environ, **env},
    )
    info = json.loads(made.stdout)
    return ClientAccount(
        info["client_id"],
        info["api_key"],
        info["signing_secret"],
        info.get("console_invitation"),
    )


def start_gateway(
    data: Path, log_dir: Path, env: dict[str, str], port: int | None = None
) -> Service:
    """The ``crowdframe gateway`` process on ``port`` (else a free one) of 127.0.0.1, serving
    ``data``."""
    port = port or free_port()
    return start_service(
        "gateway",
        [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--data-dir", str(data)],
        f"http://127.0.0.1:{port}",
        "/signin",
        log_dir,
        env,
    )


@dataclass
class World:
    """A gateway on 127.0.0.1 and the sentiment example on localhost: two sites."""

    gateway: Service
    example: Service
    account: ClientAccount
    example_data: Path

    def example_webhook_secret(self) -> str:
        """The secret the gateway showed the example once, read from the example's own store."""
        with sqlite3.connect(self.example_data / "sentiment.db") as db:
            row = db.execute("SELECT value FROM state WHERE key = 'webhook_secret'").fetchone()
        assert row is not None, "the example has not registered its webhook endpoint"
        return str(row[0])

    def example_json(self, path: str) -> Any:
        return httpx.get(f"http://127.0.0.1:{self.example.origin.rsplit(':', 1)[1]}{path}").json()


@contextmanager
def running_world(
    tmp: Path, example_options: list[str], store_env: dict[str, str]
) -> Iterator[World]:
    """A client made by ``create-client`` (its console owner invited), the gateway and the
    sentiment example (with ``example_options``) running on ``store_env``'s store, in ``tmp``."""
    data = tmp / "gateway"
    env = {
        "CROWDFRAME_RETRY_SCHEDULE": "0.2,0.5,1",
        "CROWDFRAME_LAUNCH_TOKEN_SECONDS": "120",
        "PYTHONUNBUFFERED": "1",
        **store_env,
    }
    account = create_client("Sentiment Labs", data, env, owner_email=CONSOLE_OWNER)
    gateway, example_port = start_gateway(data, tmp, env), free_port()
    try:
        example = start_service(
            "example",
            [
                sys.executable,
                str(ROOT / "examples" / "sentiment" / "app.py"),
                "--gateway",
                gateway.origin,
                "--api-key",
                account.api_key,
                "--signing-secret",
                account.signing_secret,
                "--port",
                str(example_port),
                "--public-origin",
                f"http://localhost:{example_port}",
                "--data-dir",
                str(tmp / "example"),
                *example_options,
            ],
            f"http://localhost:{example_port}",
            "/results.json",
            tmp,
            env,
        )
    except BaseException:
        gateway.stop()
        raise
    try:
        yield World(gateway, example, account, tmp / "example")
    finally:
        example.stop()
        gateway.stop()
