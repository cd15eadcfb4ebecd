"""Prometheus metrics of the feedback stage, declared on a registry the owner passes in."""

from __future__ import annotations

from typing import Iterable

from prometheus_client import CollectorRegistry, Gauge

from loraloop.feedback.drift_stats import DRIFT_METRICS

__all__ = ["FeedbackMetrics"]


class FeedbackMetrics:
    """Drift gauges per adapter (domain) and metric; both label sets are bounded by config."""

    def __init__(self, registry: CollectorRegistry):
        self.drift_value = Gauge("loraloop_feedback_drift_value_ratio",
                                 "Latest drift metric value (JS, PSI, rates; log-prob drop in nats).",
                                 ("adapter", "metric"), registry=registry)
        self.drift_crossed = Gauge("loraloop_feedback_drift_crossed_ratio",
                                   "1 when the latest drift snapshot crossed the metric's threshold, else 0.",
                                   ("adapter", "metric"), registry=registry)

    def observe_drift(self, adapter: str, values: dict[str, float | None], over: Iterable[str]) -> None:
        """Export one snapshot (metrics with no data are not exported)."""
        over = set(over)
        for metric in DRIFT_METRICS:
            if values.get(metric) is not None:
                self.drift_value.labels(adapter, metric).set(values[metric])
            self.drift_crossed.labels(adapter, metric).set(1.0 if metric in over else 0.0)
