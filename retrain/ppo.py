"""PPO for a LoRA policy on PEFT: the project's own trainer, since TRL 1.16 no longer ships a PPOTrainer.

One step = sample one answer per prompt with HF `generate`, score the answers with `reward_fn`, shape the
rewards with a per-token KL penalty to the frozen reference policy (adaptive coefficient), compute GAE
advantages with a value head, then run `ppo_epochs` passes of minibatch updates of the clipped surrogate
+ clipped value loss - entropy bonus. The tensor maths lives in `ppo_math.py`.

Models in memory (one base, shared):
- policy = the parent adapter loaded as PEFT's "default" adapter, trainable;
- reference = the same parent adapter loaded a second time as adapter "reference", frozen. Switching the
  active adapter is cheap and exact (same base, the parent's LoRA weights), and it is the parent's policy,
  not the bare base, that the KL keeps us close to. The LoRA weights are stored twice (small), the base once;
- value head = `ValueHead`, a linear layer on the policy's last hidden state (its own parameters, saved
  beside the adapter, never published). Its loss also trains the shared LoRA weights (weighted by vf_coef),
  as in TRL's former value-head model.
Dropout stays off (model.eval()) during training: old and new log-probs must come from the same function.
"""

from __future__ import annotations

import contextlib
import json
import random
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import torch
from torch import nn

from loraloop import training_base
from loraloop.errors import StoreError
from loraloop.retrain.ppo_config import PPOJobConfig
from loraloop.retrain.ppo_math import (
    AdaptiveKLController,
    FixedKLController,
    completion_mask,
    compute_gae,
    entropy_from_logits,
    kl_estimate,
    logprobs_from_logits,
    masked_mean,
    masked_whiten,
    policy_loss,
    shape_rewards,
    value_loss,
)

__all__ = [
    "POLICY_ADAPTER",
    "REFERENCE_ADAPTER",
    "PPOResult",
    "RewardFn",
    "ValueHead",
    "check_adapter_dir",
    "generate_completions",
    "load_policy",
    "resolve_device",
    "train_ppo",
]

Messages = list[dict[str, str]]


class RewardFn(Protocol):
    """`reward_fn(prompts, completions) -> tensor (len(prompts),)`: one scalar score per answer (e.g. RewardScorer)."""

    def __call__(self, prompts: list[Messages], completions: list[str]) -> torch.Tensor: ...


# PEFT saves the "default" adapter at the top of the folder (others go into a subfolder of their name).
POLICY_ADAPTER = "default"
REFERENCE_ADAPTER = "reference"
LOG_FILE = "ppo_log.jsonl"
VALUE_HEAD_FILE = "value_head.safetensors"


@dataclass(frozen=True)
class PPOResult:
    """What a PPO run produced: the adapter folder to publish, the value head, the per-step log."""

    adapter_dir: Path
    value_head_path: Path
    log_path: Path
    steps: int
    metrics: dict[str, float]
    history: list[dict[str, float]]


class ValueHead(nn.Module):
    """V(s_t): a linear map from the policy's last hidden state to a scalar, kept in fp32."""

    def __init__(self, hidden_size: int):
        super().__init__()
        self.linear = nn.Linear(hidden_size, 1)
        # Zero init: the first advantages are plain reward-to-go, not noise from a random head.
        nn.init.zeros_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        """(batch, length, hidden) -> (batch, length)."""
        return self.linear(hidden.float()).squeeze(-1)


def resolve_device(name: str) -> torch.device:
    """"auto" -> cuda when available else cpu; "cuda" without a GPU is refused (loraloop.training_base)."""
    return torch.device(training_base.resolve_device(name))


def check_adapter_dir(path: str | Path, what: str) -> Path:
    """The folder of a saved PEFT adapter, or StoreError when its config or weights are missing."""
    folder = Path(path)
    missing = [name for name in ("adapter_config.json", "adapter_model.safetensors") if not (folder / name).is_file()]
    if missing:
        raise StoreError(f"{what} {str(folder)!r}: not a saved adapter (missing {', '.join(missing)})")
    return folder


