"""The training base, in one place for the demo build and every retrain job: device, QLoRA loading, TRL CPU args.

QLoRA (Dettmers et al., 2023) is the default wherever bitsandbytes runs, CPU included (bitsandbytes 0.50
has CPU kernels for NF4 and the paged 8-bit optimizers): the frozen base is NF4 with double quantization,
the LoRA weights and the compute stay in the dtype chosen per device, and the optimizer is paged 8-bit
AdamW. `qlora=False` trains on the full-precision base instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.settings import DEVICES

__all__ = ["CPU_TRAINING_ARGS", "DEVICES", "LORA_TARGETS", "QLORA_OPTIMIZER", "TrainingBase", "compute_dtype",
           "keep_nf4_layers_differentiable", "keep_trainable_in_compute_dtype", "load_training_base", "nf4_config",
           "resolve_device", "training_base"]

LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
QLORA_OPTIMIZER = "paged_adamw_8bit"
# TRL arguments for training on CPU. TRL defaults to bf16 autocast and gradient checkpointing; on CPU both
# make a tiny model about 10x slower (measured: 1.2 s vs 0.1 s per step), and fp32 keeps the build reproducible.
CPU_TRAINING_ARGS: dict[str, Any] = dict(use_cpu=True, dataloader_num_workers=0, dataloader_pin_memory=False,
                                         bf16=False, fp16=False, gradient_checkpointing=False)


def resolve_device(device: str) -> str:
    """'cpu' or 'cuda' for a configured auto/cpu/cuda; ValueError when cuda is asked for and absent."""
    if device not in DEVICES:
        raise ValueError(f"device={device!r}: expected one of {', '.join(DEVICES)}")
    import torch

    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ValueError("device='cuda': no CUDA device is visible to this process")
    return device


def compute_dtype(device: str):
    """The dtype LoRA math runs in: bf16 on a GPU that has it (else fp16), fp32 on CPU (no fast bf16 on AVX2)."""
    import torch

    if device == "cuda":
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def nf4_config(device: str):
    """bitsandbytes NF4 with double quantization, computing in `compute_dtype(device)` (the QLoRA recipe)."""
    from transformers import BitsAndBytesConfig

    # The output heads stay full precision: a reward model's one-unit `score` head is trained (modules_to_save),
    # and transformers' own default list (the output embeddings) is replaced by this one.
    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=compute_dtype(device), llm_int8_skip_modules=["lm_head", "score"])


@dataclass(frozen=True, kw_only=True)
class TrainingBase:
    """How a job's base was loaded; recorded in each version's loraloop.json as `training_base`."""

    device: str
    quantization: str       # "nf4-double-quant" (QLoRA) or "none"
    compute_dtype: str      # "float32", "bfloat16", "float16"
    optimizer: str          # TRL/transformers `optim` name

    def as_dict(self) -> dict[str, str]:
        """The loraloop.json form."""
        return {"device": self.device, "quantization": self.quantization, "compute_dtype": self.compute_dtype,
                "optimizer": self.optimizer}


def training_base(device: str, qlora: bool) -> TrainingBase:
    """What `load_training_base(..., qlora=qlora)` loads on `device`, and the optimizer that goes with it."""
    if not qlora:
        return TrainingBase(device=device, quantization="none",
                            compute_dtype="float32" if device == "cpu" else "bfloat16", optimizer="adamw_torch")
    return TrainingBase(device=device, quantization="nf4-double-quant",
                        compute_dtype=str(compute_dtype(device)).removeprefix("torch."), optimizer=QLORA_OPTIMIZER)


def keep_trainable_in_compute_dtype(model, device: str) -> int:
    """Undo TRL's bf16 cast of the trainable parameters when the compute dtype is not bf16; returns how many.

    Workaround for TRL 1.16: with a quantized base and a `peft_config`, its trainers cast every trainable
    parameter to bf16 ("When using QLoRA, the PEFT adapter weights are converted to bf16",
    trl/trainer/reward_trainer.py and dpo_trainer.py), assuming bf16 compute. With fp32 compute (CPU) the
    LoRA layers cope (bitsandbytes' LoRA casts its input), but a trainable plain Linear such as the reward
    model's `score` head then meets fp32 hidden states and fails ("expected m1 and m2 to have the same
    dtype"). tests/loraloop/test_training_base.py shows the cast. Drop this when TRL follows the compute dtype.
    """
    import torch

    dtype = compute_dtype(device)
    if dtype == torch.bfloat16:
        return 0
    cast = 0
    for param in model.parameters():
        if param.requires_grad and param.dtype == torch.bfloat16:
            param.data = param.data.to(dtype)
            cast += 1
    return cast


def load_training_base(model_dir: str | Path, *, device: str, qlora: bool, sequence_classification: bool = False):
    """The frozen base a LoRA trains on: NF4 prepared for k-bit training (QLoRA), or full precision.

    One GPU per process (`accelerate launch` starts one process per GPU): the whole model sits on this one.
    Gradient checkpointing is switched on later by the trainer when the batch plan needs it.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoModelForSequenceClassification

    cls = AutoModelForSequenceClassification if sequence_classification else AutoModelForCausalLM
    extra: dict[str, Any] = {"num_labels": 1} if sequence_classification else {}
    if device == "cuda":
        from accelerate import PartialState

        extra["device_map"] = {"": PartialState().local_process_index}
    from peft import prepare_model_for_kbit_training

    if not qlora:
        model = cls.from_pretrained(model_dir, dtype=torch.float32 if device == "cpu" else torch.bfloat16, **extra)
        if getattr(model, "is_loaded_in_4bit", False) or getattr(model, "is_loaded_in_8bit", False):
            # A checkpoint saved already quantized by bitsandbytes (its config carries quantization_config).
            keep_nf4_layers_differentiable(model)
            return prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
        return model

    if device == "cpu":
        extra["device_map"] = {"": "cpu"}
    model = cls.from_pretrained(model_dir, quantization_config=nf4_config(device), dtype=compute_dtype(device),
                                **extra)
    keep_nf4_layers_differentiable(model)
    return prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)


def keep_nf4_layers_differentiable(model) -> int:
    """Stop bitsandbytes repacking NF4 weights for CPU inference in a model that trains; returns how many layers.

    Workaround for bitsandbytes 0.50.2 on CPUs with AVX512-BF16: `Linear4bit.forward` (bitsandbytes/nn/modules.py)
    repacks its weight for a fast inference kernel, for good, the first time it runs in eval mode on an input that
    needs no grad, which is exactly PPO's rollout step. From then on `matmul_4bit` (bitsandbytes/autograd/
    _functions.py) sends every call to `F.gemv_4bit`, which has no autograd kernel: backward silently drops the
    gradient through the frozen base, so the LoRA layers below get wrong gradients and PPO's KL runs away
    (measured: 55-200 against a target of 3). The repack is gated on the module's `support_avx512bf16_for_cpu`,
    so turning that off keeps the trainable path. tests/loraloop/test_training_base.py shows the bug where
    the CPU has the feature. Drop this when bitsandbytes repacks only modules that cannot train.
    """
    import bitsandbytes as bnb

    layers = [m for m in model.modules() if isinstance(m, bnb.nn.Linear4bit)]
    for layer in layers:
        layer.support_avx512bf16_for_cpu = False
    return len(layers)
