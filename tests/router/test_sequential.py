"""The mSPRT math against hand-computed values, and its always-valid guarantee by simulation."""

import math

import numpy as np
import pytest

from loraloop.router.sequential import compare_proportions, confidence_radius, msprt_statistic, non_inferiority, running_p_values


def test_statistic_matches_the_papers_per_observation_form_by_hand():
    # n = 100 pairs, per-pair variance V = 0.5, tau = 0.1, estimate 0.1:
    # V + n tau^2 = 1.5; sqrt(V / 1.5) = sqrt(1/3) = 0.57735027;
    # exponent n^2 tau^2 theta^2 / (2 V (V + n tau^2)) = 10000 * 0.01 * 0.01 / 1.5 = 2/3; exp(2/3) = 1.94773404
    # Lambda = 0.57735027 * 1.94773404 = 1.12452477 (bc -l).
    assert msprt_statistic(0.1, 0.5 / 100, 0.1) == pytest.approx(1.124524772912712, rel=1e-12)
    # theta0 shifts the estimate: against theta0 = 0.1 the exponent is 0 and Lambda = sqrt(1/3).
    assert msprt_statistic(0.1, 0.005, 0.1, theta0=0.1) == pytest.approx(math.sqrt(1 / 3), rel=1e-12)


def test_no_evidence_gives_a_statistic_below_one():
    # theta_hat = 0: only the Occam factor sqrt(v / (v + tau^2)) < 1 remains.
    assert msprt_statistic(0.0, 0.01, 0.1) == pytest.approx(math.sqrt(0.01 / 0.02))


def test_confidence_radius_by_hand():
    # v = 0.005, tau = 0.1, alpha = 0.05: v (v + tau^2) / tau^2 = 0.0075;
    # 2 ln 20 + ln(0.015 / 0.005) = 5.99146455 + 1.09861229 = 7.09007684; r = sqrt(0.0075 * 7.09007684) = 0.23059830
    assert confidence_radius(0.005, 0.1, 0.05) == pytest.approx(0.230598300662255, rel=1e-12)


def test_the_sequence_edge_is_where_lambda_reaches_one_over_alpha():
    # The CS is {theta0 : Lambda(theta0) < 1/alpha}; at its edges Lambda is exactly 1/alpha.
    for v, tau, alpha in ((0.005, 0.1, 0.05), (1e-4, 0.02, 0.01), (0.03, 0.3, 0.2)):
        r = confidence_radius(v, tau, alpha)
        for edge in (0.2 - r, 0.2 + r):
            assert msprt_statistic(0.2, v, tau, theta0=edge) == pytest.approx(1 / alpha, rel=1e-9)


def test_radius_shrinks_with_data_and_grows_with_confidence():
    radii = [confidence_radius(0.25 / n, 0.05, 0.05) for n in (10, 100, 1000, 10_000)]
    assert radii == sorted(radii, reverse=True)
    assert confidence_radius(0.001, 0.05, 0.01) > confidence_radius(0.001, 0.05, 0.05)


def test_two_proportions_by_hand():
    # stable 60/100, canary 70/100: theta_hat = 0.1; add-half rates 60.5/101 and 70.5/101;
    # v = (60.5 * 40.5 + 70.5 * 30.5) / (101^2 * 100) = 4600.5 / 1020100 = 0.00450985;
    # tau = 0.05, alpha = 0.05: r = 0.28520427, Lambda(0) = 1.19109838, p = 1 / Lambda = 0.83956121 (bc -l).
    result = compare_proportions(60, 100, 70, 100, tau=0.05, alpha=0.05)
    assert result.theta_hat == pytest.approx(0.1)
    assert result.variance == pytest.approx(4600.5 / 1020100, rel=1e-12)
    assert result.lower == pytest.approx(0.1 - 0.285204272768619, rel=1e-9)
    assert result.upper == pytest.approx(0.1 + 0.285204272768619, rel=1e-9)
    assert result.p_value == pytest.approx(0.839561213422920, rel=1e-9)


def test_an_arm_with_all_ratings_alike_still_has_a_positive_variance():
    result = compare_proportions(20, 20, 20, 20, tau=0.05, alpha=0.05)
    assert result.variance > 0 and result.lower < 0 < result.upper


def test_an_empty_arm_knows_nothing():
    result = compare_proportions(0, 0, 5, 10, tau=0.05, alpha=0.05)
    assert (result.lower, result.upper, result.p_value) == (-1.0, 1.0, 1.0)
    assert non_inferiority(result, 0.05) == "inconclusive"


