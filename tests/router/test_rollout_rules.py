"""The pure decision rules: guardrail thresholds and minimum counts, and what each status may do."""

import dataclasses

import pytest

from loraloop.config import RolloutConfig
from loraloop.router.rollout_model import RolloutState
from loraloop.router.rollout_rules import ArmCounts, ArmPair, guardrail_breaches, judge
from tests.router.rollout_feedback import rules

RULES = rules()


def state(**changes):
    base = RolloutState(id="medical-v2-x", domain="medical", stable_version=1, canary_version=2, step_index=0,
                        weight_pct=10.0, status="running", rules=RULES, started_at=0.0, step_started_at=0.0,
                        updated_at=0.0)
    return dataclasses.replace(base, **changes)


def pair(stable=None, canary=None):
    return ArmPair(stable=stable or ArmCounts(), canary=canary or ArmCounts())


def test_the_error_guardrail_needs_min_errors_and_min_requests():
    stable = ArmCounts(answers=100)
    assert guardrail_breaches(pair(stable, ArmCounts(answers=60, errors=4)), RULES) == []        # 4 < min_errors 5
    few_stable = ArmCounts(answers=40)  # below guardrail_min_answers 50
    assert guardrail_breaches(pair(few_stable, ArmCounts(answers=60, errors=5)), RULES) == []
    [breach] = guardrail_breaches(pair(stable, ArmCounts(answers=60, errors=5)), RULES)
    assert breach.startswith("error_rate guardrail: canary 0.077 vs stable 0.000")  # 5 / 65


def test_an_increase_within_the_limit_does_not_fire():
    # 0.15 vs 0.10 rated thumbs-down: +0.05 <= +0.10 allowed
    stable = ArmCounts(answers=100, rated=100, thumbs_down=10)
    canary = ArmCounts(answers=100, rated=100, thumbs_down=15)
    assert guardrail_breaches(pair(stable, canary), RULES) == []
    assert guardrail_breaches(pair(stable, dataclasses.replace(canary, thumbs_down=21)), RULES)


def test_the_latency_guardrail_compares_p95s():
    stable = ArmCounts(answers=60, p95_latency_s=0.2)
    assert guardrail_breaches(pair(stable, ArmCounts(answers=60, p95_latency_s=0.29)), RULES) == []
    [breach] = guardrail_breaches(pair(stable, ArmCounts(answers=60, p95_latency_s=0.31)), RULES)
    assert "ratio 1.55 > max 1.50" in breach
    assert guardrail_breaches(pair(stable, ArmCounts(answers=49, p95_latency_s=5.0)), RULES) == []


def test_several_breaches_are_all_named():
    stable = ArmCounts(answers=100, rated=100, thumbs_up=90, thumbs_down=10, p95_latency_s=0.1)
    canary = ArmCounts(answers=100, rated=100, thumbs_up=50, thumbs_down=50, regenerated=30, errors=20,
                       p95_latency_s=1.0)
    names = [b.split(" ")[0] for b in guardrail_breaches(pair(stable, canary), RULES)]
    assert names == ["error_rate", "regenerate_rate", "thumbs_down_rate", "p95_latency"]


def rated(n, up):
    return ArmCounts(answers=n, rated=n, thumbs_up=up, thumbs_down=n - up)


def test_only_a_running_rollout_advances():
    counts = pair(rated(150, 90), rated(150, 95))
    assert judge(state(), counts, counts, RULES).decision == "advance"
    for status in ("paused", "inconclusive"):
        assert judge(state(status=status), counts, counts, RULES).decision is None


def test_a_step_below_its_sample_holds():
    counts = pair(rated(150, 90), rated(99, 60))
    judgement = judge(state(), counts, counts, RULES)
    assert judgement.decision is None and "99/100" in judgement.reason


def test_a_guardrail_rolls_back_in_every_active_status():
    step = pair(ArmCounts(answers=100), ArmCounts(answers=60, errors=10))
    for status in ("running", "paused", "inconclusive"):
        assert judge(state(status=status), step, step, RULES).decision == "rollback"


