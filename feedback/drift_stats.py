"""Pure statistics behind drift detection: JS divergence, PSI, rates and threshold checks."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields

import numpy as np

from loraloop.settings import setting

__all__ = [
    "DRIFT_METRICS",
    "DriftThresholds",
    "crossed",
    "js_divergence",
    "js_excess",
    "psi",
    "rate",
    "threshold_for",
    "token_distribution",
]


def token_distribution(token_id_lists: Iterable[Sequence[int]], vocab_size: int) -> np.ndarray:
    """Normalised unigram frequency of token ids over a vocabulary of `vocab_size` entries."""
    if vocab_size < 1:
        raise ValueError(f"vocab_size={vocab_size!r}: expected >= 1")
    counts = np.zeros(vocab_size, dtype=np.int64)
    for ids in token_id_lists:
        arr = np.asarray(ids, dtype=np.int64).ravel()
        if arr.size == 0:
            continue
        # An id outside the vocabulary means the caller used the wrong tokenizer; dropping it
        # silently would bias the distribution, so refuse.
        lo, hi = int(arr.min()), int(arr.max())
        if lo < 0 or hi >= vocab_size:
            bad = lo if lo < 0 else hi
            raise ValueError(f"token_id_lists: token id {bad} outside the vocabulary [0, {vocab_size})")
        counts += np.bincount(arr, minlength=vocab_size)
    total = int(counts.sum())
    if total == 0:
        raise ValueError("token_id_lists: no tokens; a distribution needs at least one")
    return counts / total


def _as_distribution(name: str, x: np.ndarray) -> np.ndarray:
    arr = np.asarray(x, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError(f"{name}: empty array")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    if np.any(arr < 0):
        raise ValueError(f"{name}: negative entries (min {arr.min()!r}); expected non-negative mass")
    total = arr.sum()
    if total <= 0:
        raise ValueError(f"{name}: total mass is 0; expected some positive entry")
    return arr / total


def _kl(p: np.ndarray, m: np.ndarray) -> float:
    # Terms with p == 0 contribute 0 (0·log 0 = 0); where p > 0, m >= p/2 > 0, so no division by 0.
    nz = p > 0
    return float(np.sum(p[nz] * np.log(p[nz] / m[nz])))


def js_divergence(p: np.ndarray, q: np.ndarray, *, base: float = 2.0) -> float:
    """Jensen–Shannon divergence of two (normalised here) distributions; base 2 bounds it in [0, 1]."""
    if not (base > 0 and base != 1 and math.isfinite(base)):
        raise ValueError(f"base={base!r}: expected a finite logarithm base > 0 and != 1")
    p_arr, q_arr = np.asarray(p), np.asarray(q)
    if p_arr.shape != q_arr.shape:
        raise ValueError(f"p and q: shapes differ ({p_arr.shape} vs {q_arr.shape})")
    pn = _as_distribution("p", p_arr)
    qn = _as_distribution("q", q_arr)
    m = 0.5 * (pn + qn)
    js = (0.5 * _kl(pn, m) + 0.5 * _kl(qn, m)) / math.log(base)
    # Rounding can leave a tiny negative (identical inputs) or overshoot log_base(2).
    return min(max(js, 0.0), math.log(2) / math.log(base))


def js_excess(reference: Sequence[Sequence[int]], current: Sequence[Sequence[int]], vocab_size: int, *,
              permutations: int = 8, seed: int = 0) -> float:
    """JS divergence of two token samples above what sampling noise alone gives (>= 0).

    Unigram JS between two finite samples over a large vocabulary is far from 0 even when both come
    from one distribution (rare tokens land on one side only). The noise level is measured by
    shuffling the pooled documents into two groups of the same sizes; the excess over its mean is
    the drift, so a 0.1 threshold means the same thing for small and large windows.
    """
    if not reference or not current:
        raise ValueError("reference and current must each hold at least one document")
    observed = js_divergence(token_distribution(reference, vocab_size), token_distribution(current, vocab_size))
    pooled = list(reference) + list(current)
    rng = np.random.default_rng(seed)
    noise = []
    for _ in range(permutations):
        order = rng.permutation(len(pooled))
        left = [pooled[i] for i in order[:len(reference)]]
        right = [pooled[i] for i in order[len(reference):]]
        noise.append(js_divergence(token_distribution(left, vocab_size), token_distribution(right, vocab_size)))
    return max(0.0, observed - float(np.mean(noise)))


def _sample(name: str, values: Sequence[float]) -> np.ndarray:
    arr = np.asarray(values, dtype=np.float64).ravel()
    if arr.size == 0:
        raise ValueError(f"{name}: empty sample")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name}: contains NaN or infinite values")
    return arr


def psi(reference: Sequence[float], current: Sequence[float], *, bins: int = 10,
        epsilon: float = 1e-4) -> float:
    """Population Stability Index (natural log) over quantile bins of the reference sample."""
    if bins < 1:
        raise ValueError(f"bins={bins!r}: expected >= 1")
    if not (epsilon > 0 and math.isfinite(epsilon)):
        raise ValueError(f"epsilon={epsilon!r}: expected a finite value > 0")
    ref = _sample("reference", reference)
    cur = _sample("current", current)
    # Interior quantile edges only: the outer bins are open-ended, so current values outside
    # the reference range land in the end bins. Ties (e.g. integer lengths, a constant
    # reference) collapse edges; dedupe them so no bin is empty by construction.
    interior = np.unique(np.quantile(ref, np.linspace(0.0, 1.0, bins + 1)[1:-1]))
    n_bins = interior.size + 1
    # side="right": bin k holds edges[k-1] <= x < edges[k] (left-closed bins).
    ref_counts = np.bincount(np.searchsorted(interior, ref, side="right"), minlength=n_bins)
    cur_counts = np.bincount(np.searchsorted(interior, cur, side="right"), minlength=n_bins)
    ref_share = np.maximum(ref_counts / ref.size, epsilon)
    cur_share = np.maximum(cur_counts / cur.size, epsilon)
    return float(np.sum((cur_share - ref_share) * np.log(cur_share / ref_share)))


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator as a ratio in [0, 1], or None when there is no data (denominator 0)."""
    if numerator < 0:
        raise ValueError(f"numerator={numerator!r}: expected >= 0")
    if denominator < 0:
        raise ValueError(f"denominator={denominator!r}: expected >= 0")
    if denominator == 0:
        return None
    if numerator > denominator:
        raise ValueError(f"numerator={numerator!r}: exceeds denominator={denominator!r}; a rate is a share")
    return numerator / denominator


