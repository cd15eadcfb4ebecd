"""Prometheus metrics of the feedback stage, declared on a registry the owner passes in."""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge

from loraloop.feedback.drift_stats import DRIFT_METRICS

__all__ = ["FeedbackMetrics"]


class FeedbackMetrics:
    """Signal counts and write-queue fill, and drift gauges per adapter (domain) and metric; labels bounded by config."""

    def __init__(self, registry: CollectorRegistry):
        self.drift_value = Gauge("loraloop_feedback_drift_value_ratio",
                                 "Latest drift metric value (JS, PSI, rates; log-prob drop in nats).",
                                 ("adapter", "metric"), registry=registry)
        self.drift_crossed = Gauge("loraloop_feedback_drift_crossed_ratio",
                                   "1 when the latest drift snapshot crossed the metric's threshold, else 0.",
                                   ("adapter", "metric"), registry=registry)
        self.signals = Counter("loraloop_feedback_signals_total",
                               "User signals stored (inferred ones included), by the answer's adapter version.",
                               ("adapter", "version", "kind"), registry=registry)
        self.queue_depth = Gauge("loraloop_feedback_write_queue_depth",
                                 "Feedback writes reserved, queued or being committed.", registry=registry)
        self.queue_capacity = Gauge("loraloop_feedback_write_queue_capacity",
                                    "Feedback writes in flight before new requests get RESOURCE_EXHAUSTED.",
                                    registry=registry)

    def signals_recorded(self, signals: Iterable[tuple[str, int | None, str]]) -> None:
        """Count committed signals by the adapter version of the answer they are about."""
        for (domain, version, kind), n in collections.Counter(signals).items():  # one inc per label set
            self.signals.labels(domain or "base", f"v{version}" if version else "", kind.lower()).inc(n)

    def watch_queue(self, depth: Callable[[], float], capacity: int) -> None:
        """Export the write queue's fill (read at scrape time) and its capacity."""
        self.queue_depth.set_function(depth)
        self.queue_capacity.set(capacity)

    def observe_drift(self, adapter: str, values: dict[str, float | None], over: Iterable[str]) -> None:
        """Export one snapshot (metrics with no data are not exported)."""
        over = set(over)
        for metric in DRIFT_METRICS:
            if values.get(metric) is not None:
                self.drift_value.labels(adapter, metric).set(values[metric])
            self.drift_crossed.labels(adapter, metric).set(1.0 if metric in over else 0.0)
