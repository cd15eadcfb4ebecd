"""RolloutConfig: how canary rollouts advance, roll back and conclude; and `check_schedule`, the one rule of a
canary schedule that every config naming one (rollout, retrain job, simulation) applies.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from loraloop.settings import ConfigError, check_fields, setting

__all__ = ["ROLLOUT_METRICS", "RolloutConfig", "check_schedule"]

ROLLOUT_METRICS = ("thumbs_up_rate",)


def check_schedule(name: str, values: Any, *, allow_empty: bool = False) -> tuple[float, ...]:
    """The canary weights as floats: increasing, in (0, 100], ending at 100; ConfigError naming `name` otherwise.

    `allow_empty` lets () through for a field where empty means "the server's default schedule".
    """
    try:  # CLI flags give strings and JSON gives lists; keep floats so equal schedules compare equal
        weights = tuple(float(w) for w in values) if isinstance(values, tuple | list) else None
    except (TypeError, ValueError):
        weights = None
    if weights is None:
        raise ConfigError(name, values, "expected a sequence of percentages")
    if allow_empty and not weights:
        return weights
    if len(weights) < 2:
        raise ConfigError(name, weights, "expected at least one canary step below 100, then 100")
    if not all(0.0 < w <= 100.0 for w in weights):
        raise ConfigError(name, weights, "expected weights in (0, 100] percent")
    if not all(a < b for a, b in itertools.pairwise(weights)):
        raise ConfigError(name, weights, "expected strictly increasing weights")
    if weights[-1] != 100.0:
        raise ConfigError(name, weights, "expected the last step to be 100 (promotion)")
    return weights


@dataclass(frozen=True, kw_only=True)
class RolloutConfig:
    """How canary rollouts advance, roll back and conclude (ARCHITECTURE.md, "Rollout"); rates are 0–1 shares."""

    schedule: tuple[float, ...] = setting(
        (5.0, 25.0, 50.0, 100.0),
        "Canary weights in percent of units, increasing, in (0, 100], ending at 100 (reaching it = promotion).")
    min_rated_per_step: int = setting(
        200, "Rated answers (latest thumbs up or down) each arm needs within a step before it may advance.",
        integer=True, ge=1)
    primary_metric: str = setting(
        "thumbs_up_rate", "Metric the sequential test judges: thumbs_up_rate = thumbs-up share of rated answers.",
        choices=ROLLOUT_METRICS)
    alpha: float = setting(
        0.05, "Error probability of the always-valid sequential test (chance its confidence sequence ever misses).",
        gt=0, lt=1, what="probability")
    mixing_tau: float = setting(
        0.05, "Std dev of the mSPRT's normal mixing prior on the rate difference: the effect size expected.",
        gt=0, le=1, what="rate difference")
    non_inferiority_margin: float = setting(
        0.05, "Thumbs-up rate drop the canary may have and still be 'not worse' (0.05 = 5 points).",
        ge=0, lt=1, what="rate difference")
    test_min_rated: int = setting(
        30, "Rated answers each arm needs since the rollout started before the test is read (normal approximation).",
        integer=True, ge=1)
    max_rated_at_last_step: int = setting(
        5000, "Rated answers per arm at the last canary step after which an undecided test concludes 'inconclusive' "
              "(hold).", integer=True, ge=1)
    guardrail_min_answers: int = setting(
        50, "Requests, answers or rated answers (the guardrail's denominator) each arm needs in a step before a "
            "guardrail can fire.", integer=True, ge=1)
    max_error_rate_increase: float = setting(
        0.02, "Failed-request share the canary may add over stable before it is rolled back.",
        gt=0, le=1, what="rate increase")
    min_errors: int = setting(
        5, "Canary errors within a step before the error-rate guardrail can fire.", integer=True, ge=1)
    max_p95_latency_ratio: float = setting(
        1.5, "Canary p95 latency over stable p95 latency above which the canary is rolled back.",
        ge=1, finite=True, what="ratio")
    max_regenerate_rate_increase: float = setting(
        0.05, "Regenerated-answer share the canary may add over stable before it is rolled back.",
        gt=0, le=1, what="rate increase")
    min_regenerates: int = setting(
        5, "Regenerated canary answers within a step before the regenerate guardrail can fire.", integer=True, ge=1)
    max_thumbs_down_rate_increase: float = setting(
        0.10, "Thumbs-down share of rated answers the canary may add over stable before it is rolled back.",
        gt=0, le=1, what="rate increase")
    min_thumbs_down: int = setting(
        10, "Thumbs-down canary answers within a step before the thumbs-down guardrail can fire.", integer=True, ge=1)
    guardrail_confidence: float = setting(
        0.95, "Confidence a rate guardrail needs that the canary's rate is really above stable's (one-sided "
              "two-proportion z-test) before it rolls back; noise at small samples must not.",
        ge=0.5, lt=1, what="confidence")
    tick_interval_s: float = setting(
        30.0, "Seconds between two controller looks at the feedback store.", gt=0, finite=True, what="number of seconds")

    def __post_init__(self) -> None:
        object.__setattr__(self, "schedule", check_schedule("schedule", self.schedule))
        check_fields(self)
        if self.max_rated_at_last_step < self.min_rated_per_step:
            raise ConfigError("max_rated_at_last_step", self.max_rated_at_last_step,
                              f"must be >= min_rated_per_step={self.min_rated_per_step}")
