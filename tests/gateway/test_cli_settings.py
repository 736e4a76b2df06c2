"""``crowdframe gateway`` as an operator runs it (a real process): every ``CROWDFRAME_*``
setting read from the environment, flags over them; JSON log lines carrying the request id of
the answer's ``X-Request-Id``; ``/metrics`` on a port of its own when one is set."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from services import BIN, Service, free_port, start_service

PRODUCTION = {
    "CROWDFRAME_ENV": "production",
    "CROWDFRAME_SECRET_KEY": "s" * 40,
    "CROWDFRAME_PUBLIC_ORIGIN": "https://work.example",
}


def gateway(tmp_path: Path, env: dict[str, str], *flags: str) -> tuple[str, Service]:
    port = free_port()
    argv = [str(BIN / "crowdframe"), "gateway", "--port", str(port), "--data-dir",
            str(tmp_path / "data"), *flags]  # fmt: skip
    origin = f"http://127.0.0.1:{port}"
    return origin, start_service("gateway", argv, origin, "/healthz", tmp_path, env)


def test_the_production_command_of_the_docs_starts_with_the_origin_from_the_environment(
    tmp_path: Path,
) -> None:
    origin, service = gateway(tmp_path, {**PRODUCTION, "CROWDFRAME_LOG_FORMAT": "json"})
    try:
        spec = httpx.get(origin + "/openapi.json").json()
        health = httpx.get(origin + "/healthz", headers={"x-request-id": "probe-1"})
    finally:
        service.stop()
    assert spec["servers"] == [{"url": "https://work.example"}]
    assert health.headers["x-request-id"] == "probe-1"
    lines = [json.loads(line) for line in service.output().splitlines() if line.startswith("{")]
    assert lines, service.output()
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any(
        line.get("request_id") == "probe-1" and "/healthz" in line["message"] for line in access
    )


def test_a_flag_wins_over_its_variable(tmp_path: Path) -> None:
    origin, service = gateway(tmp_path, PRODUCTION, "--public-origin", "https://other.example")
    try:
        spec = httpx.get(origin + "/openapi.json").json()
    finally:
        service.stop()
    assert spec["servers"] == [{"url": "https://other.example"}]


def test_metrics_on_a_port_of_their_own(tmp_path: Path) -> None:
    metrics_port = free_port()
    origin, service = gateway(tmp_path, {"CROWDFRAME_METRICS_PORT": str(metrics_port)})
    try:
        httpx.get(origin + "/healthz")
        on_gateway = httpx.get(origin + "/metrics")
        scraped = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics")
    finally:
        service.stop()
    assert on_gateway.status_code == 404
    assert scraped.status_code == 200
    assert (
        'crowdframe_http_requests_total{method="GET",route="/healthz",status="200"}' in scraped.text
    )
