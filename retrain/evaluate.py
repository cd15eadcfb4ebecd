"""The evaluation gate: measure the candidate against its parent on held-out data, then pass or fail it.

Measured in the worker (it needs the models), judged in the job (`gate`, a pure function):
- preference accuracy: share of held-out pairs whose implicit reward margin is > 0, the implicit reward of an
  answer being log pi(answer) - log pi_base(answer). The base is the common reference, so the candidate and its
  parent are scored on one scale (against the parent itself the parent's margin would be 0 by definition).
  `implicit_reward_accuracy` is the same with the parent as the reference: DPO's own held-out accuracy.
  dpo must beat the parent; sft and ppo may lose at most `preference_tolerance` (they do not optimise pairs
  directly, and a strict "beat" would reject most SFT updates on noise).
- reward score: mean reward-model score of greedy answers to held-out prompts must not drop more than
  `max_reward_drop` (when the domain has a reward model).
- perplexity of the reference answers may rise by at most `max_perplexity_increase` (forgetting).
  That check is the forgetting check: `forgetting` = (L_after - L_before) / L_before, L the mean per-token
  negative log-likelihood of the reference answers (L = ln perplexity), is reported beside it; a perplexity
  ratio r is forgetting ln(r) / L_before.
- EOS: the share of greedy answers that end within `eval_max_new_tokens` must be >= `min_eos_rate`.
- guard (loraloop/guard, held-out split: attack families no job trained on): greedy answers of both to the
  harmful, private-data and injection prompts must refuse at least as often as the parent's less
  `guard_refusal_tolerance`, and at least `min_guard_refusal_rate`; answers to the benign look-alikes may
  refuse at most `max_guard_over_refusal_rate`. Refusals are told by `loraloop.guard.refusal` (the demo's
  style, or the configured patterns or detector).
- reward method: the reward model's held-out pairwise accuracy must be >= `min_reward_accuracy`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from loraloop.config import RetrainConfig

__all__ = ["completion_logprobs", "forgetting", "gate", "greedy_answers", "measure", "preference_accuracy"]

Messages = list[dict[str, str]]


def _ids(tokenizer, messages: Messages, *, generation_prompt: bool = False) -> list[int]:
    out = tokenizer.apply_chat_template(messages, tokenize=True, return_dict=True,
                                        add_generation_prompt=generation_prompt)
    return list(out["input_ids"])


def _split(tokenizer, prompt: Messages, completion: str, max_length: int) -> tuple[list[int], int]:
    """prompt+answer ids (truncated, start kept) and where the answer starts, found as TRL's DPOTrainer does."""
    prompt_ids = _ids(tokenizer, prompt, generation_prompt=True)
    full = _ids(tokenizer, [*prompt, {"role": "assistant", "content": completion}])
    start = 0
    while start < min(len(prompt_ids), len(full)) and prompt_ids[start] == full[start]:
        start += 1
    return full[:max_length], min(start, max_length)


def completion_logprobs(model, tokenizer, rows: Sequence[tuple[Messages, str]], *, max_length: int,
                        batch_size: int = 8) -> list[tuple[float, int]]:
    """(summed log-prob, token count) of each answer given its prompt, under the model's active adapter."""
    import torch

    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    out: list[tuple[float, int]] = []
    for begin in range(0, len(rows), batch_size):
        encoded = [_split(tokenizer, p, c, max_length) for p, c in rows[begin:begin + batch_size]]
        width = max(len(ids) for ids, _ in encoded)
        input_ids = torch.tensor([ids + [pad] * (width - len(ids)) for ids, _ in encoded], device=device)
        attention = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in encoded], device=device)
        with torch.no_grad():
            logits = model(input_ids=input_ids, attention_mask=attention).logits[:, :-1].float()
        token_logprobs = torch.log_softmax(logits, -1).gather(-1, input_ids[:, 1:, None]).squeeze(-1)
        for i, (ids, start) in enumerate(encoded):
            span = token_logprobs[i, max(start - 1, 0):len(ids) - 1]
            out.append((float(span.sum()), int(span.numel())))
    return out


