"""PPO's tensor functions against values worked out by hand (the arithmetic is in the comments)."""

from __future__ import annotations

import math

import pytest
import torch

from loraloop.retrain.ppo_math import (
    AdaptiveKLController,
    FixedKLController,
    completion_mask,
    compute_gae,
    entropy_from_logits,
    kl_estimate,
    logprobs_from_logits,
    masked_mean,
    masked_var,
    masked_whiten,
    policy_loss,
    shape_rewards,
    value_loss,
)


def close(actual: torch.Tensor, expected, tol: float = 1e-5) -> None:
    torch.testing.assert_close(actual, torch.as_tensor(expected, dtype=actual.dtype), atol=tol, rtol=0)


def test_masked_mean_ignores_masked_entries_overall_and_per_row():
    values = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    close(masked_mean(values, mask), 7 / 3)            # (1 + 2 + 4) / 3
    close(masked_mean(values, mask, dim=1), [1.5, 4.0])  # (1 + 2) / 2 and 4 / 1


def test_masked_var_is_bessel_corrected_over_unmasked_entries():
    # Unmasked 1, 2, 4: mean 7/3, squared deviations 16/9 + 1/9 + 25/9 = 42/9.
    values = torch.tensor([[1.0, 2.0, 100.0], [4.0, -50.0, 0.0]])
    mask = torch.tensor([[1, 1, 0], [1, 0, 0]])
    close(masked_var(values, mask), (42 / 9) / 2)               # unbiased: / (3 - 1) = 7/3
    close(masked_var(values, mask, unbiased=False), (42 / 9) / 3)  # biased: / 3 = 14/9


def test_masked_whiten_centres_and_scales_and_zeroes_padding():
    # 1 and 3: mean 2, unbiased variance (1 + 1) / 1 = 2, so std = sqrt(2).
    values = torch.tensor([[1.0, 3.0, 100.0]])
    mask = torch.tensor([[1, 1, 0]])
    s = 1 / math.sqrt(2)
    close(masked_whiten(values, mask), [[-s, s, 0.0]])
    close(masked_whiten(values, mask, shift_mean=False), [[2 - s, 2 + s, 0.0]])


def test_logprobs_and_entropy_from_logits():
    # logits [0, ln 3] -> softmax [1/4, 3/4].
    logits = torch.tensor([[[0.0, math.log(3.0)], [0.0, 0.0]]])
    close(logprobs_from_logits(logits, torch.tensor([[1, 0]])), [[math.log(0.75), math.log(0.5)]])
    # H([1/4, 3/4]) = 1/4 ln 4 + 3/4 ln(4/3) = ln 4 - 3/4 ln 3 = 0.562335; H(uniform over 2) = ln 2.
    close(entropy_from_logits(logits), [[math.log(4) - 0.75 * math.log(3), math.log(2)]])


def test_completion_mask_keeps_tokens_up_to_the_first_eos():
    eos = 2
    tokens = torch.tensor([[7, 2, 0, 0], [7, 7, 7, 7], [2, 0, 0, 0], [7, 2, 2, 2]])  # last row: pad == eos
    expected = [[1, 1, 0, 0], [1, 1, 1, 1], [1, 0, 0, 0], [1, 1, 0, 0]]
    assert completion_mask(tokens, eos).tolist() == expected
    assert completion_mask(tokens, None).tolist() == [[1] * 4] * 4


def test_kl_estimators_k1_and_k3():
    logp = torch.tensor([math.log(0.5), math.log(0.25)])
    ref = torch.tensor([math.log(0.25), math.log(0.5)])
    # k1 = log p - log q: ln 2 and -ln 2.
    close(kl_estimate(logp, ref, "k1"), [math.log(2), -math.log(2)])
    # k3 = (r - 1) - ln r with r = q/p: r = 1/2 -> -0.5 + ln 2 = 0.193147; r = 2 -> 1 - ln 2 = 0.306853.
    close(kl_estimate(logp, ref, "k3"), [-0.5 + math.log(2), 1 - math.log(2)])
    with pytest.raises(ValueError, match="estimator='k2'"):
        kl_estimate(logp, ref, "k2")


def test_shape_rewards_adds_kl_penalty_per_token_and_score_on_last_real_token():
    scores = torch.tensor([1.0, -2.0])
    kl = torch.tensor([[0.1, 0.2, 0.3], [0.5, -0.1, 9.9]])
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    rewards, non_score = shape_rewards(scores, kl, mask, kl_coef=0.5)
    # -0.5 * kl on real tokens; the 9.9 sits on padding and is dropped.
    close(non_score, [[-0.05, -0.1, -0.15], [-0.25, 0.05, 0.0]])
    # + score at the last real token: -0.15 + 1 = 0.85; 0.05 - 2 = -1.95.
    close(rewards, [[-0.05, -0.1, 0.85], [-0.25, -1.95, 0.0]])


def test_shape_rewards_refuses_a_row_without_generated_tokens():
    with pytest.raises(ValueError, match="mask"):
        shape_rewards(torch.tensor([1.0]), torch.zeros(1, 2), torch.zeros(1, 2), kl_coef=0.1)


def test_gae_with_discount_and_lambda():
    # gamma 0.9, lambda 0.8 (gamma * lambda = 0.72), V = 0.5 everywhere, reward 1 at the end:
    # t=2: delta = 1 + 0 - 0.5 = 0.5, A2 = 0.5
    # t=1: delta = 0 + 0.9 * 0.5 - 0.5 = -0.05, A1 = -0.05 + 0.72 * 0.5 = 0.31
    # t=0: delta = -0.05, A0 = -0.05 + 0.72 * 0.31 = 0.1732
    advantages, returns = compute_gae(torch.tensor([[0.0, 0.0, 1.0]]), torch.tensor([[0.5, 0.5, 0.5]]),
                                      torch.ones(1, 3), gamma=0.9, lam=0.8)
    close(advantages, [[0.1732, 0.31, 0.5]])
    close(returns, [[0.6732, 0.81, 1.0]])


