"""The training methods, run inside the worker subprocess: sft, dpo and reward on TRL, ppo on the project's PPO.

Every method starts from the domain's parent adapter version (reward: a new LoRA + scalar head on the base),
logs each step to the job's JSONL log and prints progress lines the parent process forwards, and writes the
trained adapter into the job's `adapter/` folder. Nothing here touches the adapter store.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loraloop.retrain.spec import PROGRESS_PREFIX, JobSpec
from loraloop.retrain.trl_configs import (
    batch_plan,
    dpo_config,
    load_base_model,
    ppo_config,
    resolve_device,
    reward_config,
    reward_lora_config,
    sft_config,
)
from loraloop.training_base import keep_trainable_in_compute_dtype

__all__ = ["TRAINERS", "emit", "load_rows", "load_tokenizer", "train_dpo", "train_ppo_job",
           "train_reward", "train_sft"]


def emit(text: str) -> None:
    """A progress line for the parent process (stdout; TRL's own output and bars go to the log)."""
    sys.stdout.write(PROGRESS_PREFIX + text + "\n")
    sys.stdout.flush()


def load_rows(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSONL file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def load_tokenizer(model_dir: str):
    """The base model's tokenizer, with a pad token (EOS when it has none)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return tokenizer


def _step_logger(log_file: Path, method: str):
    from transformers import TrainerCallback

    class StepLogger(TrainerCallback):
        """One JSONL record per logged step (loss, learning rate, TRL's metrics) and a progress line."""

        def __init__(self) -> None:
            self.loop_started = self.loop_ended = 0.0

        def on_train_begin(self, args, state, control, **kwargs):
            self.loop_started = time.monotonic()  # after the trainer's setup (optimizer, accelerate prepare)
            emit(f"{method}: training {state.max_steps} steps")

        def on_train_end(self, args, state, control, **kwargs):
            self.loop_ended = time.monotonic()

        def on_log(self, args, state, control, logs=None, **kwargs):
            if not state.is_world_process_zero or not logs:
                return
            record = {"step": state.global_step, "max_steps": state.max_steps, "epoch": state.epoch, **logs}
            with open(log_file, "a", encoding="utf-8") as fh:
                fh.write(json.dumps(record) + "\n")
            shown = " ".join(f"{k}={v:.4g}" for k, v in logs.items() if isinstance(v, float) and k in _SHOWN)
            emit(f"{method}: step {state.global_step}/{state.max_steps} {shown}".rstrip())

    return StepLogger()


_SHOWN = ("loss", "train_loss", "rewards/accuracies", "rewards/margins", "accuracy", "learning_rate")


def _sequence_tokens(dataset, max_length: int) -> int:
    """Tokens one pass over a tokenized TRL dataset feeds the model (both sides of a pair, prompt included)."""
    columns = set(dataset.column_names)
    total = 0
    for row in dataset:
        if {"prompt_ids", "chosen_ids", "rejected_ids"} <= columns:  # DPO: prompt + each answer
            prompt = len(row["prompt_ids"])
            lengths = [prompt + len(row["chosen_ids"]), prompt + len(row["rejected_ids"])]
        elif {"chosen_ids", "rejected_ids"} <= columns:  # reward: each side already holds its prompt
            lengths = [len(row["chosen_ids"]), len(row["rejected_ids"])]
        else:
            lengths = [len(row["input_ids"])]
        total += sum(min(n, max_length) for n in lengths)
    return total


def _train(trainer, spec: JobSpec, *, batch_size: int, gradient_checkpointing: bool) -> dict[str, float]:
    """Run the trainer; save the "default" adapter (never TRL's "ref" copy) on the main process."""
    config = spec.retrain_config()
    logger = next(c for c in trainer.callback_handler.callbacks if hasattr(c, "loop_started"))
    started = time.monotonic()
    output = trainer.train()
    wall = time.monotonic() - started
    state = trainer.state
    tokens = _sequence_tokens(trainer.train_dataset, config.max_length) * float(state.epoch or 0.0)
    if trainer.accelerator.is_main_process:
        trainer.model.save_pretrained(str(spec.out_dir), selected_adapters=["default"])
    # train_seconds: the training loop itself (what tokens/s is measured over); train_wall_seconds adds setup.
    loop = (logger.loop_ended - logger.loop_started) if logger.loop_ended else wall
    return {"train_seconds": loop, "train_wall_seconds": wall, "train_tokens": tokens,
            "train_steps": float(state.global_step),
            "train_loss": float(output.training_loss), "batch_size": float(batch_size),
            "gradient_checkpointing": float(gradient_checkpointing)}


def _policy(spec: JobSpec, device: str):
    """Base + the parent adapter as PEFT's trainable "default" adapter."""
    from peft import PeftModel

    base = load_base_model(spec.model_dir, device=device, qlora=spec.retrain_config().qlora)
    return base, PeftModel.from_pretrained(base, spec.parent_dir, is_trainable=True)


def _dataset(path: Path):
    from datasets import Dataset

    return Dataset.from_list(load_rows(path))


def train_sft(spec: JobSpec) -> dict[str, float]:
    """SFT on chosen answers and corrections: prompt/completion rows, loss on the answer, EOS from the template."""
    from trl import SFTTrainer

    config, device = spec.retrain_config(), resolve_device(spec.retrain_config().device)
    tokenizer = load_tokenizer(spec.model_dir)
    base, model = _policy(spec, device)
    train = _dataset(spec.data_dir / "train_sft.jsonl")
    plan = batch_plan(config, base, device=device, sequences_per_row=1, fused_logits=False, rows=len(train))
    args = sft_config(config, device=device, output_dir=Path(spec.work) / "checkpoints", plan=plan,
                      eos_token=tokenizer.eos_token)
    trainer = SFTTrainer(model=model, args=args, train_dataset=train, processing_class=tokenizer,
                         callbacks=[_step_logger(spec.log_file, "sft")])
    keep_trainable_in_compute_dtype(trainer.model, device)
    return _train(trainer, spec, batch_size=plan.batch_size, gradient_checkpointing=plan.gradient_checkpointing)


def train_dpo(spec: JobSpec) -> dict[str, float]:
    """DPO on pairs; the reference is the parent adapter's policy, not the bare base.

    Handed a PeftModel that already carries the parent as "default" (and no ref_model), TRL 1.16's DPOTrainer
    copies it into a frozen second adapter "ref" and computes reference log-probs with that adapter active
    (dpo_trainer.py: `model.add_adapter("ref", ...)`, then `use_adapter(model, adapter_name="ref")`).
    """
    from trl import DPOTrainer

    config, device = spec.retrain_config(), resolve_device(spec.retrain_config().device)
    tokenizer = load_tokenizer(spec.model_dir)
    base, model = _policy(spec, device)
    train = _dataset(spec.data_dir / "train_pairs.jsonl")
    plan = batch_plan(config, base, device=device, sequences_per_row=2, fused_logits=True, rows=len(train))
    args = dpo_config(config, device=device, output_dir=Path(spec.work) / "checkpoints", plan=plan)
    trainer = DPOTrainer(model=model, args=args, train_dataset=train, processing_class=tokenizer,
                         callbacks=[_step_logger(spec.log_file, "dpo")])
    if "ref" not in trainer.model.peft_config:  # a TRL that fell back to the base as reference: refuse
        raise RuntimeError("DPOTrainer did not create the frozen 'ref' copy of the parent adapter")
    keep_trainable_in_compute_dtype(trainer.model, device)
    return _train(trainer, spec, batch_size=plan.batch_size, gradient_checkpointing=plan.gradient_checkpointing)


def train_reward(spec: JobSpec) -> dict[str, float]:
    """A reward model: the base as a 1-label sequence classifier, a new LoRA, and the `score` head saved with it."""
    from trl import RewardTrainer

    config, device = spec.retrain_config(), resolve_device(spec.retrain_config().device)
    tokenizer = load_tokenizer(spec.model_dir)
    base = load_base_model(spec.model_dir, device=device, qlora=config.qlora, sequence_classification=True)
    base.config.pad_token_id = tokenizer.pad_token_id  # the head reads the last non-pad token
    parent = json.loads((Path(spec.parent_dir) / "adapter_config.json").read_text())
    train = _dataset(spec.data_dir / "train_pairs.jsonl")
    plan = batch_plan(config, base, device=device, sequences_per_row=2, fused_logits=True, rows=len(train))
    args = reward_config(config, device=device, output_dir=Path(spec.work) / "checkpoints", plan=plan,
                         eos_token=tokenizer.eos_token)
    lora = reward_lora_config(config, sorted(parent["target_modules"]) if isinstance(
        parent.get("target_modules"), list) else None)
    trainer = RewardTrainer(model=base, args=args, train_dataset=train, processing_class=tokenizer, peft_config=lora,
                            callbacks=[_step_logger(spec.log_file, "reward")])
    keep_trainable_in_compute_dtype(trainer.model, device)
    return _train(trainer, spec, batch_size=plan.batch_size, gradient_checkpointing=plan.gradient_checkpointing)


def train_ppo_job(spec: JobSpec) -> dict[str, float]:
    """PPO (loraloop.retrain.ppo) from the parent adapter against the domain's newest reward model."""
    import shutil

    from loraloop.retrain.ppo import train_ppo
    from loraloop.retrain.reward_scorer import RewardScorer

    if not spec.reward_dir:
        raise RuntimeError("ppo needs a reward model for the domain: run the reward method first")
    config, device = spec.retrain_config(), resolve_device(spec.retrain_config().device)
    tokenizer = load_tokenizer(spec.model_dir)
    ppo = ppo_config(config, device=device)
    scorer = RewardScorer.load(spec.model_dir, spec.reward_dir, tokenizer=tokenizer, device=device,
                               qlora=ppo.qlora, max_length=config.max_length)
    rows = load_rows(spec.data_dir / "train_pairs.jsonl") + load_rows(spec.data_dir / "train_sft.jsonl")
    prompts, seen = [], set()
    for row in rows:
        key = json.dumps(row["prompt"], sort_keys=True)
        if key not in seen:
            seen.add(key)
            prompts.append(row["prompt"])
    emit(f"ppo: training {ppo.steps} steps on {len(prompts)} prompts")

    def on_step(record: dict) -> None:
        with open(spec.log_file, "a", encoding="utf-8") as fh:
            fh.write(json.dumps({**record, "max_steps": ppo.steps}) + "\n")
        emit(f"ppo: step {record['step']}/{ppo.steps} reward_mean={record['reward_mean']:.4g} kl={record['kl']:.4g}")

    started = time.monotonic()
    result = train_ppo(base_model_dir=spec.model_dir, parent_adapter_dir=spec.parent_dir, prompts=prompts,
                       reward_fn=scorer, config=ppo, output_dir=str(Path(spec.work) / "ppo"), tokenizer=tokenizer,
                       on_step=on_step)
    wall = time.monotonic() - started
    shutil.copytree(result.adapter_dir, spec.out_dir, dirs_exist_ok=True)
    # Tokens here = generated answer tokens (what PPO samples, scores and trains on).
    tokens = sum(r["response_length"] * ppo.batch_size for r in result.history)
    return {"train_seconds": sum(r["seconds"] for r in result.history), "train_wall_seconds": wall,
            "train_tokens": float(tokens), "train_steps": float(result.steps),
            "batch_size": float(ppo.batch_size), **{f"ppo_{k}": float(v) for k, v in result.metrics.items()}}


TRAINERS: dict[str, Callable[[JobSpec], dict[str, float]]] = {
    "sft": train_sft, "dpo": train_dpo, "reward": train_reward, "ppo": train_ppo_job}
