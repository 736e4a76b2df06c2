"""What the gateway counts for its operators, in Prometheus' format (``GET /metrics``).

The metric objects live in this process: each gateway process is scraped on its own, and the
platform-wide figures are sums over processes (requests, claims, submissions, attempts) or the
same in every process (the outbox, read from the shared store at each scrape). Names and what
to alert on: docs/deployment.md.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

__all__ = [
    "CLAIMS",
    "CONTENT_TYPE",
    "DELIVERY_ATTEMPTS",
    "EMAIL_ATTEMPTS",
    "LIVE_CONNECTIONS",
    "OUTBOX_OLDEST_AGE",
    "OUTBOX_PENDING",
    "REGISTRY",
    "REQUESTS",
    "STORE_REACHABLE",
    "SUBMISSIONS",
    "RequestStats",
    "exposition",
]

REGISTRY = CollectorRegistry(auto_describe=True)
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)
GCCollector(registry=REGISTRY)

CONTENT_TYPE = CONTENT_TYPE_LATEST


class RequestStats:
    """The requests' figures, kept in plain integers and floats (a request adds a few dict
    updates, no lock: one event loop a process) and read by the registry at each scrape as
    ``crowdframe_http_requests_total``, ``crowdframe_http_request_duration_seconds`` and
    ``crowdframe_http_requests_in_flight``."""

    BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

    def __init__(self) -> None:
        self.in_flight = 0
        self._answers: dict[tuple[str, str, str], int] = {}
        # (route, method) -> [count in each bucket (not cumulative), +Inf last], sum
        self._latency: dict[tuple[str, str], tuple[list[int], list[float]]] = {}

    def answered(self, route: str, method: str, status: int, seconds: float) -> None:
        answer = (route, method, str(status))
        self._answers[answer] = self._answers.get(answer, 0) + 1
        found = self._latency.get((route, method))
        if found is None:
            found = self._latency[(route, method)] = ([0] * (len(self.BUCKETS) + 1), [0.0])
        counts, total = found
        counts[bisect.bisect_left(self.BUCKETS, seconds)] += 1
        total[0] += seconds

    def collect(self) -> Iterator[Metric]:
        answers = CounterMetricFamily(
            "crowdframe_http_requests",
            "HTTP requests answered, by route template, method and status",
            labels=["route", "method", "status"],
        )
        for answer, count in sorted(self._answers.items()):
            answers.add_metric(list(answer), count)
        yield answers
        latency = HistogramMetricFamily(
            "crowdframe_http_request_duration_seconds",
            "Time from a request's arrival to the end of its answer, by route template and method",
            labels=["route", "method"],
        )
        bounds = [str(b) for b in self.BUCKETS] + ["+Inf"]
        for route_method, (counts, total) in sorted(self._latency.items()):
            running, buckets = 0, []
            for bound, count in zip(bounds, counts, strict=True):
                running += count
                buckets.append((bound, running))
            latency.add_metric(list(route_method), buckets, total[0])
        yield latency
        yield GaugeMetricFamily(
            "crowdframe_http_requests_in_flight", "HTTP requests being answered now", self.in_flight
        )


REQUESTS = RequestStats()
REGISTRY.register(REQUESTS)
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
EMAIL_ATTEMPTS = Counter(
    "crowdframe_email_attempts",
    "Attempts to send an email by result: sent, retry (tried again later), failed (refused for"
    " good, or given up)",
    ["result"],
    registry=REGISTRY,
)
STORE_REACHABLE = Gauge(
    "crowdframe_store_reachable",
    "1 when the store answered the last scrape's outbox query, 0 when it did not",
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
