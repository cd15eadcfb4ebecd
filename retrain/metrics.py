"""Prometheus metrics of the retrain daemon, declared on a registry the daemon owns (its own /metrics port)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from loraloop.retrain.outcomes import OUTCOMES

__all__ = ["OUTCOMES", "RUN_DURATION_BUCKETS", "RetrainMetrics"]

# A job takes seconds (too few pairs, a gate on the demo model) to hours (QLoRA on a large base).
RUN_DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200, 14400, 28800, 57600)


class RetrainMetrics:
    """Runs by outcome, their duration, last eval values, pending pairs and running jobs.

    Labels are bounded: domains and metric names come from config and the job's fixed eval set.
    """

    def __init__(self, registry: CollectorRegistry):
        self.registry = registry
        self.runs = Counter("loraloop_retrain_runs", "Finished retrain jobs by domain, method and outcome.",
                            ("domain", "method", "outcome"), registry=registry)
        self.duration = Histogram("loraloop_retrain_run_duration_seconds", "Wall time of a retrain job.",
                                  ("method",), buckets=RUN_DURATION_BUCKETS, registry=registry)
        self.last_eval = Gauge("loraloop_retrain_last_eval_value",
                               "Evaluation metrics of the domain's last run that reported any.",
                               ("domain", "metric"), registry=registry)
        self.pairs_pending = Gauge("loraloop_retrain_pairs_pending",
                                   "Preference pairs not yet trained on, per domain (updated each poll).",
                                   ("domain",), registry=registry)
        self.jobs_running = Gauge("loraloop_retrain_jobs_running", "Retrain jobs this daemon runs now.",
                                  registry=registry)
        self.last_run = Gauge("loraloop_retrain_last_run_timestamp_seconds",
                              "Unix time the domain's last run with this outcome finished.",
                              ("domain", "outcome"), registry=registry)
        self._eval_names: dict[str, set[str]] = {}

    def declare(self, domain: str, methods: Iterable[str]) -> None:
        """Create the zero-valued run counters of a domain so rate() sees the first run."""
        for method in methods:
            for outcome in OUTCOMES:
                self.runs.labels(domain, method, outcome)

    def observe_run(self, *, domain: str, method: str, outcome: str, duration_s: float,
                    metrics: Mapping[str, float], finished_at: float) -> None:
        """Count one finished job and export its eval metrics."""
        self.runs.labels(domain, method, outcome).inc()
        self.duration.labels(method).observe(max(0.0, duration_s))
        self.last_run.labels(domain, outcome).set(finished_at)
        values = {k: float(v) for k, v in metrics.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}
        if not values:
            return  # keep the last run that evaluated anything: an early failure has nothing to say
        for stale in self._eval_names.get(domain, set()) - set(values):
            self.last_eval.remove(domain, stale)
        for name, value in values.items():
            self.last_eval.labels(domain, name).set(value)
        self._eval_names[domain] = set(values)

    def set_pending(self, domain: str, pairs: int) -> None:
        """Pairs waiting to be trained on for one domain."""
        self.pairs_pending.labels(domain).set(pairs)