def load_policy(base_model_dir: str, parent_adapter_dir: str, config: PPOJobConfig, device: torch.device):
    """Base + parent adapter twice: "default" (trainable policy) and "reference" (frozen)."""
    from peft import PeftModel

    parent = check_adapter_dir(parent_adapter_dir, "parent_adapter_dir")
    base = training_base.load_training_base(base_model_dir, device=device.type, qlora=config.qlora)
    model = PeftModel.from_pretrained(base, str(parent), adapter_name=POLICY_ADAPTER, is_trainable=True)
    model.load_adapter(str(parent), adapter_name=REFERENCE_ADAPTER, is_trainable=False)
    model.set_adapter(POLICY_ADAPTER)
    model.eval()
    return model


@contextlib.contextmanager
def _reference(model) -> Iterator[None]:
    # set_adapter(..., inference_mode=True) freezes every adapter; switching back makes the policy trainable again.
    model.set_adapter(REFERENCE_ADAPTER, inference_mode=True)
    try:
        yield
    finally:
        model.set_adapter(POLICY_ADAPTER)


def _encode_prompts(tokenizer, prompts: Sequence[Messages], max_length: int,
                    device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """Chat-templated prompts with the generation prompt, left-padded (generation appends on the right)."""
    rows = []
    for messages in prompts:
        ids = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=True, return_dict=True)
        rows.append(list(ids["input_ids"])[-max_length:])
    width = max(len(r) for r in rows)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    input_ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=device)
    attention = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=device)
    return input_ids, attention


def _sample(model, tokenizer, query: torch.Tensor, query_mask: torch.Tensor, *, max_new_tokens: int,
            temperature: float) -> tuple[torch.Tensor, torch.Tensor]:
    """Generated tokens (batch, T) and their mask (1 up to and including the first EOS)."""
    from transformers import GenerationConfig

    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    # An explicit config: the checkpoint's generation defaults (top_k, repetition penalty...) would change
    # the sampling distribution away from softmax(logits / T), which the PPO log-probs assume.
    sampling = dict(do_sample=True, temperature=temperature, top_k=0, top_p=1.0) if temperature > 0 else dict(do_sample=False)
    generation = GenerationConfig(max_new_tokens=max_new_tokens, pad_token_id=pad, eos_token_id=tokenizer.eos_token_id,
                                  **sampling)
    with torch.no_grad():
        out = model.generate(input_ids=query, attention_mask=query_mask, generation_config=generation)
    response = out[:, query.shape[1]:]
    return response, completion_mask(response, tokenizer.eos_token_id).to(query.device)


def _decode(tokenizer, response: torch.Tensor, mask: torch.Tensor) -> list[str]:
    return [tokenizer.decode(row[m.bool()].tolist(), skip_special_tokens=True) for row, m in zip(response, mask)]


def generate_completions(model, tokenizer, prompts: Sequence[Messages], *, max_new_tokens: int, temperature: float,
                         seed: int | None = None, batch_size: int = 32, max_prompt_length: int = 512) -> list[str]:
    """Answers of the model's active adapter to chat prompts; temperature 0 = greedy. Seeded without touching global RNG."""
    device = next(model.parameters()).device
    answers: list[str] = []
    with torch.random.fork_rng(devices=[device] if device.type == "cuda" else []):
        if seed is not None:
            torch.manual_seed(seed)
        for start in range(0, len(prompts), batch_size):
            query, query_mask = _encode_prompts(tokenizer, prompts[start:start + batch_size], max_prompt_length, device)
            response, mask = _sample(model, tokenizer, query, query_mask, max_new_tokens=max_new_tokens,
                                     temperature=temperature)
            answers += _decode(tokenizer, response, mask)
    return answers


def _score_tokens(model, value_head: ValueHead | None, query, query_mask, response, response_mask, temperature: float,
                  with_entropy: bool = False) -> tuple[torch.Tensor, torch.Tensor | None, torch.Tensor | None]:
    """Log-probs of the response tokens at the sampling temperature, values, entropies: each (batch, T)."""
    input_ids = torch.cat([query, response], dim=1)
    attention = torch.cat([query_mask, response_mask.to(query_mask.dtype)], dim=1)
    # Same positions as generate() derives from a left-padded mask.
    positions = (attention.cumsum(-1) - 1).clamp(min=0)
    out = model(input_ids=input_ids, attention_mask=attention, position_ids=positions,
                output_hidden_states=value_head is not None, use_cache=False)
    start = query.shape[1] - 1  # the logits at position i predict token i + 1
    logits = out.logits[:, start:-1].float() / temperature
    logprobs = logprobs_from_logits(logits, response)
    values = value_head(out.hidden_states[-1][:, start:-1]) if value_head is not None else None
    entropy = entropy_from_logits(logits) if with_entropy else None
    return logprobs, values, entropy


