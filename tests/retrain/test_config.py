"""RetrainConfig: every bad value is refused with the field's name; list/str inputs from JSON and flags normalise."""

import dataclasses

import pytest

from loraloop.config import RetrainConfig


@pytest.mark.parametrize("kwargs, field", [
    ({"device": "tpu"}, "device"),
    ({"launcher": "slurm"}, "launcher"),
    ({"num_processes": 2}, "num_processes"),  # needs the accelerate launcher
    ({"min_pairs_dpo": 0}, "min_pairs_dpo"),
    ({"replay_share": -0.1}, "replay_share"),
    ({"eval_share": 0.0}, "eval_share"),
    ({"eval_share": 1.0}, "eval_share"),
    ({"min_free_bytes": -1}, "min_free_bytes"),
    ({"max_job_seconds": float("inf")}, "max_job_seconds"),
    ({"beta": 0.0}, "beta"),
    ({"loss_type": ()}, "loss_type"),
    ({"sft_learning_rate": -1e-3}, "sft_learning_rate"),
    ({"lora_dropout": 1.0}, "lora_dropout"),
    ({"max_perplexity_increase": -0.1}, "max_perplexity_increase"),
    ({"min_eos_rate": 1.5}, "min_eos_rate"),
    ({"min_reward_accuracy": -0.5}, "min_reward_accuracy"),
    ({"ppo_batch_size": 16, "ppo_mini_batch_size": 5}, "ppo_mini_batch_size"),
    ({"canary_schedule": (5.0, 150.0)}, "canary_schedule"),
    ({"canary_schedule": ("x",)}, "canary_schedule"),
    ({"start_canary": True}, "start_canary"),  # without a server to run it
    ({"parent_version": -1}, "parent_version"),
    ({"per_device_train_batch_size": 1.5}, "per_device_train_batch_size"),
])
def test_bad_values_are_refused_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}="):
        RetrainConfig(**kwargs)


def test_json_and_flag_shapes_normalise_to_tuples():
    config = RetrainConfig(loss_type=["sigmoid", "sft"], canary_schedule=["5", "50", "100"])
    assert config.loss_type == ("sigmoid", "sft") and config.canary_schedule == (5.0, 50.0, 100.0)
    assert RetrainConfig(**dataclasses.asdict(config)) == config  # what the worker rebuilds from job.json


def test_defaults_are_valid_and_frozen():
    config = RetrainConfig()
    assert config.min_pairs_dpo == 32 and config.device == "auto" and not config.start_canary
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.beta = 0.5  # type: ignore[misc]


def test_ppo_job_defaults_are_the_retrain_jobs_own():
    # Production builds PPOJobConfig from RetrainConfig; a hand-built one must train the same way by default.
    from loraloop.config import PPOJobConfig
    from loraloop.retrain.ppo_config import FROM_RETRAIN, from_retrain

    assert from_retrain(RetrainConfig(), device="auto") == PPOJobConfig()
    tuned = from_retrain(RetrainConfig(ppo_learning_rate=3e-4, ppo_batch_size=8, ppo_mini_batch_size=4, max_length=99),
                         device="cpu")
    assert (tuned.learning_rate, tuned.batch_size, tuned.mini_batch_size, tuned.max_prompt_length) == (3e-4, 8, 4, 99)
    retrain_fields = {f.name for f in dataclasses.fields(RetrainConfig)}
    assert set(FROM_RETRAIN.values()) <= retrain_fields


def test_domain_overrides_parse_once_into_each_domains_settings():
    from loraloop.config import RetrainDaemonConfig

    config = RetrainDaemonConfig(min_new_pairs=50, domain_overrides=(
        "legal.method=sft", "legal.min_new_pairs=10", "legal.min_new_pairs=20", "medical.retrain_on_drift=false",
        "medical.drift_metrics=prompt_js"))
    legal, medical = config.domain_settings("legal"), config.domain_settings("medical")
    assert (legal["method"], legal["min_new_pairs"], legal["retrain_on_drift"]) == ("sft", 20, True)  # the later entry wins
    assert (medical["method"], medical["retrain_on_drift"], medical["drift_metrics"]) == ("dpo", False, ("prompt_js",))
