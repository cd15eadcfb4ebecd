"""The controller's decisions as pure functions of per-arm counts: guardrails, step sample, sequential test.

Two windows feed a decision. The step window (answers since the current weight took effect) drives
the guardrails and the step's sample: "is the canary hurting at this weight?". The total window
(answers since the rollout started) drives the sequential test, which is valid however often it
is read, so it keeps all the evidence.

Guardrails are circuit breakers, not tests: a canary rate that exceeds stable's by more than the
allowed increase rolls back at once, but only after the canary has `min_*` bad events and each arm
has `guardrail_min_answers` in the guardrail's denominator, so one bad answer does not roll back.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from statistics import NormalDist
from typing import Any

from loraloop.config import RolloutConfig
from loraloop.router.rollout_model import RUNNING, RolloutState
from loraloop.router.sequential import ProportionsResult, compare_proportions, non_inferiority

__all__ = ["ArmCounts", "ArmPair", "Judgement", "guardrail_breaches", "judge"]


def _share(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True, kw_only=True)
class ArmCounts:
    """What one arm did in a window. `rated`, `thumbs_up`, `thumbs_down` count each answer's latest thumbs."""

    answers: int = 0
    rated: int = 0
    thumbs_up: int = 0
    thumbs_down: int = 0
    regenerated: int = 0       # answers with at least one REGENERATE
    errors: int = 0            # failed requests (server-side statuses)
    p95_latency_s: float | None = None

    @property
    def requests(self) -> int:
        """Answers plus failed requests."""
        return self.answers + self.errors

    @property
    def error_rate(self) -> float | None:
        """Failed share of requests."""
        return _share(self.errors, self.requests)

    @property
    def thumbs_up_rate(self) -> float | None:
        """Thumbs-up share of rated answers (the primary metric)."""
        return _share(self.thumbs_up, self.rated)

    @property
    def thumbs_down_rate(self) -> float | None:
        """Thumbs-down share of rated answers (as the drift metric of the same name)."""
        return _share(self.thumbs_down, self.rated)

    @property
    def regenerate_rate(self) -> float | None:
        """Share of answers the user regenerated."""
        return _share(self.regenerated, self.answers)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly counts."""
        return asdict(self)


@dataclass(frozen=True, kw_only=True)
class ArmPair:
    """Both arms' counts over the same window."""

    stable: ArmCounts
    canary: ArmCounts

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly counts by arm."""
        return {"stable": self.stable.as_dict(), "canary": self.canary.as_dict()}


@dataclass(frozen=True, kw_only=True)
class Judgement:
    """What the controller should do now: a decision (None = keep going), why, and the test it read."""

    decision: str | None       # advance, promote, rollback, inconclusive, or None
    reason: str
    test: ProportionsResult | None
    verdict: str               # not_worse, worse, inconclusive, or not_read (too few ratings)


# name, rate property, denominator property, bad-event field, max-increase field, min-count field
_RATE_GUARDRAILS = (
    ("error_rate", "error_rate", "requests", "errors", "max_error_rate_increase", "min_errors"),
    ("regenerate_rate", "regenerate_rate", "answers", "regenerated", "max_regenerate_rate_increase",
     "min_regenerates"),
    ("thumbs_down_rate", "thumbs_down_rate", "rated", "thumbs_down", "max_thumbs_down_rate_increase",
     "min_thumbs_down"),
)


def _z_increase(stable_events: int, stable_n: int, canary_events: int, canary_n: int) -> float:
    """One-sided two-proportion z statistic (pooled) for "the canary's rate is above stable's"."""
    pooled = (stable_events + canary_events) / (stable_n + canary_n)
    se = math.sqrt(pooled * (1 - pooled) * (1 / stable_n + 1 / canary_n))
    diff = canary_events / canary_n - stable_events / stable_n
    return diff / se if se > 0 else (math.inf if diff > 0 else 0.0)


def guardrail_breaches(step: ArmPair, rules: RolloutConfig) -> list[str]:
    """One reason per guardrail the canary breaks in this window, naming it and both arms' values."""
    stable, canary = step.stable, step.canary
    z_needed = NormalDist().inv_cdf(rules.guardrail_confidence)
    out = []
    for name, rate, denominator, events, max_field, min_field in _RATE_GUARDRAILS:
        s_den, c_den, c_events = getattr(stable, denominator), getattr(canary, denominator), getattr(canary, events)
        if c_events < getattr(rules, min_field) or min(s_den, c_den) < rules.guardrail_min_answers:
            continue
        s_rate, c_rate, limit = getattr(stable, rate), getattr(canary, rate), getattr(rules, max_field)
        z = _z_increase(getattr(stable, events), s_den, c_events, c_den)
        # Both: an increase above the limit, and one that noise at this sample size does not explain.
        # Looking every tick inflates the false-alarm rate of this fixed-sample test; a false alarm
        # costs a canary, not users, so the guardrail errs on the side of rolling back.
        if c_rate - s_rate > limit and z >= z_needed:
            out.append(f"{name} guardrail: canary {c_rate:.3f} vs stable {s_rate:.3f} (+{c_rate - s_rate:.3f} > "
                       f"max +{limit:.3f}, z={z:.2f}; canary {c_events}/{c_den}, stable {getattr(stable, events)}/{s_den})")
    s_p95, c_p95 = stable.p95_latency_s, canary.p95_latency_s
    if (min(stable.answers, canary.answers) >= rules.guardrail_min_answers and s_p95 and c_p95 is not None
            and c_p95 / s_p95 > rules.max_p95_latency_ratio):
        out.append(f"p95_latency guardrail: canary {c_p95:.3f}s vs stable {s_p95:.3f}s (ratio {c_p95 / s_p95:.2f} "
                   f"> max {rules.max_p95_latency_ratio:.2f}; {canary.answers} vs {stable.answers} answers)")
    return out


