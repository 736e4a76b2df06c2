"""What the gateway counts for its operators, in Prometheus' format (``GET /metrics``).

The metric objects live in this process: each gateway process is scraped on its own, and the
platform-wide figures are sums over processes (requests, claims, submissions, attempts) or the
same in every process (the outbox, read from the shared store at each scrape). Names and what
to alert on: docs/deployment.md.
"""

from __future__ import annotations

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

__all__ = [
    "CLAIMS",
    "CONTENT_TYPE",
    "DELIVERY_ATTEMPTS",
    "LIVE_CONNECTIONS",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PENDING",
    "REGISTRY",
    "REQUESTS",
    "REQUESTS_IN_FLIGHT",
    "REQUEST_SECONDS",
    "SUBMISSIONS",
    "exposition",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "crowdframe_http_requests",
    "HTTP requests answered, by route template, method and status",
    ["route", "method", "status"],
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "crowdframe_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer, by route template and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=REGISTRY,
)
REQUESTS_IN_FLIGHT = Gauge(
    "crowdframe_http_requests_in_flight",
    "HTTP requests being answered now",
    registry=REGISTRY,
)
LIVE_CONNECTIONS = Gauge(
    "crowdframe_live_connections",
    "Open websockets of the live event feed (crowdframe listen)",
    registry=REGISTRY,
)
CLAIMS = Counter(
    "crowdframe_claims",
    "Tasks claimed by workers (an assignment made)",
    registry=REGISTRY,
)
SUBMISSIONS = Counter(
    "crowdframe_submissions",
    "Submissions kept, from every path (the worker's submit, the server-side submit, MTurk)",
    registry=REGISTRY,
)
DELIVERY_ATTEMPTS = Counter(
    "crowdframe_webhook_delivery_attempts",
    "Webhook delivery attempts by result: delivered, retry (failed, tried again later), failed"
    " (given up)",
    ["result"],
    registry=REGISTRY,
)
OUTBOX_PENDING = Gauge(
    "crowdframe_outbox_pending_messages",
    "Webhook messages not delivered yet (pending or being delivered), by endpoint",
    ["endpoint"],
    registry=REGISTRY,
)
OUTBOX_OLDEST_AGE = Gauge(
    "crowdframe_outbox_oldest_pending_age_seconds",
    "Age of the oldest webhook message not delivered yet, by endpoint",
    ["endpoint"],
    registry=REGISTRY,
)


def exposition() -> bytes:
    """Every metric of this process in Prometheus' text format."""
    return generate_latest(REGISTRY)