def _check_scores(scores: Any, count: int, device: torch.device) -> torch.Tensor:
    scores = torch.as_tensor(scores).detach().to(device=device, dtype=torch.float32).reshape(-1)
    if scores.numel() != count:
        raise ValueError(f"reward_fn returned {scores.numel()} scores for {count} answers; expected one per answer")
    if not bool(torch.isfinite(scores).all()):
        raise ValueError("reward_fn returned a non-finite score")
    return scores


def _check_prompts(prompts: Sequence[Messages]) -> list[Messages]:
    if not prompts:
        raise ValueError("prompts: expected at least one chat prompt")
    for i, messages in enumerate(prompts):
        if not messages or not all(isinstance(m, dict) and "role" in m and "content" in m for m in messages):
            raise ValueError(f"prompts[{i}]: expected a non-empty list of {{'role', 'content'}} messages")
    return [list(m) for m in prompts]


def _prompt_batches(prompts: list[Messages], batch_size: int, seed: int) -> Iterator[list[Messages]]:
    """Endless shuffled passes over the prompts (reshuffled each pass, seeded)."""
    rng = random.Random(seed)
    order: list[int] = []
    while True:
        batch = []
        while len(batch) < batch_size:
            if not order:
                order = list(range(len(prompts)))
                rng.shuffle(order)
            batch.append(prompts[order.pop()])
        yield batch


def train_ppo(*, base_model_dir: str, parent_adapter_dir: str, prompts: Sequence[Messages], reward_fn: RewardFn,
              config: PPOJobConfig, output_dir: str, tokenizer=None, on_step: Callable[[dict], None] | None = None,
              progress: bool = True) -> PPOResult:
    """Train the parent adapter with PPO on `prompts` against `reward_fn`; save to `<output_dir>/adapter`.

    Writes `<output_dir>/adapter/` (adapter_config.json + adapter_model.safetensors, the parent's format:
    publish this folder), `<output_dir>/value_head.safetensors` and `<output_dir>/ppo_log.jsonl` (one JSON
    record per step). `on_step(record)` runs after every step (raise from it to stop the run).
    `metrics` = the mean of each logged value over the last min(5, steps) steps, plus the final kl_coef.
    """
    from safetensors.torch import save_file
    from tqdm.auto import tqdm
    from transformers import AutoTokenizer

    prompts = _check_prompts(prompts)
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    if tokenizer is None:
        tokenizer = AutoTokenizer.from_pretrained(base_model_dir)
    model = load_policy(base_model_dir, parent_adapter_dir, config, device)
    hidden_size = model.get_base_model().config.get_text_config().hidden_size
    value_head = ValueHead(hidden_size).to(device)
    trainable = [p for p in model.parameters() if p.requires_grad] + list(value_head.parameters())
    # Plain AdamW also under QLoRA: the optimizer state is the LoRA weights' size, paging it saves nothing.
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate)
    controller = (AdaptiveKLController(config.init_kl_coef, config.target_kl, config.kl_horizon) if config.adap_kl_ctrl
                  else FixedKLController(config.init_kl_coef))

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    log_path = out / LOG_FILE
    history: list[dict[str, float]] = []
    batches = _prompt_batches(prompts, config.batch_size, config.seed)
    with log_path.open("w", encoding="utf-8") as log, tqdm(total=config.steps, desc="ppo", disable=not progress) as bar:
        for step in range(1, config.steps + 1):
            started = time.monotonic()
            record = _ppo_step(model, value_head, optimizer, controller, tokenizer, next(batches), reward_fn, config, device)
            record = {"step": step, **record, "seconds": round(time.monotonic() - started, 3)}
            history.append(record)
            log.write(json.dumps(record) + "\n")
            log.flush()
            bar.update(1)
            bar.set_postfix(reward=f"{record['reward_mean']:.3f}", kl=f"{record['kl']:.3f}")
            if on_step is not None:
                on_step(record)

    adapter_dir = out / "adapter"
    # The parent's config names the base folder it was trained from (maybe gone); name the one used here.
    model.peft_config[POLICY_ADAPTER].base_model_name_or_path = str(base_model_dir)
    model.save_pretrained(str(adapter_dir), selected_adapters=[POLICY_ADAPTER])
    value_head_path = out / VALUE_HEAD_FILE
    save_file({k: v.detach().cpu().contiguous() for k, v in value_head.state_dict().items()}, str(value_head_path))
    tail = history[-min(5, len(history)):]
    metrics = {key: sum(r[key] for r in tail) / len(tail) for key in tail[0] if key not in ("step", "seconds")}
    metrics["kl_coef"] = controller.value
    return PPOResult(adapter_dir=adapter_dir, value_head_path=value_head_path, log_path=log_path, steps=len(history),
                     metrics=metrics, history=history)