def test_the_sequence_is_clipped_to_possible_differences():
    result = compare_proportions(1, 3, 2, 3, tau=0.5, alpha=0.05)
    assert result.lower >= -1.0 and result.upper <= 1.0


@pytest.mark.parametrize("args", [(5, 3, 1, 2), (-1, 3, 1, 2), (1, 2, 3, 2), (1, -2, 0, 2)])
def test_impossible_counts_are_refused(args):
    with pytest.raises(ValueError):
        compare_proportions(*args, tau=0.05, alpha=0.05)


@pytest.mark.parametrize("variance,tau,alpha", [(0.0, 0.1, 0.05), (-1.0, 0.1, 0.05), (0.01, 0.0, 0.05),
                                                (0.01, 0.1, 0.0), (0.01, 0.1, 1.0), (math.inf, 0.1, 0.05)])
def test_bad_parameters_are_refused(variance, tau, alpha):
    with pytest.raises(ValueError):
        confidence_radius(variance, tau, alpha)


def test_non_inferiority_decisions_and_margin_semantics():
    # theta_hat -0.02 at 10,000 ratings per arm: v ~ 5e-5, radius ~ 0.022, so about [-0.042, +0.002]
    small_drop = compare_proportions(5000, 10_000, 4800, 10_000, tau=0.05, alpha=0.05)
    assert small_drop.lower > -0.05 and small_drop.upper < 0.01
    assert non_inferiority(small_drop, 0.05) == "not_worse"        # a drop within the margin ships
    assert non_inferiority(small_drop, 0.0) == "inconclusive"      # margin 0 asks for "not lower at all"
    big_drop = compare_proportions(5000, 10_000, 4000, 10_000, tau=0.05, alpha=0.05)
    assert non_inferiority(big_drop, 0.05) == "worse"             # upper bound below -margin
    few = compare_proportions(5, 10, 4, 10, tau=0.05, alpha=0.05)
    assert non_inferiority(few, 0.05) == "inconclusive"
    with pytest.raises(ValueError):
        non_inferiority(few, -0.1)


def test_running_p_values_never_increase():
    assert running_p_values([0.5, 4.0, 2.0, 10.0, 1.0]) == [1.0, 0.25, 0.25, 0.1, 0.1]


def _simulate(p_stable, p_canary, *, runs=500, n=2000, every=10, seed=0):
    """Per run and look: (theta_hat, lower, upper, naive z) after every `every` ratings per arm."""
    rng = np.random.default_rng(seed)
    stable = np.cumsum(rng.random((runs, n)) < p_stable, axis=1)
    canary = np.cumsum(rng.random((runs, n)) < p_canary, axis=1)
    looks = range(every - 1, n, every)
    out = np.empty((runs, len(looks), 4))
    for i in range(runs):
        for j, k in enumerate(looks):
            r = compare_proportions(int(stable[i, k]), k + 1, int(canary[i, k]), k + 1, tau=0.05, alpha=0.05)
            out[i, j] = (r.theta_hat, r.lower, r.upper, r.theta_hat / math.sqrt(r.variance))
    return out


def test_type_one_error_under_continuous_monitoring_stays_below_alpha():
    # 500 A/A runs of 2,000 ratings per arm, looked at after every 10: the always-valid sequence
    # ever excludes the true difference 0 in at most alpha of the runs ...
    looks = _simulate(0.5, 0.5)
    ever_rejected = ((looks[:, :, 1] > 0) | (looks[:, :, 2] < 0)).any(axis=1)
    assert ever_rejected.mean() <= 0.05
    # ... while a fixed-sample z-test read at every look is fooled far more often (why peeking needs this).
    naive = (np.abs(looks[:, :, 3]) > 1.96).any(axis=1)
    assert naive.mean() > 0.2


def test_coverage_holds_away_from_zero_and_a_real_difference_is_found():
    looks = _simulate(0.6, 0.5, runs=200, seed=1)
    missed = ((looks[:, :, 1] > -0.1) | (looks[:, :, 2] < -0.1)).any(axis=1)
    assert missed.mean() <= 0.05
    # a 10-point drop is detected (the sequence excludes 0) in nearly every run by 2,000 ratings per arm
    assert (looks[:, -1, 2] < 0).mean() > 0.9