def test_the_test_is_not_read_below_its_minimum():
    counts = pair(rated(29, 29), rated(400, 0))  # would be "worse" if read
    judgement = judge(state(step_index=1, weight_pct=50.0), counts, counts,
                      dataclasses.replace(RULES, max_thumbs_down_rate_increase=1.0))
    assert judgement.verdict == "not_read" and judgement.test is None


def test_the_last_step_promotes_only_when_not_worse():
    last = state(step_index=1, weight_pct=50.0)
    good = pair(rated(600, 360), rated(600, 420))
    assert judge(last, good, good, RULES).decision == "promote"
    equal = pair(rated(200, 100), rated(200, 100))
    tight = dataclasses.replace(RULES, non_inferiority_margin=0.01)
    assert judge(last, equal, equal, tight).decision is None
    assert judge(last, equal, equal, dataclasses.replace(tight, max_rated_at_last_step=200)).decision == "inconclusive"


def test_rollout_config_defaults_are_valid_and_documented():
    config = RolloutConfig()
    assert config.schedule == (5.0, 25.0, 50.0, 100.0)
    assert all(f.metadata["help"] for f in dataclasses.fields(RolloutConfig))


@pytest.mark.parametrize("field,value", [
    ("schedule", (5, 5, 100)), ("schedule", (5, 50)), ("schedule", (0, 100)), ("schedule", "5,100"),
    ("min_rated_per_step", 0), ("primary_metric", "ctr"), ("alpha", 0.0), ("alpha", 1.0), ("mixing_tau", 0.0),
    ("non_inferiority_margin", -0.01), ("non_inferiority_margin", 1.0), ("test_min_rated", 0),
    ("max_rated_at_last_step", 10), ("guardrail_min_answers", 0), ("max_error_rate_increase", 0.0),
    ("min_errors", 0), ("max_p95_latency_ratio", 0.9), ("max_regenerate_rate_increase", 1.5),
    ("min_regenerates", 0), ("max_thumbs_down_rate_increase", 0.0), ("min_thumbs_down", 0),
    ("tick_interval_s", 0.0),
])
def test_rollout_config_refuses_bad_values_naming_the_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}="):
        RolloutConfig(**{field: value})


def test_rollout_config_takes_the_schedule_as_cli_strings():
    assert RolloutConfig(schedule=("10", "50", "100")).schedule == (10.0, 50.0, 100.0)


def test_a_rate_guardrail_does_not_fire_on_noise_at_small_samples():
    # The simulation's false rollback: 22/49 thumbs-down on the canary vs 17/49 on stable is +0.102 over a
    # +0.100 limit, but z = 0.102 / sqrt(p(1-p)(2/49)) with p = 39/98 is 1.03, far from 1.645 (95 % one-sided).
    rules = dataclasses.replace(RULES, guardrail_min_answers=40, min_thumbs_down=10)
    stable = ArmCounts(answers=49, rated=49, thumbs_down=17)
    noisy = ArmCounts(answers=49, rated=49, thumbs_down=22)
    assert guardrail_breaches(pair(stable, noisy), rules) == []
    # The same +0.10 with four times the sample is real: 88/196 vs 68/196 gives z = 2.06.
    stable4 = ArmCounts(answers=196, rated=196, thumbs_down=68)
    real = ArmCounts(answers=196, rated=196, thumbs_down=88)
    [breach] = guardrail_breaches(pair(stable4, real), rules)
    assert breach.startswith("thumbs_down_rate guardrail") and "z=2.06" in breach
    # A sabotaged canary: 14/41 regenerated vs 2/60 is z ≈ 4.2 (p = 16/101), past even 99.9 % (z 3.09).
    strict = dataclasses.replace(rules, guardrail_confidence=0.999)
    [breach] = guardrail_breaches(pair(ArmCounts(answers=60, regenerated=2), ArmCounts(answers=41, regenerated=14)),
                                  strict)
    assert breach.startswith("regenerate_rate guardrail") and "z=4.1" in breach
