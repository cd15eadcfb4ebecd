"""Pure tensor functions of PPO for language models: KL shaping, KL controllers, GAE, losses, statistics.

Tensors are `(batch, response_len)` over the generated tokens only; `mask` is 1 on real generated tokens
(up to and including the first EOS) and 0 on padding. Nothing here touches a model, so every function is
unit-tested against hand-computed values (tests/retrain/test_ppo_math.py). The formulas follow Ziegler et
al. 2019 ("Fine-Tuning Language Models from Human Preferences"), Schulman et al. 2017 (PPO) and 2015 (GAE),
and the way TRL's former PPOTrainer combined them.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from loraloop.retrain.ppo_config import KL_ESTIMATORS

__all__ = [
    "KL_ESTIMATORS",
    "AdaptiveKLController",
    "FixedKLController",
    "PolicyLossOutput",
    "ValueLossOutput",
    "completion_mask",
    "compute_gae",
    "entropy_from_logits",
    "kl_estimate",
    "logprobs_from_logits",
    "masked_mean",
    "masked_var",
    "masked_whiten",
    "policy_loss",
    "shape_rewards",
    "value_loss",
]

def masked_mean(values: torch.Tensor, mask: torch.Tensor, dim: int | None = None) -> torch.Tensor:
    """Mean of `values` where `mask` is 1 (over everything, or along `dim`); 0 where nothing is unmasked."""
    mask = mask.to(values.dtype)
    total = (values * mask).sum() if dim is None else (values * mask).sum(dim)
    count = mask.sum() if dim is None else mask.sum(dim)
    return total / count.clamp(min=1.0)


def masked_var(values: torch.Tensor, mask: torch.Tensor, unbiased: bool = True) -> torch.Tensor:
    """Variance of the unmasked entries (Bessel-corrected when `unbiased` and more than one entry)."""
    mask = mask.to(values.dtype)
    mean = masked_mean(values, mask)
    var = masked_mean((values - mean) ** 2, mask)
    count = mask.sum()
    if unbiased and count > 1:
        var = var * count / (count - 1)
    return var


def masked_whiten(values: torch.Tensor, mask: torch.Tensor, shift_mean: bool = True, eps: float = 1e-8) -> torch.Tensor:
    """(x - mean) / std over the unmasked entries; `shift_mean=False` keeps the mean (only rescales).

    Masked entries come back as 0 so padding never leaks into a later sum.
    """
    mean = masked_mean(values, mask)
    whitened = (values - mean) * torch.rsqrt(masked_var(values, mask) + eps)
    if not shift_mean:
        whitened = whitened + mean
    return whitened * mask.to(values.dtype)


def logprobs_from_logits(logits: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
    """log p(token) under `logits` (`(..., vocab)`), gathered at `tokens` (`(...)`)."""
    logp = torch.log_softmax(logits.float(), dim=-1)
    return torch.gather(logp, -1, tokens.unsqueeze(-1)).squeeze(-1)


def entropy_from_logits(logits: torch.Tensor) -> torch.Tensor:
    """Entropy of the categorical distribution at each position: logsumexp(z) - sum softmax(z) * z."""
    logits = logits.float()
    probs = torch.softmax(logits, dim=-1)
    return torch.logsumexp(logits, dim=-1) - (probs * logits).sum(-1)


def completion_mask(tokens: torch.Tensor, eos_token_id: int | None) -> torch.Tensor:
    """1 on generated tokens up to and including the first EOS of each row, 0 after it (padding).

    A row without EOS (cut off at max_new_tokens) is all ones. Padding that `generate` writes after EOS is
    whatever token the tokenizer pads with, so the mask is derived from the EOS position, not the pad id.
    """
    if eos_token_id is None:
        return torch.ones_like(tokens, dtype=torch.long)
    is_eos = (tokens == eos_token_id).long()
    # Number of EOS strictly before each position: a token is real while none came before it.
    eos_before = torch.cumsum(is_eos, dim=1) - is_eos
    return (eos_before == 0).long()


def kl_estimate(logprobs: torch.Tensor, ref_logprobs: torch.Tensor, estimator: str = "k1") -> torch.Tensor:
    """Per-token estimate of KL(policy || reference) from log-probs of tokens sampled from the policy.

    k1 = log p - log q (unbiased, can be negative per token); k3 = (r - 1) - log r with r = q / p
    (unbiased, always >= 0, lower variance; Schulman's "Approximating KL divergence").
    """
    if estimator not in KL_ESTIMATORS:
        raise ValueError(f"estimator={estimator!r}: expected one of {KL_ESTIMATORS}")
    log_ratio = logprobs - ref_logprobs
    if estimator == "k1":
        return log_ratio
    return torch.expm1(-log_ratio) + log_ratio


def shape_rewards(scores: torch.Tensor, kl: torch.Tensor, mask: torch.Tensor,
                  kl_coef: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-token rewards: -kl_coef * kl_t on every real token, plus the sequence score on its last real token.

    Returns (rewards, non_score_rewards), both zero on padding. Each row needs at least one real token.
    """
    mask_f = mask.to(kl.dtype)
    if bool((mask_f.sum(1) == 0).any()):
        raise ValueError("mask: every row needs at least one generated token to carry its score")
    non_score = -kl_coef * kl * mask_f
    # Index of the last 1 in each row (masks may in principle have holes, so not just sum - 1).
    positions = torch.arange(mask.shape[1], device=mask.device).expand_as(mask)
    last = (positions * mask.long()).argmax(dim=1)
    rewards = non_score.clone()
    rewards[torch.arange(mask.shape[0], device=mask.device), last] += scores.to(kl.dtype)
    return rewards, non_score


def compute_gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float,
                lam: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Generalised advantage estimation, backwards over each row; returns (advantages, returns).

    delta_t = r_t + gamma * V_{t+1} - V_t and A_t = delta_t + gamma * lam * A_{t+1}, where "t+1" is the next
    real token (masked positions are skipped, and after the last real token V = 0 and A = 0: the episode
    ends there). returns = advantages + values. Both are 0 on masked positions.
    """
    mask_f = mask.to(values.dtype)
    batch, length = rewards.shape
    next_value = torch.zeros(batch, dtype=values.dtype, device=values.device)
    next_advantage = torch.zeros_like(next_value)
    advantages = torch.zeros_like(values)
    for t in reversed(range(length)):
        m = mask_f[:, t]
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        advantage = delta + gamma * lam * next_advantage
        advantages[:, t] = advantage * m
        # A masked position passes the next real token's value and advantage through unchanged.
        next_value = m * values[:, t] + (1 - m) * next_value
        next_advantage = m * advantage + (1 - m) * next_advantage
    returns = (advantages + values) * mask_f
    return advantages, returns


@dataclass(frozen=True)
class PolicyLossOutput:
    """The clipped surrogate loss and its diagnostics (all scalars)."""

    loss: torch.Tensor
    clipfrac: torch.Tensor
    approx_kl: torch.Tensor
    ratio_mean: torch.Tensor


def policy_loss(logprobs: torch.Tensor, old_logprobs: torch.Tensor, advantages: torch.Tensor,
                mask: torch.Tensor, cliprange: float) -> PolicyLossOutput:
    """PPO's clipped surrogate: masked mean of max(-A * r, -A * clip(r, 1 - eps, 1 + eps)), r = p / p_old.

    clipfrac = share of tokens where the clipped term is the larger (the one in force);
    approx_kl = 0.5 * mean((log p - log p_old)^2), TRL's estimate of KL(old || new) for the update.
    """
    log_ratio = logprobs - old_logprobs
    ratio = torch.exp(log_ratio)
    unclipped = -advantages * ratio
    clipped = -advantages * torch.clamp(ratio, 1.0 - cliprange, 1.0 + cliprange)
    loss = masked_mean(torch.maximum(unclipped, clipped), mask)
    with torch.no_grad():
        clipfrac = masked_mean((clipped > unclipped).float(), mask)
        approx_kl = 0.5 * masked_mean(log_ratio ** 2, mask)
        ratio_mean = masked_mean(ratio, mask)
    return PolicyLossOutput(loss=loss, clipfrac=clipfrac, approx_kl=approx_kl, ratio_mean=ratio_mean)


@dataclass(frozen=True)
class ValueLossOutput:
    """The clipped value loss and the share of tokens where clipping was in force."""

    loss: torch.Tensor
    clipfrac: torch.Tensor


def value_loss(values: torch.Tensor, old_values: torch.Tensor, returns: torch.Tensor, mask: torch.Tensor,
               cliprange_value: float) -> ValueLossOutput:
    """0.5 * masked mean of max((V - R)^2, (V_clip - R)^2), V_clip = V_old + clip(V - V_old, -c, c)."""
    clipped_values = old_values + torch.clamp(values - old_values, -cliprange_value, cliprange_value)
    unclipped_error = (values - returns) ** 2
    clipped_error = (clipped_values - returns) ** 2
    loss = 0.5 * masked_mean(torch.maximum(unclipped_error, clipped_error), mask)
    with torch.no_grad():
        clipfrac = masked_mean((clipped_error > unclipped_error).float(), mask)
    return ValueLossOutput(loss=loss, clipfrac=clipfrac)


class FixedKLController:
    """A KL coefficient that never changes."""

    def __init__(self, kl_coef: float):
        self.value = float(kl_coef)

    def update(self, current_kl: float, n_steps: int) -> float:
        """Keep the coefficient; returns it."""
        return self.value


class AdaptiveKLController:
    """Ziegler et al. 2019: nudge the KL coefficient so the observed KL tracks a target.

    error = clip(KL / target - 1, -0.2, 0.2); coef *= 1 + error * n_steps / horizon.
    """

    def __init__(self, init_kl_coef: float, target: float, horizon: int):
        if target <= 0 or horizon <= 0:
            raise ValueError(f"target={target!r}, horizon={horizon!r}: both must be > 0")
        self.value = float(init_kl_coef)
        self.target = float(target)
        self.horizon = int(horizon)

    def update(self, current_kl: float, n_steps: int) -> float:
        """Update from the KL measured over `n_steps` samples; returns the new coefficient."""
        error = min(max(current_kl / self.target - 1.0, -0.2), 0.2)
        self.value *= 1.0 + error * n_steps / self.horizon
        return self.value
