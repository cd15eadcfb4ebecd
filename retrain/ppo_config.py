"""PPOJobConfig: one PPO run on a LoRA policy (retrain/ppo.py), and how a retrain job's config maps onto it.

A job builds its PPOJobConfig from RetrainConfig (`from_retrain`), so the fields it sets take RetrainConfig's
defaults here too: a PPOJobConfig built by hand trains like the job would, and the two cannot disagree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from loraloop.retrain.config import RetrainConfig
from loraloop.settings import DEVICES, ConfigError, check_fields, setting

__all__ = ["FROM_RETRAIN", "KL_ESTIMATORS", "PPOJobConfig", "from_retrain"]

# The per-token KL estimators retrain/ppo_math.py implements (it imports this; the config must not load torch).
KL_ESTIMATORS = ("k1", "k3")

# PPOJobConfig field -> the RetrainConfig field a job sets it from (the device is resolved by the job).
FROM_RETRAIN = {
    "learning_rate": "ppo_learning_rate", "batch_size": "ppo_batch_size", "mini_batch_size": "ppo_mini_batch_size",
    "ppo_epochs": "ppo_epochs", "init_kl_coef": "ppo_init_kl_coef", "target_kl": "ppo_target_kl",
    "max_new_tokens": "ppo_max_new_tokens", "max_prompt_length": "max_length", "temperature": "ppo_temperature",
    "steps": "ppo_steps", "seed": "seed", "qlora": "qlora",
}
_RETRAIN_DEFAULTS = {f.name: f.default for f in dataclasses.fields(RetrainConfig)}


def _job_default(name: str) -> Any:
    return _RETRAIN_DEFAULTS[FROM_RETRAIN[name]]


@dataclass(frozen=True, kw_only=True)
class PPOJobConfig:
    """One PPO run on a LoRA policy (the project's own PPO; TRL 1.16 has none). Field names follow TRL's old PPOConfig."""

    learning_rate: float = setting(_job_default("learning_rate"), "AdamW learning rate of the policy LoRA and the value head.",
                                   gt=0, finite=True)
    batch_size: int = setting(_job_default("batch_size"), "Prompts sampled (one answer each) per PPO step.", ge=1)
    mini_batch_size: int = setting(_job_default("mini_batch_size"),
                                   "Answers per gradient step inside a PPO epoch; must divide batch_size.", ge=1)
    ppo_epochs: int = setting(_job_default("ppo_epochs"), "Passes over each step's batch of answers.", ge=1)
    cliprange: float = setting(0.2, "Clip range of the policy ratio in the surrogate loss.", gt=0, finite=True)
    cliprange_value: float = setting(0.2, "Clip range of the value prediction around the rollout's value.", gt=0, finite=True)
    vf_coef: float = setting(0.1, "Weight of the value loss in the total loss.", ge=0, finite=True)
    gamma: float = setting(1.0, "Discount factor of GAE.", ge=0, le=1)
    lam: float = setting(0.95, "Lambda of GAE (bias/variance trade-off).", ge=0, le=1)
    init_kl_coef: float = setting(_job_default("init_kl_coef"),
                                  "Initial coefficient of the per-token KL penalty to the reference (parent) policy.",
                                  ge=0, finite=True)
    target_kl: float = setting(_job_default("target_kl"),
                               "Target KL (nats per answer, summed over its tokens) the adaptive controller steers to.",
                               gt=0, finite=True)
    kl_horizon: int = setting(10_000, "Horizon (in sampled answers) of the adaptive KL controller.", ge=1)
    adap_kl_ctrl: bool = setting(True, "Adapt the KL coefficient towards target_kl (Ziegler et al. 2019); False keeps it fixed.")
    kl_estimator: str = setting("k1", "Per-token KL estimate in the reward: k1 (log p - log p_ref) or k3 (non-negative).",
                                choices=KL_ESTIMATORS)
    whiten_rewards: bool = setting(False, "Rescale the shaped per-token rewards to unit variance before GAE.")
    entropy_coef: float = setting(0.0, "Weight of the entropy bonus (masked mean token entropy) subtracted from the loss.",
                                  ge=0, finite=True)
    max_grad_norm: float = setting(1.0, "Gradient norm clip of each optimizer step.", gt=0, finite=True)
    max_new_tokens: int = setting(_job_default("max_new_tokens"), "Longest sampled answer in tokens.", ge=1)
    max_prompt_length: int = setting(_job_default("max_prompt_length"),
                                     "Prompts longer than this many tokens keep their last tokens.", ge=1)
    temperature: float = setting(_job_default("temperature"),
                                 "Sampling temperature of the rollouts (log-probs are taken at the same temperature).",
                                 gt=0, finite=True)
    steps: int = setting(_job_default("steps"), "PPO steps (rollout + update) to run.", ge=1)
    seed: int = setting(_job_default("seed"), "Seed of the prompt order, the sampling and the value head's init.")
    device: str = setting("auto", "auto (CUDA when present, else CPU), cpu or cuda.", choices=DEVICES)
    qlora: bool = setting(_job_default("qlora"), "Load the frozen base in 4-bit NF4 with double quantization (QLoRA; "
                                                 "bitsandbytes, CPU or CUDA); false = full precision.")

    def __post_init__(self) -> None:
        check_fields(self)
        if self.batch_size % self.mini_batch_size:
            raise ConfigError("mini_batch_size", self.mini_batch_size, f"must divide batch_size={self.batch_size}")


def from_retrain(config: RetrainConfig, *, device: str) -> PPOJobConfig:
    """The PPOJobConfig of a retrain job: the fields FROM_RETRAIN names, on the job's resolved device."""
    return PPOJobConfig(device=device, **{ours: getattr(config, theirs) for ours, theirs in FROM_RETRAIN.items()})