@dataclass(frozen=True, kw_only=True)
class DriftThresholds:
    """Per-metric levels above which a drift metric counts as crossed (strictly greater)."""

    js: float = setting(0.1, "Jensen–Shannon divergence (base 2, in [0, 1]) of prompt token distributions.")
    psi: float = setting(0.2, "Population Stability Index of prompt and answer lengths (0.1 moderate, 0.2 major).")
    low_confidence_rate: float = setting(0.2, "Share of requests the router classified with low confidence (OOD).")
    thumbs_down_rate: float = setting(0.3, "Share of rated answers that got a thumbs-down.")
    regenerate_rate: float = setting(0.3, "Share of answers the user regenerated.")
    logprob_drop: float = setting(1.0, "Reference minus current mean prompt log-probability under the base model (nats).")

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError(f"{f.name}={value!r}: expected a finite number")
            if value < 0:
                raise ValueError(f"{f.name}={value!r}: expected >= 0")
        for name in ("js", "low_confidence_rate", "thumbs_down_rate", "regenerate_rate"):
            value = getattr(self, name)
            if value > 1:
                raise ValueError(f"{name}={value!r}: expected a share in [0, 1]")


# Metric name -> the DriftThresholds field that bounds it; the order is the order crossed() reports.
_THRESHOLD_OF: dict[str, str] = {
    "prompt_js": "js",
    "prompt_length_psi": "psi",
    "answer_length_psi": "psi",
    "low_confidence_rate": "low_confidence_rate",
    "thumbs_down_rate": "thumbs_down_rate",
    "regenerate_rate": "regenerate_rate",
    "logprob_drop": "logprob_drop",
}
DRIFT_METRICS: tuple[str, ...] = tuple(_THRESHOLD_OF)


def threshold_for(metric: str, thresholds: DriftThresholds) -> float:
    """The level a metric is compared with."""
    return getattr(thresholds, _THRESHOLD_OF[metric])


def crossed(metrics: Mapping[str, float | None], thresholds: DriftThresholds) -> list[str]:
    """Names of the metrics strictly above their threshold, in DRIFT_METRICS order (None = no data)."""
    unknown = sorted(set(metrics) - set(_THRESHOLD_OF))
    if unknown:
        raise ValueError(f"metrics: unknown metric name(s) {unknown}; expected some of {list(DRIFT_METRICS)}")
    out: list[str] = []
    for name in DRIFT_METRICS:
        value = metrics.get(name)
        if value is None:
            continue
        if math.isnan(value):
            # NaN compares False with everything; it would hide drift instead of reporting it.
            raise ValueError(f"metrics[{name!r}]={value!r}: NaN; pass None when there is no data")
        if value > getattr(thresholds, _THRESHOLD_OF[name]):
            out.append(name)
    return out