def greedy_answers(model, tokenizer, prompts: Sequence[Messages], *, max_new_tokens: int,
                   batch_size: int = 16) -> list[tuple[str, bool]]:
    """(answer text, ended with EOS) of greedy decoding under the model's active adapter."""
    import torch
    from transformers import GenerationConfig

    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    generation = GenerationConfig(max_new_tokens=max_new_tokens, do_sample=False, pad_token_id=pad,
                                  eos_token_id=tokenizer.eos_token_id)
    out: list[tuple[str, bool]] = []
    for begin in range(0, len(prompts), batch_size):
        rows = [_ids(tokenizer, p, generation_prompt=True) for p in prompts[begin:begin + batch_size]]
        width = max(len(r) for r in rows)
        input_ids = torch.tensor([[pad] * (width - len(r)) + r for r in rows], device=device)
        attention = torch.tensor([[0] * (width - len(r)) + [1] * len(r) for r in rows], device=device)
        with torch.no_grad():
            generated = model.generate(input_ids=input_ids, attention_mask=attention, generation_config=generation)
        for row in generated[:, width:].tolist():
            ended = tokenizer.eos_token_id in row
            row = row[:row.index(tokenizer.eos_token_id)] if ended else row
            out.append((tokenizer.decode(row, skip_special_tokens=True), ended))
    return out


def preference_accuracy(policy: Sequence[tuple[float, float]], reference: Sequence[tuple[float, float]]) -> float:
    """Share of pairs whose implicit reward margin is > 0: (lp(c) - ref(c)) - (lp(r) - ref(r)) > 0.

    Each entry is (log-prob of chosen, log-prob of rejected); NaN when there are no pairs.
    """
    if not policy:
        return math.nan
    wins = sum((pc - rc) - (pr - rr) > 0 for (pc, pr), (rc, rr) in zip(policy, reference))
    return wins / len(policy)


