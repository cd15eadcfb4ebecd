"""Drift statistics: JS divergence, PSI, token distributions, rates and threshold crossing."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from loraloop.feedback import drift_stats
from loraloop.feedback.drift_stats import (
    DRIFT_METRICS,
    DriftThresholds,
    crossed,
    js_divergence,
    js_excess,
    psi,
    rate,
    token_distribution,
)

# --- token_distribution ---------------------------------------------------------------


def test_token_distribution_sums_to_one_and_counts_every_token():
    dist = token_distribution([[0, 1, 1], [3], [], (1, 3)], vocab_size=5)
    assert dist.shape == (5,)
    assert dist.sum() == pytest.approx(1.0, abs=1e-12)
    # 6 tokens: 0 x1, 1 x3, 3 x2; ids 2 and 4 unseen.
    np.testing.assert_allclose(dist, [1 / 6, 3 / 6, 0.0, 2 / 6, 0.0])


def test_token_distribution_accepts_a_generator():
    dist = token_distribution((np.array([i, i]) for i in range(4)), vocab_size=4)
    np.testing.assert_allclose(dist, [0.25] * 4)


@pytest.mark.parametrize(
    ("lists", "vocab_size", "match"),
    [
        ([[0, 5]], 5, "token_id_lists: token id 5"),
        ([[-1, 0]], 5, "token_id_lists: token id -1"),
        ([[], []], 5, "token_id_lists: no tokens"),
        ([], 5, "token_id_lists: no tokens"),
        ([[0]], 0, "vocab_size=0"),
    ],
)
def test_token_distribution_rejects_bad_input(lists, vocab_size, match):
    with pytest.raises(ValueError, match=match):
        token_distribution(lists, vocab_size)


# --- js_divergence --------------------------------------------------------------------


def test_js_of_identical_distributions_is_zero():
    p = np.array([0.1, 0.2, 0.3, 0.4])
    assert js_divergence(p, p.copy()) == pytest.approx(0.0, abs=1e-12)


def test_js_of_disjoint_distributions_is_one_in_base_two():
    assert js_divergence(np.array([0.5, 0.5, 0.0, 0.0]), np.array([0.0, 0.0, 0.3, 0.7])) == pytest.approx(1.0, abs=1e-12)


def test_js_is_symmetric():
    rng = np.random.default_rng(0)
    p, q = rng.random(50), rng.random(50)
    p[:10] = 0.0  # zeros on one side only exercise the 0·log 0 convention
    assert js_divergence(p, q) == pytest.approx(js_divergence(q, p), abs=1e-15)
    assert 0.0 < js_divergence(p, q) < 1.0


def test_js_hand_computed_two_bin_example():
    # p = (1, 0), q = (1/2, 1/2), m = (3/4, 1/4):
    # KL(p||m) = log2(4/3); KL(q||m) = 1/2 log2(2/3) + 1/2 log2(2)
    # JS = 1/2 KL(p||m) + 1/2 KL(q||m) = 3/2 - 3/4 log2(3) ≈ 0.311278
    expected = 1.5 - 0.75 * math.log2(3)
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5])) == pytest.approx(expected, abs=1e-9)
    # Unnormalised counts are normalised first.
    assert js_divergence(np.array([2, 0]), np.array([7, 7])) == pytest.approx(expected, abs=1e-9)
    # Natural log: the same divergence times ln 2, bounded by ln 2.
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.5, 0.5]), base=math.e) == pytest.approx(
        expected * math.log(2), abs=1e-9)


def test_js_accepts_token_distributions():
    ref = token_distribution([[0, 0, 1]], vocab_size=3)
    cur = token_distribution([[2, 2, 2]], vocab_size=3)
    assert js_divergence(ref, cur) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("p", "q", "kwargs", "match"),
    [
        ([0.5, 0.5], [1.0, 0.0, 0.0], {}, "p and q: shapes differ"),
        ([0.5, -0.5, 1.0], [1.0, 0.0, 0.0], {}, "p: negative"),
        ([0.5, 0.5], [1.5, -0.5], {}, "q: negative"),
        ([0.0, 0.0], [1.0, 0.0], {}, "p: total mass is 0"),
        ([1.0, 0.0], [0.0, 0.0], {}, "q: total mass is 0"),
        ([], [], {}, "p: empty"),
        ([math.nan, 1.0], [1.0, 0.0], {}, "p: contains NaN"),
        ([1.0, 0.0], [math.inf, 1.0], {}, "q: contains NaN or infinite"),
        ([1.0, 0.0], [0.0, 1.0], {"base": 1.0}, "base=1.0"),
        ([1.0, 0.0], [0.0, 1.0], {"base": 0.0}, "base=0.0"),
    ],
)
def test_js_rejects_bad_input(p, q, kwargs, match):
    with pytest.raises(ValueError, match=match):
        js_divergence(np.array(p, dtype=float), np.array(q, dtype=float), **kwargs)


# --- psi ------------------------------------------------------------------------------


def test_psi_of_identical_samples_is_zero():
    sample = np.random.default_rng(1).normal(size=500)
    assert psi(sample, sample.copy()) == pytest.approx(0.0, abs=1e-12)


def test_psi_of_two_samples_from_one_distribution_is_small():
    rng = np.random.default_rng(2)
    assert psi(rng.normal(size=20_000), rng.normal(size=20_000)) < 0.01


def test_psi_of_a_shifted_distribution_exceeds_major_shift_level():
    rng = np.random.default_rng(3)
    value = psi(rng.normal(0.0, 1.0, size=5000), rng.normal(1.0, 1.0, size=5000))
    # A one-sigma mean shift gives PSI near 1 with deciles; 0.2 is the usual "major shift" level.
    assert value > 0.2
    assert 0.5 < value < 2.0


def test_psi_hand_computed_two_bin_example():
    # Reference [1, 2, 3, 4] with 2 bins: the median 2.5 is the only edge; shares (1/2, 1/2).
    # Current [1, 1, 1, 4]: shares (3/4, 1/4).
    # PSI = (3/4 - 1/2) ln(3/2) + (1/4 - 1/2) ln(1/2) = 1/4 ln 3
    assert psi([1, 2, 3, 4], [1, 1, 1, 4], bins=2) == pytest.approx(0.25 * math.log(3), abs=1e-12)


def test_psi_sends_out_of_range_values_to_end_bins_and_floors_empty_bins():
    # Every current value lies above the reference maximum, so all land in the top bin;
    # the empty bottom bin is floored at epsilon instead of giving log(0).
    eps = 1e-4
    expected = (eps - 0.5) * math.log(eps / 0.5) + (1.0 - 0.5) * math.log(1.0 / 0.5)
    assert psi([1, 2, 3, 4], [50, 60, 70, 80], bins=2, epsilon=eps) == pytest.approx(expected, abs=1e-12)
    assert psi([1, 2, 3, 4], [-50, 0, 0.5, 1.5], bins=2, epsilon=eps) == pytest.approx(expected, abs=1e-12)


def test_psi_with_constant_reference_is_finite():
    # All edges collapse to 3; bins become (< 3) and (>= 3). Reference shares (eps, 1),
    # current [1, 3, 5] shares (1/3, 2/3).
    eps = 1e-4
    value = psi([3.0] * 10, [1.0, 3.0, 5.0], epsilon=eps)
    expected = (1 / 3 - eps) * math.log((1 / 3) / eps) + (2 / 3 - 1.0) * math.log(2 / 3)
    assert math.isfinite(value)
    assert value == pytest.approx(expected, abs=1e-12)
    assert psi([3.0] * 10, [3.0] * 4) == pytest.approx(0.0, abs=1e-12)


def test_psi_with_integer_lengths_dedupes_tied_edges():
    # Lengths with heavy ties: deciles repeat, so fewer than 10 bins remain; PSI still works.
    ref = [5] * 50 + [6] * 30 + [7] * 20
    assert psi(ref, ref) == pytest.approx(0.0, abs=1e-12)
    assert psi(ref, [7] * 100) > 0.2


@pytest.mark.parametrize(
    ("reference", "current", "kwargs", "match"),
    [
        ([], [1.0], {}, "reference: empty"),
        ([1.0], [], {}, "current: empty"),
        ([1.0, math.nan], [1.0], {}, "reference: contains NaN"),
        ([1.0], [math.inf], {}, "current: contains NaN or infinite"),
        ([1.0], [1.0], {"bins": 0}, "bins=0"),
        ([1.0], [1.0], {"epsilon": 0.0}, "epsilon=0.0"),
    ],
)
def test_psi_rejects_bad_input(reference, current, kwargs, match):
    with pytest.raises(ValueError, match=match):
        psi(reference, current, **kwargs)


# --- rate -----------------------------------------------------------------------------


def test_rate():
    assert rate(3, 12) == pytest.approx(0.25)
    assert rate(0, 5) == 0.0
    assert rate(5, 5) == 1.0
    assert rate(0, 0) is None


@pytest.mark.parametrize(
    ("numerator", "denominator", "match"),
    [(-1, 5, "numerator=-1"), (1, -5, "denominator=-5"), (6, 5, "numerator=6")],
)
def test_rate_rejects_bad_counts(numerator, denominator, match):
    with pytest.raises(ValueError, match=match):
        rate(numerator, denominator)


# --- DriftThresholds ------------------------------------------------------------------


def test_drift_thresholds_defaults_and_help():
    t = DriftThresholds()
    assert (t.js, t.psi, t.low_confidence_rate, t.thumbs_down_rate, t.regenerate_rate, t.logprob_drop) == (
        0.1, 0.2, 0.2, 0.3, 0.3, 1.0)
    for f in dataclasses.fields(DriftThresholds):
        assert f.metadata.get("help"), f"{f.name} has no help text"
    with pytest.raises(dataclasses.FrozenInstanceError):
        t.js = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        DriftThresholds(0.1)  # type: ignore[misc]  # keyword-only


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"js": -0.1}, r"js=-0\.1"),
        ({"js": 1.5}, r"js=1\.5"),
        ({"psi": -1.0}, r"psi=-1\.0"),
        ({"psi": math.nan}, r"psi=nan"),
        ({"low_confidence_rate": 2.0}, r"low_confidence_rate=2\.0"),
        ({"thumbs_down_rate": -0.01}, r"thumbs_down_rate=-0\.01"),
        ({"regenerate_rate": 1.01}, r"regenerate_rate=1\.01"),
        ({"logprob_drop": -2.0}, r"logprob_drop=-2\.0"),
        ({"logprob_drop": math.inf}, r"logprob_drop=inf"),
        ({"js": "0.1"}, r"js='0\.1'"),
    ],
)
def test_drift_thresholds_validation_names_field_and_value(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DriftThresholds(**kwargs)


def test_drift_thresholds_accept_edges():
    t = DriftThresholds(js=0.0, psi=0.0, low_confidence_rate=1.0, thumbs_down_rate=1.0,
                        regenerate_rate=0.0, logprob_drop=0.0)
    assert t.low_confidence_rate == 1.0 and t.logprob_drop == 0.0


# --- crossed --------------------------------------------------------------------------

DEFAULTS = DriftThresholds()


@pytest.mark.parametrize(
    ("metrics", "thresholds", "expected"),
    [
        ({}, DEFAULTS, []),
        ({name: None for name in DRIFT_METRICS}, DEFAULTS, []),
        ({"prompt_js": 0.05, "prompt_length_psi": 0.1, "logprob_drop": 0.5}, DEFAULTS, []),
        ({"prompt_js": 0.15}, DEFAULTS, ["prompt_js"]),
        ({"prompt_js": 0.1}, DEFAULTS, []),  # equal is not over
        ({"prompt_length_psi": 0.25, "answer_length_psi": 0.19}, DEFAULTS, ["prompt_length_psi"]),
        ({"answer_length_psi": 0.3}, DEFAULTS, ["answer_length_psi"]),
        ({"low_confidence_rate": 0.21, "thumbs_down_rate": 0.3, "regenerate_rate": 0.31}, DEFAULTS,
         ["low_confidence_rate", "regenerate_rate"]),
        ({"thumbs_down_rate": 0.5, "regenerate_rate": None}, DEFAULTS, ["thumbs_down_rate"]),
        ({"logprob_drop": 1.5}, DEFAULTS, ["logprob_drop"]),
        ({"logprob_drop": -3.0}, DEFAULTS, []),  # log-prob went up: no drop
        ({"prompt_js": 0.15}, DriftThresholds(js=0.2), []),
        ({"logprob_drop": 0.5}, DriftThresholds(logprob_drop=0.25), ["logprob_drop"]),
        # Reported in DRIFT_METRICS order, not the mapping's order.
        ({"logprob_drop": 9.0, "regenerate_rate": 1.0, "thumbs_down_rate": 1.0, "low_confidence_rate": 1.0,
          "answer_length_psi": 9.0, "prompt_length_psi": 9.0, "prompt_js": 1.0}, DEFAULTS, list(DRIFT_METRICS)),
    ],
)
def test_crossed(metrics, thresholds, expected):
    assert crossed(metrics, thresholds) == expected


def test_crossed_rejects_unknown_metric_names():
    with pytest.raises(ValueError, match="prompt_jsd"):
        crossed({"prompt_js": 0.0, "prompt_jsd": 0.5}, DEFAULTS)


def test_crossed_rejects_nan():
    with pytest.raises(ValueError, match="prompt_js"):
        crossed({"prompt_js": math.nan}, DEFAULTS)


def test_drift_metric_names_are_the_documented_ones():
    assert DRIFT_METRICS == ("prompt_js", "prompt_length_psi", "answer_length_psi", "low_confidence_rate",
                             "thumbs_down_rate", "regenerate_rate", "logprob_drop")
    assert set(drift_stats.__all__) == {"DRIFT_METRICS", "DriftThresholds", "crossed", "js_divergence", "js_excess",
                                        "psi", "rate", "threshold_for", "token_distribution"}
    for name in drift_stats.__all__:
        if callable(getattr(drift_stats, name)):
            assert getattr(drift_stats, name).__doc__, f"{name} has no docstring"


def test_js_excess_is_zero_for_one_distribution_and_positive_for_two():
    rng = np.random.default_rng(1)
    a = [list(rng.integers(0, 50, 12)) for _ in range(200)]
    b = [list(rng.integers(0, 50, 12)) for _ in range(200)]
    shifted = [list(rng.integers(25, 75, 12)) for _ in range(200)]
    assert js_excess(a, b, 100) < 0.02
    assert js_excess(a, shifted, 100) > 0.2
    assert js_excess(a, b, 100, seed=3) == js_excess(a, b, 100, seed=3)  # deterministic for a seed
    with pytest.raises(ValueError, match="at least one document"):
        js_excess([], b, 100)