def _describe(test: ProportionsResult, rules: RolloutConfig) -> str:
    return (f"thumbs-up rate canary - stable {test.theta_hat:+.3f}, {1 - rules.alpha:.0%} always-valid confidence "
            f"sequence [{test.lower:+.3f}, {test.upper:+.3f}], p={test.p_value:.3g}, "
            f"{test.n_canary} vs {test.n_stable} rated")


def judge(state: RolloutState, step: ArmPair, total: ArmPair, rules: RolloutConfig) -> Judgement:
    """The decision for one rollout from its step-window and total-window counts.

    Any active rollout rolls back on a guardrail breach or a "worse" test; only a running one
    advances (step sample met), promotes (last canary step, sample met, "not worse") or concludes
    "inconclusive" (last canary step, `max_rated_at_last_step` reached, test undecided).
    """
    test, verdict = None, "not_read"
    if min(total.stable.rated, total.canary.rated) >= rules.test_min_rated:
        test = compare_proportions(total.stable.thumbs_up, total.stable.rated, total.canary.thumbs_up,
                                   total.canary.rated, tau=rules.mixing_tau, alpha=rules.alpha)
        verdict = non_inferiority(test, rules.non_inferiority_margin)
    breaches = guardrail_breaches(step, rules)
    if breaches:
        return Judgement(decision="rollback", reason="; ".join(breaches), test=test, verdict=verdict)
    margin = rules.non_inferiority_margin
    if verdict == "worse":
        return Judgement(decision="rollback", test=test, verdict=verdict,
                         reason=f"sequential test: canary worse than stable by more than {margin:.3f}: "
                                + _describe(test, rules))
    sample = min(step.stable.rated, step.canary.rated)
    if state.status != RUNNING:
        return Judgement(decision=None, reason=f"{state.status}: only guardrails and the test act", test=test,
                         verdict=verdict)
    if sample < rules.min_rated_per_step:
        return Judgement(decision=None, test=test, verdict=verdict,
                         reason=f"step sample {sample}/{rules.min_rated_per_step} rated answers per arm")
    step_text = (f"step {state.step_index + 1} at {state.weight_pct:g}%: {step.canary.rated} canary and "
                 f"{step.stable.rated} stable rated answers (min {rules.min_rated_per_step}), no guardrail fired")
    if not state.at_last_canary_step:
        return Judgement(decision="advance", reason=step_text, test=test, verdict=verdict)
    if verdict == "not_worse":
        return Judgement(decision="promote", test=test, verdict=verdict,
                         reason=f"{step_text}; sequential test: canary not worse than stable (margin {margin:.3f}): "
                                + _describe(test, rules))
    if sample >= rules.max_rated_at_last_step:
        described = _describe(test, rules) if test else "test not read"
        return Judgement(decision="inconclusive", test=test, verdict=verdict,
                         reason=f"{sample} rated answers per arm at the last canary step (max "
                                f"{rules.max_rated_at_last_step}) and the test is undecided: {described}; holding")
    return Judgement(decision=None, reason=f"{step_text}; test undecided, collecting", test=test, verdict=verdict)
