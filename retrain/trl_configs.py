"""The one place that turns a RetrainConfig into TRL's SFT/DPO/Reward configs, PEFT's LoraConfig and model loading.

TRL's field names are kept: `RetrainConfig.beta` becomes `DPOConfig.beta`, `sft_learning_rate` becomes
`SFTConfig.learning_rate`, and so on. Every job trains QLoRA by default (`RetrainConfig.qlora`), on CPU too:
the base in bitsandbytes 4-bit NF4 with double quantization, a paged 8-bit optimizer (loraloop.training_base).
On CPU the demo build's settings are reused (fp32 compute, no bf16 autocast, no gradient checkpointing: both
make a tiny model about 10x slower). On CUDA the batch is the largest the card's free memory holds (gradient
checkpointing only when not even a small batch fits without it).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.retrain.config import RetrainConfig
from loraloop.retrain.ppo_config import PPOJobConfig, from_retrain
from loraloop.training_base import CPU_TRAINING_ARGS, LORA_TARGETS, load_training_base, resolve_device, training_base

__all__ = [
    "CPU_BATCH_SIZE",
    "BatchPlan",
    "batch_plan",
    "dpo_config",
    "load_base_model",
    "plan_batch",
    "ppo_config",
    "resolve_device",
    "reward_config",
    "reward_lora_config",
    "sft_config",
]

CPU_BATCH_SIZE = 8
# Activation bytes per token per layer, bf16, LoRA on all linear layers, SDPA attention, no checkpointing:
# 2 * (14 * hidden + 2 * intermediate). Calibrated on the DPO row of docs/DEPENDENCIES.md (8B Llama shape,
# hidden 4096, intermediate 14336, 32 layers, sequence 384: 16 pairs took 73 GiB with 3.85 GiB of weights).
_ACT_HIDDEN, _ACT_INTERMEDIATE = 14, 2
_BATCH_CHOICES = (64, 48, 32, 24, 16, 12, 8, 6, 4, 3, 2, 1)
_MIN_BATCH_WITHOUT_CHECKPOINTING = 4


@dataclass(frozen=True, kw_only=True)
class BatchPlan:
    """A batch size per device and whether it needs gradient checkpointing to fit."""

    batch_size: int
    gradient_checkpointing: bool
    estimated_bytes: int


def plan_batch(*, free_bytes: int, hidden_size: int, intermediate_size: int, num_layers: int, vocab_size: int,
               seq_len: int, sequences_per_row: int, fused_logits: bool, max_batch: int = 64) -> BatchPlan:
    """The largest batch (rows; a pair is 2 sequences) whose activations fit 85 % of `free_bytes`.

    Without gradient checkpointing when at least a batch of 4 fits that way (it is ~30 % faster per token);
    otherwise the largest checkpointed batch. Logits add 8 bytes per token and vocabulary entry (fp32 values
    and gradients) unless the trainer computes log-probs with a fused head (TRL's DPO does).
    """
    budget = int(free_bytes * 0.85) - (1 << 30)  # allocator fragmentation and the CUDA context
    per_token_layer = 2 * (_ACT_HIDDEN * hidden_size + _ACT_INTERMEDIATE * intermediate_size)
    logits = 0 if fused_logits else 8 * vocab_size
    tokens_per_row = seq_len * sequences_per_row
    full = tokens_per_row * (per_token_layer * num_layers + logits)
    # Checkpointed: each layer keeps its input (2 * hidden bytes per token), one layer is live at a time.
    checkpointed = tokens_per_row * (2 * hidden_size * num_layers + per_token_layer + logits)
    choices = [b for b in _BATCH_CHOICES if b <= max_batch] or [1]
    for batch in choices:
        if batch >= _MIN_BATCH_WITHOUT_CHECKPOINTING and batch * full <= budget:
            return BatchPlan(batch_size=batch, gradient_checkpointing=False, estimated_bytes=batch * full)
    for batch in choices:
        if batch * checkpointed <= budget:
            return BatchPlan(batch_size=batch, gradient_checkpointing=True, estimated_bytes=batch * checkpointed)
    return BatchPlan(batch_size=1, gradient_checkpointing=True, estimated_bytes=checkpointed)


def _cuda_plan(config: RetrainConfig, model: Any, *, sequences_per_row: int, fused_logits: bool,
               rows: int) -> BatchPlan:
    import torch

    free, _total = torch.cuda.mem_get_info()
    text = model.config.get_text_config() if hasattr(model.config, "get_text_config") else model.config
    plan = plan_batch(free_bytes=free, hidden_size=text.hidden_size, intermediate_size=text.intermediate_size,
                      num_layers=text.num_hidden_layers, vocab_size=text.vocab_size, seq_len=config.max_length,
                      sequences_per_row=sequences_per_row, fused_logits=fused_logits, max_batch=max(1, rows))
    if config.per_device_train_batch_size:
        return BatchPlan(batch_size=config.per_device_train_batch_size,
                         gradient_checkpointing=plan.gradient_checkpointing
                         or plan.batch_size < config.per_device_train_batch_size,
                         estimated_bytes=plan.estimated_bytes)
    return plan


def _common(config: RetrainConfig, *, device: str, output_dir: Path, learning_rate: float, plan: BatchPlan,
            progress: bool) -> dict[str, Any]:
    args: dict[str, Any] = dict(
        output_dir=str(output_dir), learning_rate=learning_rate, num_train_epochs=config.num_train_epochs,
        max_steps=config.max_steps or -1, per_device_train_batch_size=plan.batch_size,
        per_device_eval_batch_size=plan.batch_size, gradient_accumulation_steps=config.gradient_accumulation_steps,
        lr_scheduler_type="cosine", warmup_steps=0, logging_steps=1, save_strategy="no", report_to="none",
        seed=config.seed, data_seed=config.seed, disable_tqdm=not progress,
    )
    args["optim"] = training_base(device, config.qlora).optimizer
    if device == "cpu":
        args.update(CPU_TRAINING_ARGS)
    else:
        args.update(bf16=True, fp16=False, gradient_checkpointing=plan.gradient_checkpointing,
                    gradient_checkpointing_kwargs={"use_reentrant": False} if plan.gradient_checkpointing else None)
    return args


def batch_plan(config: RetrainConfig, model: Any, *, device: str, sequences_per_row: int, fused_logits: bool,
               rows: int) -> BatchPlan:
    """The batch a job trains with: the configured one, CPU_BATCH_SIZE on CPU, or sized to the card."""
    if device == "cuda":
        return _cuda_plan(config, model, sequences_per_row=sequences_per_row, fused_logits=fused_logits, rows=rows)
    return BatchPlan(batch_size=config.per_device_train_batch_size or CPU_BATCH_SIZE, gradient_checkpointing=False,
                     estimated_bytes=0)


def sft_config(config: RetrainConfig, *, device: str, output_dir: Path, plan: BatchPlan, eos_token: str | None,
               progress: bool = True):
    """TRL SFTConfig: prompt/completion rows, loss on the completion only, EOS closing each answer."""
    from trl import SFTConfig

    return SFTConfig(**_common(config, device=device, output_dir=output_dir, learning_rate=config.sft_learning_rate,
                               plan=plan, progress=progress),
                     max_length=config.max_length, completion_only_loss=True, eos_token=eos_token)


def dpo_config(config: RetrainConfig, *, device: str, output_dir: Path, plan: BatchPlan, progress: bool = True):
    """TRL DPOConfig with our beta and loss types; the reference is the parent adapter (see methods.train_dpo)."""
    from trl import DPOConfig

    return DPOConfig(**_common(config, device=device, output_dir=output_dir, learning_rate=config.dpo_learning_rate,
                               plan=plan, progress=progress),
                     max_length=config.max_length, beta=config.beta, loss_type=list(config.loss_type))


def reward_config(config: RetrainConfig, *, device: str, output_dir: Path, plan: BatchPlan, eos_token: str | None,
                  progress: bool = True):
    """TRL RewardConfig (Bradley-Terry loss on chosen vs rejected)."""
    from trl import RewardConfig

    return RewardConfig(**_common(config, device=device, output_dir=output_dir,
                                  learning_rate=config.reward_learning_rate, plan=plan, progress=progress),
                        max_length=config.max_length, eos_token=eos_token)


def reward_lora_config(config: RetrainConfig, target_modules: list[str] | str | None = None):
    """The reward model's LoRA: a new adapter on the base plus a trainable scalar head saved with it ("score")."""
    from peft import LoraConfig

    return LoraConfig(r=config.reward_lora_r, lora_alpha=config.reward_lora_alpha, lora_dropout=config.lora_dropout,
                      target_modules=target_modules or LORA_TARGETS, task_type="SEQ_CLS", modules_to_save=["score"])


def ppo_config(config: RetrainConfig, *, device: str) -> PPOJobConfig:
    """The PPO engineer's PPOJobConfig from our ppo_* fields (QLoRA unless qlora=False, like the other methods)."""
    return from_retrain(config, device=device)  # the field mapping lives beside PPOJobConfig, with its defaults


def load_base_model(model_dir: str | Path, *, device: str, qlora: bool, sequence_classification: bool = False):
    """The job's frozen base: NF4 prepared for k-bit training (QLoRA) or full precision (loraloop.training_base)."""
    return load_training_base(model_dir, device=device, qlora=qlora, sequence_classification=sequence_classification)
