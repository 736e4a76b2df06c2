"""Real processes on loopback for fault tests: the gateway (``crowdframe gateway``), the webhook
sink (tests/webhook_sink.py), a client made with ``crowdframe create-client``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from services import BIN, Service, free_port, start_service

HERE = Path(__file__).resolve().parent
FAST_RETRIES = {
    "CROWDFRAME_RETRY_SCHEDULE": "0.2,0.5,1,1,1",
    "CROWDFRAME_DELIVERY_TIMEOUT": "2",
    "PYTHONUNBUFFERED": "1",
}


@dataclass
class Sink:
    """tests/webhook_sink.py running as its own process."""

    process: subprocess.Popen[str]
    url: str
    log: Path

    def lines(self) -> list[list[str]]:
        """One ``[time, webhook-id, assignment-id]`` per request received so far."""
        if not self.log.exists():
            return []
        return [line.split() for line in self.log.read_text().splitlines() if line.strip()]

    def ids(self) -> list[str]:
        return [line[1] for line in self.lines()]

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def start_sink(directory: Path, *, delay: float = 0.0, name: str = "sink") -> Sink:
    log = directory / f"{name}.log"
    process = subprocess.Popen(
        [sys.executable, str(HERE / "webhook_sink.py"), "--log", str(log), "--delay", str(delay)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    first = process.stdout.readline().split()
    assert first[:1] == ["PORT"], first
    return Sink(process, f"http://127.0.0.1:{first[1]}/hooks", log)


def create_client(data: Path) -> dict[str, str]:
    made = subprocess.run(
        [BIN / "crowdframe", "create-client", "Acme", "--data-dir", data, "--json"],
        check=True,
        capture_output=True,
        env={**os.environ, **FAST_RETRIES},
    )
    return json.loads(made.stdout)  # type: ignore[no-any-return]


def start_gateway(
    data: Path, log_dir: Path, *, port: int | None = None, name: str = "gateway"
) -> Service:
    port = port or free_port()
    return start_service(
        name,
        [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--data-dir", str(data)],
        f"http://127.0.0.1:{port}",
        "/widgets/crowdframe-task.js",
        log_dir,
        FAST_RETRIES,
    )


def wait_until_true(condition: object, what: str, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")
