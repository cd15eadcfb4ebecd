"""The evaluation gate on hand-made metrics: which check fails, and both values in the reason."""

import math

from loraloop.config import RetrainConfig
from loraloop.retrain.evaluate import gate, preference_accuracy

GOOD = {"preference_accuracy": 0.8, "parent_preference_accuracy": 0.5, "perplexity": 10.5,
        "parent_perplexity": 10.0, "perplexity_ratio": 1.05, "eos_rate": 1.0, "parent_eos_rate": 1.0,
        "reward_score": 2.0, "parent_reward_score": 2.05}
CONFIG = RetrainConfig()


def test_preference_accuracy_counts_positive_implicit_reward_margins():
    # (chosen, rejected) log-probs; margin = (pc - rc) - (pr - rr)
    policy = [(-10.0, -20.0), (-10.0, -20.0), (-30.0, -20.0), (-5.0, -5.0)]
    reference = [(-12.0, -18.0), (-8.0, -30.0), (-31.0, -20.0), (-5.0, -5.0)]
    # margins: (2) - (-2) = 4 > 0; (-2) - (10) = -12; (1) - (0) = 1 > 0; 0 (a tie is not a win)
    assert preference_accuracy(policy, reference) == 0.5
    assert math.isnan(preference_accuracy([], []))


def test_a_good_candidate_passes_every_method():
    for method in ("dpo", "sft", "ppo"):
        assert gate(method, GOOD, CONFIG) == []


def test_dpo_must_beat_the_parent_while_sft_may_lose_a_tolerance():
    tied = {**GOOD, "preference_accuracy": 0.5}
    [reason] = gate("dpo", tied, CONFIG)
    assert reason == "preference_accuracy: 0.5000 does not beat the parent's 0.5000"
    assert gate("sft", {**GOOD, "preference_accuracy": 0.46}, CONFIG) == []  # within 0.05
    [reason] = gate("ppo", {**GOOD, "preference_accuracy": 0.40}, CONFIG)
    assert reason.startswith("preference_accuracy: 0.4000 is below the parent's 0.5000")
    [reason] = gate("dpo", {**GOOD, "preference_accuracy": math.nan}, CONFIG)
    assert "no held-out pairs" in reason


def test_perplexity_reward_and_eos_checks_name_both_values():
    bad = {**GOOD, "perplexity": 12.0, "perplexity_ratio": 1.2, "reward_score": 1.5, "eos_rate": 0.5}
    reasons = gate("dpo", bad, CONFIG)
    assert len(reasons) == 3
    assert reasons[0].startswith("reward_score: 1.5000 dropped below the parent's 2.0500")
    assert reasons[1].startswith("perplexity: 12.0000 vs the parent's 10.0000 rose 0.2000")
    assert reasons[2].startswith("eos_rate: 0.5000") and "min_eos_rate 0.8000" in reasons[2]
    no_reward_model = {k: v for k, v in GOOD.items() if "reward" not in k}
    assert gate("dpo", no_reward_model, CONFIG) == []  # the reward check needs a reward model


def test_reward_models_need_held_out_accuracy():
    assert gate("reward", {"reward_accuracy": 0.9}, CONFIG) == []
    [reason] = gate("reward", {"reward_accuracy": 0.55}, CONFIG)
    assert reason == "reward_accuracy: held-out pairwise accuracy 0.5500 is below min_reward_accuracy 0.6000"
    assert gate("reward", {"reward_accuracy": math.nan}, CONFIG)