def test_gae_with_gamma_and_lambda_one_is_monte_carlo_return_minus_value():
    # returns = reward-to-go: 0.1 - 0.2 + 1 = 0.9, -0.2 + 1 = 0.8, 1.0; advantages = returns - V.
    advantages, returns = compute_gae(torch.tensor([[0.1, -0.2, 1.0]]), torch.tensor([[0.3, 0.4, 0.5]]),
                                      torch.ones(1, 3), gamma=1.0, lam=1.0)
    close(returns, [[0.9, 0.8, 1.0]])
    close(advantages, [[0.6, 0.4, 0.5]])


def test_gae_stops_at_the_last_real_token_and_skips_masked_positions():
    # Padding at the end: the 99s must not leak. t=1: delta = 2 - 1 = 1, A1 = 1; t=0: delta = 0 + 1 - 1 = 0, A0 = 1.
    advantages, returns = compute_gae(torch.tensor([[0.0, 2.0, 99.0]]), torch.tensor([[1.0, 1.0, 99.0]]),
                                      torch.tensor([[1, 1, 0]]), gamma=1.0, lam=1.0)
    close(advantages, [[1.0, 1.0, 0.0]])
    close(returns, [[2.0, 2.0, 0.0]])
    # A hole in the middle is skipped: same numbers as the 2-token episode [0, 1] with V = 0.5,
    # gamma 0.9, lambda 0.8: A_last = 0.5, A0 = -0.05 + 0.72 * 0.5 = 0.31.
    advantages, _ = compute_gae(torch.tensor([[0.0, 50.0, 1.0]]), torch.tensor([[0.5, 50.0, 0.5]]),
                                torch.tensor([[1, 0, 1]]), gamma=0.9, lam=0.8)
    close(advantages, [[0.31, 0.0, 0.5]])


def test_policy_loss_clips_the_ratio_and_reports_clipfrac_and_approx_kl():
    eps = 0.2
    ratios = torch.tensor([[1.5, 0.5, 0.5, 3.0]])
    advantages = torch.tensor([[1.0, 2.0, -1.0, 7.0]])
    mask = torch.tensor([[1, 1, 1, 0]])
    old = torch.zeros(1, 4)
    new = torch.log(ratios).requires_grad_(True)
    out = policy_loss(new, old, advantages, mask, eps)
    # token 1: max(-1.5, -1.2) = -1.2 (clipped in force); token 2: max(-1.0, -1.6) = -1.0 (unclipped);
    # token 3: max(0.5, 0.8) = 0.8 (clipped); token 4 is padding. Mean = (-1.2 - 1.0 + 0.8) / 3.
    close(out.loss, -1.4 / 3)
    close(out.clipfrac, 2 / 3)
    # 0.5 * mean((ln 1.5)^2, (ln 0.5)^2, (ln 0.5)^2) = 0.5 * (0.164402 + 2 * 0.480453) / 3 = 0.187551
    close(out.approx_kl, 0.5 * (math.log(1.5) ** 2 + 2 * math.log(0.5) ** 2) / 3)
    close(out.ratio_mean, (1.5 + 0.5 + 0.5) / 3)
    out.loss.backward()
    # Only the unclipped token has a gradient: d(-A r)/d log r = -A r = -2 * 0.5 = -1, divided by 3 tokens.
    close(new.grad, [[0.0, -1 / 3, 0.0, 0.0]])


def test_value_loss_takes_the_larger_of_clipped_and_unclipped_error():
    old = torch.tensor([[1.0, 1.0, 1.0]])
    new = torch.tensor([[1.5, 0.9, 3.0]])
    returns = torch.tensor([[2.0, 0.0, 9.0]])
    mask = torch.tensor([[1, 1, 0]])
    out = value_loss(new, old, returns, mask, cliprange_value=0.2)
    # token 1: V_clip = 1.2, errors (1.5 - 2)^2 = 0.25 vs (1.2 - 2)^2 = 0.64 -> 0.64 (clipped in force)
    # token 2: V_clip = 0.9 (inside the range), both errors 0.81. Loss = 0.5 * (0.64 + 0.81) / 2.
    close(out.loss, 0.3625)
    close(out.clipfrac, 0.5)


def test_adaptive_kl_controller_follows_ziegler_update():
    # KL 9 vs target 6: error = clip(0.5) = 0.2; coef = 0.2 * (1 + 0.2 * 256 / 10000) = 0.201024.
    controller = AdaptiveKLController(0.2, target=6.0, horizon=10_000)
    assert controller.update(9.0, n_steps=256) == pytest.approx(0.201024)
    # KL 6.6: error 0.1 (inside the clip): 1.0 * (1 + 0.1 * 100 / 10000) = 1.001.
    controller = AdaptiveKLController(1.0, target=6.0, horizon=10_000)
    assert controller.update(6.6, n_steps=100) == pytest.approx(1.001)
    # KL 0: error clipped to -0.2; a whole horizon of steps: 1.0 * (1 - 0.2) = 0.8.
    assert AdaptiveKLController(1.0, target=6.0, horizon=100).update(0.0, n_steps=100) == pytest.approx(0.8)


def test_fixed_kl_controller_and_bad_adaptive_settings():
    assert FixedKLController(0.3).update(100.0, n_steps=10) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="target=0"):
        AdaptiveKLController(0.1, target=0.0, horizon=10)
    with pytest.raises(ValueError, match="horizon=0"):
        AdaptiveKLController(0.1, target=1.0, horizon=0)
