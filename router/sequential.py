"""Always-valid sequential test for the difference of two proportions: mSPRT with a normal mixing prior.

Reference: R. Johari, L. Pekelis, D. Walsh, "Always Valid Inference: Continuous Monitoring of A/B
Tests", Operations Research 70(3), 2022 (arXiv:1512.04922), and Johari, Koomen, Pekelis, Walsh,
"Peeking at A/B Tests", KDD 2017.

Model. Arm s (stable) has x_s thumbs-up among n_s rated answers, arm c (canary) x_c among n_c. The
difference θ = p_c − p_s is estimated by θ̂ = x_c/n_c − x_s/n_s, approximately N(θ, v) with

    v = p_c(1 − p_c)/n_c + p_s(1 − p_s)/n_s.

The rates inside v are the add-half estimates (x + 1/2)/(n + 1): an arm whose few ratings are all
up (or all down) otherwise gets variance 0 and a zero-width interval. θ̂ itself is the plain
difference.

mSPRT. Against H0: θ = θ0, mix the alternative over θ ~ N(θ0, τ²). The ratio of the mixture
likelihood to the H0 likelihood of θ̂ is

    Λ(θ0) = sqrt(v / (v + τ²)) · exp( τ² (θ̂ − θ0)² / (2 v (v + τ²)) ).

With n paired observations of per-pair variance V (v = V/n) this is the paper's form
Λ_n = sqrt(V/(V + nτ²)) · exp(n²τ²(θ̂ − θ0)² / (2V(V + nτ²))). Under H0 (Gaussian, known variance)
Λ is a nonnegative martingale with mean 1, so by Ville's inequality P(∃ n: Λ_n ≥ 1/α) ≤ α: the
test may be read after every answer and still errs with probability at most α. For proportions the
variance is plugged in, so the guarantee is asymptotic (hence a minimum sample before reading it).

Always-valid p-value: p_n = min(1, 1/Λ_n(0)) (and its running minimum over looks, also valid).

Confidence sequence: {θ0 : Λ(θ0) < 1/α}, which solves in closed form to θ̂ ± r with

    r = sqrt( v (v + τ²) / τ² · (2 log(1/α) + log((v + τ²) / v)) ),

so that P(∃ n: θ ∉ [θ̂_n − r_n, θ̂_n + r_n]) ≤ α.

Non-inferiority with margin m ≥ 0 (a canary may be up to m worse and still ship):
"not_worse" when the lower bound > −m, "worse" when the upper bound < −m (worse by more than the
margin), else "inconclusive". The two are exclusive (lower ≤ upper), and a canary exactly at the
margin stays inconclusive forever, which is why a rollout also caps its sample.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = ["VERDICTS", "ProportionsResult", "compare_proportions", "confidence_radius", "msprt_log_statistic",
           "msprt_statistic", "non_inferiority", "running_p_values"]

Verdict = Literal["not_worse", "worse", "inconclusive"]
VERDICTS: tuple[Verdict, ...] = ("not_worse", "worse", "inconclusive")
_MAX_LOG = 700.0  # exp(709.8) overflows a float; such a Λ is "certain" anyway


def _check(variance: float, tau: float) -> None:
    if not variance > 0 or math.isinf(variance):
        raise ValueError(f"variance={variance!r}: expected a finite number > 0")
    if not tau > 0 or math.isinf(tau):
        raise ValueError(f"tau={tau!r}: expected a finite number > 0")


def msprt_log_statistic(theta_hat: float, variance: float, tau: float, theta0: float = 0.0) -> float:
    """log Λ: the mSPRT statistic of an estimate with sampling variance `variance` against θ = theta0."""
    _check(variance, tau)
    tau2 = tau * tau
    return 0.5 * math.log(variance / (variance + tau2)) + tau2 * (theta_hat - theta0) ** 2 / (
        2.0 * variance * (variance + tau2))


def msprt_statistic(theta_hat: float, variance: float, tau: float, theta0: float = 0.0) -> float:
    """Λ: the mixture likelihood ratio (normal prior N(theta0, tau²)) of the estimate against θ = theta0."""
    return math.exp(min(msprt_log_statistic(theta_hat, variance, tau, theta0), _MAX_LOG))


def confidence_radius(variance: float, tau: float, alpha: float) -> float:
    """Half-width of the always-valid (1 − alpha) confidence sequence at an estimate of this variance."""
    _check(variance, tau)
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha={alpha!r}: expected a probability in (0, 1)")
    tau2 = tau * tau
    return math.sqrt(variance * (variance + tau2) / tau2
                     * (2.0 * math.log(1.0 / alpha) + math.log((variance + tau2) / variance)))


def running_p_values(statistics: Iterable[float]) -> list[float]:
    """The always-valid p-value after each look: p_n = min(p_(n−1), 1/Λ_n), p_0 = 1."""
    out, p = [], 1.0
    for value in statistics:
        p = min(p, 1.0 / value if value > 0 else math.inf)
        out.append(p)
    return out


@dataclass(frozen=True, kw_only=True)
class ProportionsResult:
    """One look at the test: the estimate of p_canary − p_stable, its confidence sequence and p-value."""

    n_stable: int
    n_canary: int
    theta_hat: float   # canary rate minus stable rate
    variance: float    # sampling variance of theta_hat (add-half rates); inf without data
    lower: float       # always-valid confidence sequence, clipped to [-1, 1]
    upper: float
    p_value: float     # always-valid p-value of H0: the rates are equal

    def as_dict(self) -> dict[str, float]:
        """JSON-friendly values (rounded) for events and logs."""
        return {"theta_hat": round(self.theta_hat, 6), "lower": round(self.lower, 6),
                "upper": round(self.upper, 6), "p_value": round(self.p_value, 6)}


def _arm(successes: int, trials: int, name: str) -> None:
    if trials < 0 or not 0 <= successes <= max(trials, 0):
        raise ValueError(f"{name}: {successes} successes in {trials} trials is impossible")


def compare_proportions(successes_stable: int, n_stable: int, successes_canary: int, n_canary: int, *,
                        tau: float, alpha: float) -> ProportionsResult:
    """The mSPRT look at the counts so far; with an empty arm the sequence is all of [-1, 1]."""
    _arm(successes_stable, n_stable, "stable")
    _arm(successes_canary, n_canary, "canary")
    if n_stable == 0 or n_canary == 0:
        return ProportionsResult(n_stable=n_stable, n_canary=n_canary, theta_hat=0.0, variance=math.inf,
                                 lower=-1.0, upper=1.0, p_value=1.0)
    theta_hat = successes_canary / n_canary - successes_stable / n_stable
    variance = sum(p * (1.0 - p) / n for p, n in (((successes_stable + 0.5) / (n_stable + 1), n_stable),
                                                    ((successes_canary + 0.5) / (n_canary + 1), n_canary)))
    radius = confidence_radius(variance, tau, alpha)
    p_value = min(1.0, math.exp(-msprt_log_statistic(theta_hat, variance, tau)))
    return ProportionsResult(n_stable=n_stable, n_canary=n_canary, theta_hat=theta_hat, variance=variance,
                             lower=max(-1.0, theta_hat - radius), upper=min(1.0, theta_hat + radius),
                             p_value=p_value)


def non_inferiority(result: ProportionsResult, margin: float) -> Verdict:
    """'not_worse' (lower > −margin), 'worse' (upper < −margin) or 'inconclusive'."""
    if not 0.0 <= margin < 1.0:
        raise ValueError(f"margin={margin!r}: expected a rate difference in [0, 1)")
    if result.lower > -margin:
        return "not_worse"
    if result.upper < -margin:
        return "worse"
    return "inconclusive"
