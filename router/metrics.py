"""Prometheus metrics of canary rollouts, declared on a registry the owner passes in.

The names are a contract with deploy/ (dashboards and alerts). Labels are bounded by config:
domains by the adapter store, arms, outcomes, decisions and states by fixed tuples.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

from loraloop.router.arms import CANARY, STABLE
from loraloop.router.rollout_model import DECISIONS, STATUSES, RolloutState
from loraloop.router.rollout_rules import ArmPair

__all__ = ["CONFIDENCE_BUCKETS", "OUTCOMES", "RolloutMetrics", "RouteMetrics"]

OUTCOMES = ("answers", "rated", "thumbs_up", "thumbs_down", "regenerate", "error")
_FIELD_OF = {"answers": "answers", "rated": "rated", "thumbs_up": "thumbs_up", "thumbs_down": "thumbs_down",
             "regenerate": "regenerated", "error": "errors"}


class RolloutMetrics:
    """Canary weight, per-arm counts, transitions and the current state of each domain's rollout."""

    def __init__(self, registry: CollectorRegistry):
        self.canary_weight = Gauge(
            "loraloop_router_canary_weight_ratio",
            "Share of the domain's units routed to the canary arm now (0 when no rollout is active).",
            ("domain",), registry=registry)
        self.arm_answers = Gauge(
            "loraloop_router_rollout_arm_answers",
            "Per-arm counts of the domain's current rollout since it started (outcome: answers, rated, "
            "thumbs_up, thumbs_down, regenerate, error).",
            ("domain", "arm", "outcome"), registry=registry)
        self.transitions = Counter(
            "loraloop_router_rollout_transitions_total",
            "Rollout transitions this process made, by decision.",
            ("domain", "decision"), registry=registry)
        self.state = Gauge(
            "loraloop_router_rollout_state",
            "1 for the status of the domain's latest rollout, 0 for the others.",
            ("domain", "state"), registry=registry)

    def declare(self, domains: Iterable[str]) -> None:
        """Export zeros for domains without a rollout yet, so rate() and alerts see the first transition."""
        for domain in domains:
            self.canary_weight.labels(domain)
            for decision in DECISIONS:
                self.transitions.labels(domain, decision)

    def observe_state(self, state: RolloutState) -> None:
        """Export a rollout's weight and status."""
        self.canary_weight.labels(state.domain).set(state.weight_pct / 100.0 if state.active else 0.0)
        for status in STATUSES:
            self.state.labels(state.domain, status).set(1.0 if status == state.status else 0.0)

    def observe_counts(self, domain: str, counts: ArmPair) -> None:
        """Export both arms' counts (the rollout's total window)."""
        for arm, arm_counts in ((STABLE, counts.stable), (CANARY, counts.canary)):
            for outcome in OUTCOMES:
                self.arm_answers.labels(domain, arm, outcome).set(getattr(arm_counts, _FIELD_OF[outcome]))

    def count_transition(self, domain: str, decision: str) -> None:
        """Count one transition."""
        self.transitions.labels(domain, decision).inc()


CONFIDENCE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)


class RouteMetrics:
    """What the intent router decided for requests that left the adapter to it."""

    def __init__(self, registry: CollectorRegistry):
        self.routes = Counter("loraloop_router_routes_total",
                              "Routed requests by the domain the router chose ('general' = the base model).",
                              ("domain",), registry=registry)
        self.low_confidence = Counter("loraloop_router_low_confidence_total",
                                      "Routed requests below min_confidence, answered by the base model.",
                                      registry=registry)
        self.confidence = Histogram("loraloop_router_confidence_ratio", "Confidence of each route.",
                                    buckets=CONFIDENCE_BUCKETS, registry=registry)

    def observe(self, domain: str, confidence: float, low_confidence: bool) -> None:
        """Count one routed request."""
        self.routes.labels(domain).inc()
        self.confidence.observe(confidence)
        if low_confidence:
            self.low_confidence.inc()