def _ppo_step(model, value_head: ValueHead, optimizer, controller, tokenizer, prompts: list[Messages],
              reward_fn: RewardFn, config: PPOJobConfig, device: torch.device) -> dict[str, float]:
    """One rollout + `ppo_epochs` of minibatch updates; returns the step's statistics."""
    mb = config.mini_batch_size
    query, query_mask = _encode_prompts(tokenizer, prompts, config.max_prompt_length, device)
    response, mask = _sample(model, tokenizer, query, query_mask, max_new_tokens=config.max_new_tokens,
                             temperature=config.temperature)
    completions = _decode(tokenizer, response, mask)
    scores = _check_scores(reward_fn(prompts, completions), len(prompts), device)

    with torch.no_grad():
        chunks = [slice(i, i + mb) for i in range(0, len(prompts), mb)]
        old = [_score_tokens(model, value_head, query[c], query_mask[c], response[c], mask[c], config.temperature)
               for c in chunks]
        old_logprobs = torch.cat([o[0] for o in old])
        old_values = torch.cat([o[1] for o in old]) * mask
        with _reference(model):
            ref_logprobs = torch.cat([_score_tokens(model, None, query[c], query_mask[c], response[c], mask[c],
                                                    config.temperature)[0] for c in chunks])
        kl = kl_estimate(old_logprobs, ref_logprobs, config.kl_estimator) * mask
        kl_coef = controller.value
        rewards, non_score = shape_rewards(scores, kl, mask, kl_coef)
        if config.whiten_rewards:
            rewards = masked_whiten(rewards, mask, shift_mean=False)
        advantages, returns = compute_gae(rewards, old_values, mask, config.gamma, config.lam)
        advantages = masked_whiten(advantages, mask)

    sums: dict[str, float] = {}
    updates = 0
    for _ in range(config.ppo_epochs):
        for idx in torch.randperm(len(prompts), device=device).split(mb):
            logprobs, values, entropy = _score_tokens(model, value_head, query[idx], query_mask[idx], response[idx],
                                                      mask[idx], config.temperature, with_entropy=True)
            pg = policy_loss(logprobs, old_logprobs[idx], advantages[idx], mask[idx], config.cliprange)
            vf = value_loss(values, old_values[idx], returns[idx], mask[idx], config.cliprange_value)
            mean_entropy = masked_mean(entropy, mask[idx])
            loss = pg.loss + config.vf_coef * vf.loss - config.entropy_coef * mean_entropy
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = torch.nn.utils.clip_grad_norm_(
                [p for group in optimizer.param_groups for p in group["params"]], config.max_grad_norm)
            optimizer.step()
            for key, value in (("loss", loss), ("policy_loss", pg.loss), ("value_loss", vf.loss),
                               ("entropy", mean_entropy), ("clipfrac", pg.clipfrac), ("value_clipfrac", vf.clipfrac),
                               ("approx_kl", pg.approx_kl), ("grad_norm", grad_norm)):
                sums[key] = sums.get(key, 0.0) + float(value.detach())
            updates += 1

    # Sequence KL (nats per answer) of the rollout, before this step's update: what the controller steers.
    mean_kl = float(kl.sum(1).mean())
    controller.update(mean_kl, n_steps=len(prompts))
    return {
        "reward_mean": float(scores.mean()), "reward_std": float(scores.std(correction=0)),
        "kl": mean_kl, "kl_coef": kl_coef, "non_score_reward": float(non_score.sum(1).mean()),
        "response_length": float(mask.sum(1).float().mean()),
        **{key: total / updates for key, total in sums.items()},
    }