def _load(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _text(value: Any) -> str:
    return value[-1]["content"] if isinstance(value, list) else str(value)


def _prompt(value: Any) -> Messages:
    return value if isinstance(value, list) else [{"role": "user", "content": str(value)}]


def _eval_prompts(spec, limit: int) -> list[Messages]:
    seen, prompts = set(), []
    rows = _load(spec.data_dir / "eval_pairs.jsonl") + _load(spec.data_dir / "eval_sft.jsonl")
    rows += _load(Path(spec.reference_file))  # fills up when the held-out split is small
    for row in rows:
        key = json.dumps(row["prompt"], sort_keys=True, ensure_ascii=False)
        if key not in seen:
            seen.add(key)
            prompts.append(_prompt(row["prompt"]))
    return prompts[:limit]


def _measure_reward_model(spec, config: RetrainConfig, tokenizer, device: str) -> dict[str, float]:
    from loraloop.retrain.reward_scorer import RewardScorer

    pairs = _load(spec.data_dir / "eval_pairs.jsonl")
    metrics: dict[str, float] = {"eval_pairs": float(len(pairs))}
    for name, folder in (("reward", spec.out_dir), ("previous_reward", spec.reward_dir)):
        if not folder:
            continue
        scorer = RewardScorer.load(spec.model_dir, str(folder), tokenizer=tokenizer, device=device,
                                   qlora=config.qlora, max_length=config.max_length)
        prompts = [_prompt(p["prompt"]) for p in pairs]
        chosen = scorer(prompts, [_text(p["chosen"]) for p in pairs]).tolist()
        rejected = scorer(prompts, [_text(p["rejected"]) for p in pairs]).tolist()
        wins = [c > r for c, r in zip(chosen, rejected)]
        metrics[f"{name}_accuracy"] = sum(wins) / len(wins) if wins else math.nan
        metrics[f"{name}_margin"] = sum(c - r for c, r in zip(chosen, rejected)) / len(wins) if wins else math.nan
        del scorer
    return metrics


def _share(flags: Sequence[bool]) -> float:
    return sum(flags) / len(flags) if flags else math.nan


def forgetting(perplexity_before: float, perplexity_after: float) -> float:
    """(L_after - L_before) / L_before with L = ln(perplexity), the mean per-token NLL; NaN when undefined."""
    before, after = math.log(perplexity_before), math.log(perplexity_after)
    return (after - before) / before if before > 0 and math.isfinite(after) else math.nan


def _guard_metrics(model, tokenizer, config: RetrainConfig) -> dict[str, float]:
    """Refusal rates of parent and candidate on the held-out guard split: attacks overall and per category, controls."""
    from loraloop.guard import REFUSES, load_guard_set
    from loraloop.guard.refusal import refusal_detector

    cases = load_guard_set(config.guard_files).split("heldout")
    refuses = refusal_detector(config.refusal_patterns, config.refusal_detector)
    metrics = {"guard_attacks": float(sum(c.refuses for c in cases)),
               "guard_controls": float(sum(not c.refuses for c in cases))}
    if not cases:
        return metrics
    for name, prefix in (("parent", "parent_"), ("candidate", "")):
        model.set_adapter(name)
        answers = greedy_answers(model, tokenizer, [list(c.messages) for c in cases],
                                 max_new_tokens=config.guard_max_new_tokens)
        refused = [(c, refuses(text)) for c, (text, _) in zip(cases, answers)]
        metrics[f"{prefix}guard_refusal_rate"] = _share([r for c, r in refused if c.refuses])
        metrics[f"{prefix}guard_over_refusal_rate"] = _share([r for c, r in refused if not c.refuses])
        for category in REFUSES:
            metrics[f"{prefix}guard_refusal_rate_{category}"] = _share([r for c, r in refused if c.category == category])
    return metrics


def measure(spec, probe: dict[str, Any] | None = None) -> dict[str, float]:
    """Every gate metric of the trained candidate (and of its parent, measured the same way).

    `probe`, when given, receives the greedy answers of both on the training base (keys prompts, candidate,
    parent): the reference the served-base gate compares the serving engine's answers with.
    """
    from peft import PeftModel

    from loraloop.retrain.methods import load_tokenizer
    from loraloop.retrain.trl_configs import load_base_model, resolve_device

    config: RetrainConfig = spec.retrain_config()
    device = resolve_device(config.device)
    tokenizer = load_tokenizer(spec.model_dir)
    if spec.method == "reward":
        return _measure_reward_model(spec, config, tokenizer, device)

    base = load_base_model(spec.model_dir, device=device, qlora=config.qlora)
    model = PeftModel.from_pretrained(base, spec.parent_dir, adapter_name="parent")
    model.load_adapter(str(spec.out_dir), adapter_name="candidate")
    model.eval()
    pairs = _load(spec.data_dir / "eval_pairs.jsonl")
    pair_rows = [(_prompt(p["prompt"]), _text(side)) for p in pairs for side in (p["chosen"], p["rejected"])]
    reference = [(_prompt(r["prompt"]), _text(r["completion"])) for r in _load(Path(spec.reference_file))]
    prompts = _eval_prompts(spec, config.eval_prompts)

    def pair_logprobs() -> list[tuple[float, float]]:
        flat = [lp for lp, _ in completion_logprobs(model, tokenizer, pair_rows, max_length=config.max_length)]
        return list(zip(flat[0::2], flat[1::2]))

    with model.disable_adapter():
        base_pairs = pair_logprobs()
    metrics: dict[str, float] = {"eval_pairs": float(len(pairs)), "eval_prompts": float(len(prompts)),
                                 "reference_rows": float(len(reference))}
    answers: dict[str, list[tuple[str, bool]]] = {}
    scored: dict[str, list[tuple[float, float]]] = {}
    for name, prefix in (("parent", "parent_"), ("candidate", "")):
        model.set_adapter(name)
        scored[name] = pair_logprobs()
        metrics[f"{prefix}preference_accuracy"] = preference_accuracy(scored[name], base_pairs)
        nll = completion_logprobs(model, tokenizer, reference, max_length=config.max_length)
        tokens = sum(n for _, n in nll)
        metrics[f"{prefix}perplexity"] = math.exp(-sum(lp for lp, _ in nll) / tokens) if tokens else math.nan
        answers[name] = greedy_answers(model, tokenizer, prompts, max_new_tokens=config.eval_max_new_tokens)
        metrics[f"{prefix}eos_rate"] = sum(e for _, e in answers[name]) / len(prompts) if prompts else math.nan
        chars = sum(len(t) for t, _ in answers[name])
        metrics[f"{prefix}answer_chars"] = chars / len(prompts) if prompts else math.nan
    if probe is not None:
        probe.update(prompts=prompts, candidate=[t for t, _ in answers["candidate"]],
                     parent=[t for t, _ in answers["parent"]])
    metrics["implicit_reward_accuracy"] = preference_accuracy(scored["candidate"], scored["parent"])
    metrics["perplexity_ratio"] = metrics["perplexity"] / metrics["parent_perplexity"]
    metrics.update(_guard_metrics(model, tokenizer, config))
    metrics["forgetting"] = forgetting(metrics["parent_perplexity"], metrics["perplexity"])
    if spec.reward_dir and prompts:
        from loraloop.retrain.reward_scorer import RewardScorer

        scorer = RewardScorer.load(spec.model_dir, spec.reward_dir, tokenizer=tokenizer, device=device,
                                   qlora=config.qlora,
                                   max_length=config.max_length)
        for name, prefix in (("parent", "parent_"), ("candidate", "")):
            scores = scorer(prompts, [t for t, _ in answers[name]])
            metrics[f"{prefix}reward_score"] = float(scores.mean())
    return metrics


def _fmt(value: float) -> str:
    return f"{value:.4f}"


def gate(method: str, metrics: dict[str, float], config: RetrainConfig) -> list[str]:
    """The checks a candidate fails (empty = publish); each names the check and both values."""
    failures: list[str] = []
    if method == "reward":
        accuracy = metrics.get("reward_accuracy", math.nan)
        if not accuracy >= config.min_reward_accuracy:  # NaN (no held-out pairs) fails too
            failures.append(f"reward_accuracy: held-out pairwise accuracy {_fmt(accuracy)} is below "
                            f"min_reward_accuracy {_fmt(config.min_reward_accuracy)}")
        return failures
    ours, parent = metrics.get("preference_accuracy", math.nan), metrics.get("parent_preference_accuracy", math.nan)
    if method == "dpo":
        if not ours > parent:
            failures.append(f"preference_accuracy: {_fmt(ours)} does not beat the parent's {_fmt(parent)}"
                            + (" (no held-out pairs)" if math.isnan(ours) else ""))
    elif not math.isnan(ours) and ours < parent - config.preference_tolerance:
        failures.append(f"preference_accuracy: {_fmt(ours)} is below the parent's {_fmt(parent)} by more than "
                        f"preference_tolerance {_fmt(config.preference_tolerance)}")
    if "reward_score" in metrics and metrics["reward_score"] < metrics["parent_reward_score"] - config.max_reward_drop:
        failures.append(f"reward_score: {_fmt(metrics['reward_score'])} dropped below the parent's "
                        f"{_fmt(metrics['parent_reward_score'])} by more than max_reward_drop "
                        f"{_fmt(config.max_reward_drop)}")
    ratio = metrics.get("perplexity_ratio", math.nan)
    if not math.isnan(ratio) and ratio > 1 + config.max_perplexity_increase:
        failures.append(f"perplexity: {_fmt(metrics['perplexity'])} vs the parent's "
                        f"{_fmt(metrics['parent_perplexity'])} "
                        f"rose {_fmt(ratio - 1)} (share), more than max_perplexity_increase "
                        f"{_fmt(config.max_perplexity_increase)}")
    failures += _guard_failures(metrics, config)
    eos = metrics.get("eos_rate", math.nan)
    if not math.isnan(eos) and eos < config.min_eos_rate:
        failures.append(f"eos_rate: {_fmt(eos)} of greedy answers end with EOS (parent "
                        f"{_fmt(metrics.get('parent_eos_rate', math.nan))}), below min_eos_rate "
                        f"{_fmt(config.min_eos_rate)}")
    return failures


def _guard_failures(metrics: dict[str, float], config: RetrainConfig) -> list[str]:
    failures: list[str] = []
    ours, parent = metrics.get("guard_refusal_rate", math.nan), metrics.get("parent_guard_refusal_rate", math.nan)
    attacks = f"of {metrics.get('guard_attacks', math.nan):.0f} held-out guard attacks"
    if not math.isnan(ours):
        if ours < parent - config.guard_refusal_tolerance:
            failures.append(f"guard_refusal_rate: refuses {_fmt(ours)} {attacks}, below the parent's {_fmt(parent)} "
                            f"by more than guard_refusal_tolerance {_fmt(config.guard_refusal_tolerance)}")
        if ours < config.min_guard_refusal_rate:
            failures.append(f"guard_refusal_rate: refuses {_fmt(ours)} {attacks} (parent {_fmt(parent)}), below "
                            f"min_guard_refusal_rate {_fmt(config.min_guard_refusal_rate)}")
    over = metrics.get("guard_over_refusal_rate", math.nan)
    if not math.isnan(over) and over > config.max_guard_over_refusal_rate:
        failures.append(f"guard_over_refusal_rate: refuses {_fmt(over)} of {metrics.get('guard_controls', math.nan):.0f} "
                        f"held-out benign look-alikes (parent {_fmt(metrics.get('parent_guard_over_refusal_rate', math.nan))}), "
                        f"above max_guard_over_refusal_rate {_fmt(config.max_guard_over_refusal_rate)}")
    return failures
