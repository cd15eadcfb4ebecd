"""QLoRA DPO and SFT training throughput and peak GPU memory on an 8B Llama-3 shape (random weights).

Speed and memory do not depend on the weights' values, so no real checkpoint is needed (none can be
downloaded). The script
  1. builds a Llama-3-8B-shaped `LlamaConfig`, initialises it with random bf16 weights directly on the GPU,
     saves it, reloads it with bitsandbytes NF4 + double quantization (the QLoRA recipe) and saves that
     4-bit checkpoint, so every row below starts from the same fresh, already quantized base;
  2. trains TRL 1.16 `DPOTrainer` and `SFTTrainer` with `peft_config=` (LoRA r=16 on all linear layers,
     paged 8-bit AdamW, bf16, sequence 384 = 128 prompt + 256 answer tokens of random words) in two
     sizings per method:
       (a) TRL defaults: DPO batch 4 pairs, SFT batch 8, both with gradient checkpointing;
       (b) loraloop sizing: the batch and checkpointing `loraloop.retrain.trl_configs.plan_batch` picks
           for the memory left free after the base is loaded (halved on out-of-memory, and said so);
  3. times a fixed number of optimizer steps after warm-up, reads the peak of
     `torch.cuda.max_memory_allocated` (weights included), and prints one markdown table with the GPU's
     name, the loraloop/TRL-default tokens/s ratio per method and the H100 rows of docs/DEPENDENCIES.md.
     With OUT set, the same results go to $OUT/qlora_8b.json.

Tokens count every sequence a step trains on: both sides of a DPO pair. The reference on the DPO
side is the adapter-disabled model (TRL 1.16, a PeftModel and no ref_model).

Needs one NVIDIA GPU (H100/H200 class: the 8B bf16 build takes ~16 GB) and bitsandbytes, trl, datasets,
peft; exits with code 2 and one line on stderr otherwise. About 5-8 minutes on an H100. CI never runs
it: see bench/gpu/README.md.

Usage: python bench/gpu/qlora_8b.py [--warmup-steps 3] [--steps 10] [--methods dpo sft] [--layers 32]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import json
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, NoReturn

# Nothing may be fetched from a model hub (docs/DEPENDENCIES.md); the device machine has no network anyway.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO_ROOT = Path(__file__).resolve().parents[2]
GIB = 1 << 30
DEVICE = "cuda"  # one GPU: the base, the adapters and the batch all sit on it
_START = time.perf_counter()
METHODS = ("dpo", "sft")

# Llama-3-8B's shape (meta-llama/Meta-Llama-3-8B config.json).
HIDDEN, INTERMEDIATE, LAYERS, HEADS, KV_HEADS, VOCAB, ROPE_THETA = 4096, 14336, 32, 32, 8, 128256, 500000.0
PROMPT_TOKENS, ANSWER_TOKENS = 128, 256
SEQ_LEN = PROMPT_TOKENS + ANSWER_TOKENS
# Ids 0-2 are the tokenizer's specials; the random words take the next ids. 32,000 words keep every id far
# below the model's vocabulary (an id >= vocab_size is a CUDA device-side assert in the embedding).
UNK, PAD, EOS = "<unk>", "<pad>", "</s>"
MAX_WORDS = 32000
LORA_R, LORA_ALPHA = 16, 32
OPTIMIZER = "paged_adamw_8bit"
# TRL 1.16's defaults as measured in docs/DEPENDENCIES.md: (batch per device, gradient checkpointing).
TRL_DEFAULTS = {"dpo": (4, True), "sft": (8, True)}
SEQUENCES_PER_ROW = {"dpo": 2, "sft": 1}     # a DPO row is a chosen and a rejected sequence
FUSED_LOGITS = {"dpo": True, "sft": False}   # TRL's DPO computes log-probs with a fused LM head, SFT does not


@dataclass(frozen=True)
class Reference:
    """One row measured on an NVIDIA H100 80GB (docs/DEPENDENCIES.md, 2026-11-25)."""

    method: str
    batch_size: int
    gradient_checkpointing: bool
    tokens_per_s: float
    peak_gib: float


REFERENCE_H100 = (
    Reference("dpo", 4, True, 3450, 5.5),
    Reference("dpo", 16, True, 5714, 9.9),
    Reference("dpo", 16, False, 7422, 73.0),
    Reference("sft", 8, True, 4872, 9.4),
)
REFERENCE_WEIGHTS_GIB = 3.85  # the NF4 base on the H100, same notes
GOAL_DPO_TOKENS_PER_S = 7422.0  # the best H100 DPO row above: loraloop's sizing should reach it on an H100


@dataclass
class RowResult:
    """One measured (or failed) training row."""

    method: str
    sizing: str                         # "trl-default" or "loraloop"
    batch_size: int
    gradient_checkpointing: bool
    planned_batch_size: int | None = None   # what plan_batch chose, before any halving
    planned_gib: float | None = None        # plan_batch's activation estimate
    free_gib_at_plan: float | None = None   # torch.cuda.mem_get_info() free bytes after the base was loaded
    weights_gib: float | None = None        # allocated after loading the base, before training
    tokens_per_s: float | None = None
    seconds_per_step: float | None = None
    peak_gib: float | None = None
    train_loss: float | None = None
    note: str = ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="Needs one CUDA GPU (exit code 2 without one); see bench/gpu/README.md.")
    parser.add_argument("--warmup-steps", type=int, default=3, help="untimed optimizer steps per row (default 3)")
    parser.add_argument("--steps", type=int, default=10, help="timed optimizer steps per row (default 10)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS),
                        help="which trainers to measure (default: dpo sft)")
    parser.add_argument("--layers", type=int, default=LAYERS,
                        help=f"decoder layers (default {LAYERS}); fewer is a quick smoke run, not comparable")
    parser.add_argument("--prepare-kbit", action=argparse.BooleanOptionalAction, default=True,
                        help="run peft.prepare_model_for_kbit_training on the base, as the jobs' "
                             "loraloop.training_base.load_training_base does (embeddings, norms, lm_head in fp32); "
                             "--no-prepare-kbit measures the bare NF4 base")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the temporary checkpoints go (default: /dev/shm if it has room, else $TMPDIR)")
    parser.add_argument("--keep-workdir", action="store_true", help="do not delete the checkpoints at the end")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if args.warmup_steps < 1 or args.steps < 1:
        parser.error("--warmup-steps and --steps must be at least 1 (timing starts at the end of warm-up)")
    if not 1 <= args.layers <= LAYERS:
        parser.error(f"--layers must be in 1..{LAYERS}")
    return args


def fail(message: str) -> NoReturn:
    """The one-line error a missing prerequisite gets, and exit code 2."""
    print(f"qlora_8b: error: {message}", file=sys.stderr)
    raise SystemExit(2)


def check_environment() -> None:
    """Exit 2 unless a CUDA GPU and the training packages are present (before any slow import)."""
    try:
        import torch
    except ImportError:
        fail("torch is not installed")
    if not torch.cuda.is_available():
        fail("no CUDA device is visible (torch.cuda.is_available() is False); this benchmark needs one NVIDIA GPU")
    missing = [name for name in ("bitsandbytes", "trl", "datasets", "peft", "transformers", "accelerate")
               if importlib.util.find_spec(name) is None]
    if missing:
        fail(f"missing packages: {', '.join(missing)} (carry them as wheels: see bench/gpu/README.md)")


def import_loraloop() -> tuple[Callable[..., Any], list[str]]:
    """`plan_batch` and the LoRA target modules from the installed package, else from this checkout."""
    try:
        from loraloop.retrain.trl_configs import plan_batch
        from loraloop.training_base import LORA_TARGETS
    except ImportError:
        # Not installed (the device machine only has the working tree). pyproject.toml maps loraloop.retrain
        # (and .serve, .router, .feedback) to top-level folders of the same name, so besides putting the repo
        # root on sys.path it joins the loraloop package's search path: loraloop.retrain then finds retrain/.
        sys.path.insert(0, str(REPO_ROOT))
        import loraloop

        if str(REPO_ROOT) not in loraloop.__path__:
            loraloop.__path__.append(str(REPO_ROOT))
        from loraloop.retrain.trl_configs import plan_batch
        from loraloop.training_base import LORA_TARGETS
    return plan_batch, list(LORA_TARGETS)


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _START:6.1f}s] {message}", flush=True)


def gib(n_bytes: float) -> float:
    return n_bytes / GIB


def free_cuda() -> None:
    """Give back what the last row held: trainers keep reference cycles, so collect before emptying the cache."""
    import torch

    gc.collect()
    torch.cuda.empty_cache()


def llama3_8b_config(layers: int):
    """Llama-3-8B's shape; ids match word_tokenizer (bos none, pad 1, eos 2)."""
    from transformers import LlamaConfig

    return LlamaConfig(vocab_size=VOCAB, hidden_size=HIDDEN, intermediate_size=INTERMEDIATE,
                       num_hidden_layers=layers, num_attention_heads=HEADS, num_key_value_heads=KV_HEADS,
                       max_position_embeddings=8192, rms_norm_eps=1e-5,
                       rope_parameters={"rope_type": "default", "rope_theta": ROPE_THETA},
                       tie_word_embeddings=False, bos_token_id=None, pad_token_id=1, eos_token_id=2)


def parameter_count(config: Any) -> int:
    head_dim = config.hidden_size // config.num_attention_heads
    kv = config.num_key_value_heads * head_dim
    per_layer = (2 * config.hidden_size * config.hidden_size + 2 * config.hidden_size * kv
                 + 3 * config.hidden_size * config.intermediate_size + 2 * config.hidden_size)
    return 2 * config.vocab_size * config.hidden_size + config.num_hidden_layers * per_layer + config.hidden_size


def word_tokenizer(vocab_size: int):
    """A word-level tokenizer over "w0".."wN" with specials at ids 0-2; every id stays below `vocab_size`.

    Words split on whitespace, so a prompt's ids are always a prefix of prompt + answer (TRL finds the answer
    by that prefix) and each word is exactly one token. The EOS is an added special token, matched before
    splitting, so TRL appending it to the last word still gives one separate EOS id.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    words = min(MAX_WORDS, vocab_size - 3)
    vocab = {UNK: 0, PAD: 1, EOS: 2} | {f"w{i}": i + 3 for i in range(words)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token=UNK, pad_token=PAD, eos_token=EOS)
    tokenizer.model_max_length = SEQ_LEN
    assert len(tokenizer) <= vocab_size and tokenizer.eos_token_id == 2 and tokenizer.pad_token_id == 1
    return tokenizer


def random_dataset(method: str, rows: int, words: int, seed: int):
    """`rows` random prompt/answer rows: 128 prompt words, 255 answer words (+ the EOS TRL appends) = 384 tokens."""
    import numpy as np
    from datasets import Dataset

    rng = np.random.default_rng(seed)

    def text(n: int) -> str:
        return " ".join(f"w{i}" for i in rng.integers(0, words, n))

    prompts = [text(PROMPT_TOKENS) for _ in range(rows)]
    # The leading space keeps the boundary between prompt and answer a word boundary.
    if method == "dpo":
        return Dataset.from_dict({"prompt": prompts,
                                  "chosen": [" " + text(ANSWER_TOKENS - 1) for _ in range(rows)],
                                  "rejected": [" " + text(ANSWER_TOKENS - 1) for _ in range(rows)]})
    return Dataset.from_dict({"prompt": prompts, "completion": [" " + text(ANSWER_TOKENS - 1) for _ in range(rows)]})


def nf4_quantization():
    """The QLoRA recipe: NF4 with double quantization, bf16 compute (lm_head stays bf16: transformers' default)."""
    import torch
    from transformers import BitsAndBytesConfig

    return BitsAndBytesConfig(load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
                              bnb_4bit_compute_dtype=torch.bfloat16)


@contextmanager
def workdir(requested: Path | None, needed_bytes: int, keep: bool) -> Iterator[Path]:
    """A temporary folder with room for both checkpoints, on /dev/shm (RAM) when it has room: faster than disk."""
    if requested is not None:
        candidates = [requested]
        requested.mkdir(parents=True, exist_ok=True)
    else:
        candidates = [Path("/dev/shm"), Path(tempfile.gettempdir())]
    for base in candidates:
        if base.is_dir() and shutil.disk_usage(base).free >= needed_bytes:
            break
    else:
        fail(f"no room for the checkpoints: {gib(needed_bytes):.1f} GiB needed in one of "
             f"{', '.join(map(str, candidates))} (pass --workdir)")
    path = Path(tempfile.mkdtemp(prefix="qlora_8b-", dir=base))
    try:
        yield path
    finally:
        if keep:
            log(f"kept {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def build_nf4_checkpoint(config: Any, work: Path, seed: int) -> Path:
    """Random bf16 weights made on the GPU, saved, reloaded through bitsandbytes NF4, saved again in 4-bit.

    Loading through `from_pretrained(quantization_config=...)` is the path real jobs take (the quantizer sets
    up everything PEFT and TRL look for); saving the 4-bit result lets each row reload a fresh base in seconds
    instead of quantizing 16 GB again, and without the previous row's adapters, hooks or patched forward.
    """
    import torch
    from transformers import AutoModelForCausalLM

    bf16_dir, nf4_dir = work / "bf16", work / "nf4"
    torch.manual_seed(seed)
    with torch.device(DEVICE):
        model = AutoModelForCausalLM.from_config(config, dtype=torch.bfloat16)
    log(f"random bf16 model on the GPU: {parameter_count(config) / 1e9:.2f}B parameters, "
        f"{gib(torch.cuda.memory_allocated()):.1f} GiB")
    model.save_pretrained(bf16_dir)
    del model
    free_cuda()
    log(f"saved bf16 checkpoint to {bf16_dir}")
    model = AutoModelForCausalLM.from_pretrained(bf16_dir, quantization_config=nf4_quantization(),
                                                 dtype=torch.bfloat16, device_map={"": DEVICE})
    log(f"quantized to NF4 with double quantization: {gib(model.get_memory_footprint()):.2f} GiB")
    model.save_pretrained(nf4_dir)
    del model
    free_cuda()
    shutil.rmtree(bf16_dir)
    log(f"saved NF4 checkpoint to {nf4_dir}")
    return nf4_dir


def load_base(nf4_dir: Path, prepare_kbit: bool):
    """A fresh NF4 base on the GPU (its quantization_config comes from the saved config.json), SDPA attention."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(nf4_dir, dtype=torch.bfloat16, device_map={"": DEVICE},
                                                 attn_implementation="sdpa")
    if prepare_kbit:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    return model


def make_step_timer(warmup_steps: int):
    """A TrainerCallback timing optimizer steps warmup+1..end (synchronised, so GPU work is inside the window)."""
    import torch
    from transformers import TrainerCallback

    class StepTimer(TrainerCallback):
        def __init__(self) -> None:
            self.start: float | None = None
            self.end: float | None = None
            self.timed_steps = 0

        def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
            torch.cuda.synchronize()
            now = time.perf_counter()
            if state.global_step == warmup_steps:
                self.start = now
            elif state.global_step > warmup_steps:
                self.end, self.timed_steps = now, state.global_step - warmup_steps

    return StepTimer()


def check_sequence_lengths(method: str, dataset: Any) -> None:
    """Every tokenized row is exactly SEQ_LEN tokens (no padding, no truncation), so tokens/s counts real work."""
    if method == "dpo":
        lengths = {len(r["prompt_ids"]) + len(r[side]) for r in dataset for side in ("chosen_ids", "rejected_ids")}
    else:
        lengths = {len(r["input_ids"]) for r in dataset}
    if lengths != {SEQ_LEN}:
        raise RuntimeError(f"{method}: tokenized sequence lengths {sorted(lengths)}, expected {SEQ_LEN}")


def train_row(method: str, *, base: Any, tokenizer: Any, batch_size: int, gradient_checkpointing: bool,
              warmup_steps: int, steps: int, lora_targets: list[str], output_dir: Path, seed: int) -> dict[str, float]:
    """Train one row on `base` and return its timing; raises torch.OutOfMemoryError when it does not fit."""
    import torch
    from peft import LoraConfig

    total_steps = warmup_steps + steps
    dataset = random_dataset(method, batch_size * total_steps, len(tokenizer) - 3, seed)  # words after the specials
    lora = LoraConfig(r=LORA_R, lora_alpha=LORA_ALPHA, lora_dropout=0.0, target_modules=lora_targets,
                      task_type="CAUSAL_LM")
    # Only batch and checkpointing differ between rows; everything else is TRL's default apart from what a
    # benchmark needs (a fixed step count, no checkpoints or logging inside the timed window, quiet output).
    common: dict[str, Any] = dict(
        output_dir=str(output_dir), per_device_train_batch_size=batch_size,
        gradient_checkpointing=gradient_checkpointing, max_steps=total_steps, max_length=SEQ_LEN, optim=OPTIMIZER,
        bf16=True, save_strategy="no", logging_strategy="no", report_to="none", disable_tqdm=True, seed=seed,
        data_seed=seed,
    )
    timer = make_step_timer(warmup_steps)
    if method == "dpo":
        from trl import DPOConfig, DPOTrainer

        # No ref_model: with a PeftModel TRL 1.16 uses the adapter-disabled model as the reference.
        trainer = DPOTrainer(model=base, args=DPOConfig(**common), train_dataset=dataset,
                             processing_class=tokenizer, peft_config=lora, callbacks=[timer])
    else:
        from trl import SFTConfig, SFTTrainer

        trainer = SFTTrainer(model=base, args=SFTConfig(**common), train_dataset=dataset,
                             processing_class=tokenizer, peft_config=lora, callbacks=[timer])
    check_sequence_lengths(method, trainer.train_dataset)
    output = trainer.train()
    torch.cuda.synchronize()
    if timer.start is None or timer.end is None or timer.timed_steps != steps:
        raise RuntimeError(f"{method}: timed {timer.timed_steps} of {steps} steps")
    seconds = timer.end - timer.start
    tokens = steps * batch_size * SEQUENCES_PER_ROW[method] * SEQ_LEN
    return {"tokens_per_s": tokens / seconds, "seconds_per_step": seconds / steps,
            "train_loss": float(output.training_loss)}


def is_oom(error: BaseException) -> bool:
    import torch

    # cuBLAS reports a failed workspace allocation as its own RuntimeError.
    text = str(error)
    return isinstance(error, torch.OutOfMemoryError) or "out of memory" in text.lower() or "ALLOC_FAILED" in text


def measure(method: str, sizing: str, *, nf4_dir: Path, tokenizer: Any, args: argparse.Namespace,
            plan_batch: Callable[..., Any], lora_targets: list[str], work: Path) -> RowResult:
    """One row: a fresh base, the batch (fixed, or planned for the free memory), training; halve on OOM."""
    import torch

    result: RowResult | None = None
    notes: list[str] = []
    while True:
        base = load_base(nf4_dir, args.prepare_kbit)
        # The peak starts from what is allocated now: weights count, the loader's transient buffers do not.
        free_cuda()
        torch.cuda.reset_peak_memory_stats()
        weights = torch.cuda.memory_allocated()
        if result is None:
            if sizing == "trl-default":
                batch, checkpointing = TRL_DEFAULTS[method]
                result = RowResult(method=method, sizing=sizing, batch_size=batch, gradient_checkpointing=checkpointing)
            else:
                # What loraloop.retrain.trl_configs._cuda_plan does: the free memory once the base is loaded.
                free, _total = torch.cuda.mem_get_info()
                text = base.config.get_text_config()
                plan = plan_batch(free_bytes=free, hidden_size=text.hidden_size,
                                  intermediate_size=text.intermediate_size, num_layers=text.num_hidden_layers,
                                  vocab_size=text.vocab_size, seq_len=SEQ_LEN,
                                  sequences_per_row=SEQUENCES_PER_ROW[method], fused_logits=FUSED_LOGITS[method])
                result = RowResult(method=method, sizing=sizing, batch_size=plan.batch_size,
                                   gradient_checkpointing=plan.gradient_checkpointing,
                                   planned_batch_size=plan.batch_size, planned_gib=round(gib(plan.estimated_bytes), 2),
                                   free_gib_at_plan=round(gib(free), 2))
                notes.append(f"planned for {gib(free):.1f} GiB free (estimate {gib(plan.estimated_bytes):.1f} GiB)")
        result.weights_gib = round(gib(weights), 2)
        log(f"{method} {sizing}: batch {result.batch_size}, "
            f"{'with' if result.gradient_checkpointing else 'no'} gradient checkpointing, "
            f"base {result.weights_gib:.2f} GiB")
        oom = False
        timing: dict[str, float] = {}
        try:
            timing = train_row(method, base=base, tokenizer=tokenizer, batch_size=result.batch_size,
                               gradient_checkpointing=result.gradient_checkpointing, warmup_steps=args.warmup_steps,
                               steps=args.steps, lora_targets=lora_targets,
                               output_dir=work / f"{method}-{sizing}-b{result.batch_size}", seed=args.seed)
        except (torch.OutOfMemoryError, RuntimeError) as error:
            if not is_oom(error):
                raise
            oom = True  # handled below, once the exception (and the frames holding tensors) is gone
        peak = torch.cuda.max_memory_allocated()
        del base
        free_cuda()
        if not oom:
            result.tokens_per_s = round(timing["tokens_per_s"], 1)
            result.seconds_per_step = round(timing["seconds_per_step"], 3)
            result.train_loss = round(timing["train_loss"], 4)
            result.peak_gib = round(gib(peak), 2)
            log(f"{method} {sizing}: {result.tokens_per_s:,.0f} tokens/s, peak {result.peak_gib:.1f} GiB")
            break
        log(f"{method} {sizing}: out of memory at batch {result.batch_size}")
        if result.batch_size == 1:
            notes.append("OOM even at batch 1")
            break
        notes.append(f"batch {result.batch_size} OOM, halved to {result.batch_size // 2}")
        result.batch_size //= 2
    result.note = "; ".join(notes)
    return result


def reference_for(row: RowResult) -> Reference | None:
    return next((r for r in REFERENCE_H100 if (r.method, r.batch_size, r.gradient_checkpointing)
                 == (row.method, row.batch_size, row.gradient_checkpointing)), None)


def ratios(rows: list[RowResult]) -> dict[str, float | None]:
    """loraloop-sized over TRL-default tokens/s, per method."""
    out: dict[str, float | None] = {}
    for method in sorted({r.method for r in rows}):
        by = {r.sizing: r.tokens_per_s for r in rows if r.method == method}
        default, sized = by.get("trl-default"), by.get("loraloop")
        out[method] = round(sized / default, 2) if default and sized else None
    return out


def _num(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def render(gpu: str, rows: list[RowResult], meta: dict[str, Any]) -> str:
    """The markdown report: measured rows with the matching H100 reference, ratios, goal, reference rows."""
    lines = [f"## QLoRA training on {gpu}", "",
             f"{meta['model']}, NF4 + double quantization, LoRA r={LORA_R} on {', '.join(meta['lora_targets'])}, "
             f"{OPTIMIZER}, bf16, sequence {SEQ_LEN} ({PROMPT_TOKENS} prompt + {ANSWER_TOKENS} answer), "
             f"{meta['warmup_steps']} warm-up + {meta['steps']} timed steps per row"
             f"{', base through prepare_model_for_kbit_training' if meta['prepare_kbit'] else ''}. "
             "Tokens count both sides of a DPO pair; peak is torch.cuda.max_memory_allocated, weights included.", "",
             "| method | sizing | batch | grad ckpt | tokens/s | peak GiB | H100 ref tokens/s | H100 ref peak GiB "
             "| note |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for row in rows:
        ref = reference_for(row)
        lines.append(f"| {row.method.upper()} | {row.sizing} | {row.batch_size} "
                     f"| {'yes' if row.gradient_checkpointing else 'no'} | {_num(row.tokens_per_s, ',.0f')} "
                     f"| {_num(row.peak_gib, '.1f')} | {_num(ref and ref.tokens_per_s, ',.0f')} "
                     f"| {_num(ref and ref.peak_gib, '.1f')} | {row.note} |")
    lines.append("")
    weights = next((r.weights_gib for r in rows if r.weights_gib is not None), None)
    lines.append(f"- NF4 base on the GPU after loading: {_num(weights, '.2f')} GiB (H100 reference: "
                 f"{REFERENCE_WEIGHTS_GIB} GiB)")
    for method, ratio in ratios(rows).items():
        lines.append(f"- {method.upper()} loraloop-sized / TRL-default tokens/s: {_num(ratio, '.2f')}x")
    dpo = next((r for r in rows if (r.method, r.sizing) == ("dpo", "loraloop")), None)
    if dpo is not None and dpo.tokens_per_s is not None:
        met = "met" if dpo.tokens_per_s >= GOAL_DPO_TOKENS_PER_S else "not met"
        caveat = "" if "H100" in gpu else f" (the goal is set for an H100; this is {gpu}, so it is indicative only)"
        lines.append(f"- Goal >= {GOAL_DPO_TOKENS_PER_S:,.0f} DPO tokens/s with loraloop sizing: {met} "
                     f"({dpo.tokens_per_s:,.0f}){caveat}")
    lines += ["", "H100 80GB reference (docs/DEPENDENCIES.md, TRL 1.16, same shape and recipe):", "",
              "| method | batch | grad ckpt | tokens/s | peak GiB |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.method.upper()} | {r.batch_size} | {'yes' if r.gradient_checkpointing else 'no'} "
              f"| {r.tokens_per_s:,.0f} | {r.peak_gib:.1f} |" for r in REFERENCE_H100]
    return "\n".join(lines)


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for name in ("torch", "transformers", "trl", "peft", "bitsandbytes", "accelerate", "datasets"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "?"
    return out


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_environment()
    import datasets
    import torch
    import transformers

    # Progress bars of every checkpoint load and dataset map would bury the report in the captured output.
    transformers.utils.logging.disable_progress_bar()
    datasets.disable_progress_bars()
    plan_batch, lora_targets = import_loraloop()
    gpu = torch.cuda.get_device_name(0)
    config = llama3_8b_config(args.layers)
    tokenizer = word_tokenizer(config.vocab_size)
    params = parameter_count(config)
    model_name = (f"Llama-3-8B shape ({config.num_hidden_layers} layers, hidden {config.hidden_size}, intermediate "
                  f"{config.intermediate_size}, {config.num_attention_heads} heads / {config.num_key_value_heads} KV, "
                  f"vocab {config.vocab_size}, rope theta {config.rope_parameters['rope_theta']:,.0f}, "
                  f"{params / 1e9:.2f}B parameters, random weights)")
    log(f"{gpu}: {model_name}")
    # Room for the bf16 checkpoint (2 bytes/parameter) and the 4-bit one (~0.6), with margin.
    needed = int(params * 2.7) + 2 * GIB
    rows: list[RowResult] = []
    with workdir(args.workdir, needed, args.keep_workdir) as work:
        nf4_dir = build_nf4_checkpoint(config, work, args.seed)
        for method in args.methods:
            for sizing in ("trl-default", "loraloop"):
                rows.append(measure(method, sizing, nf4_dir=nf4_dir, tokenizer=tokenizer, args=args,
                                    plan_batch=plan_batch, lora_targets=lora_targets, work=work))
    meta = {"model": model_name, "lora_targets": lora_targets, "warmup_steps": args.warmup_steps,
            "steps": args.steps, "prepare_kbit": args.prepare_kbit}
    print("\n" + render(gpu, rows, meta), flush=True)
    if out := os.environ.get("OUT"):
        path = Path(out) / "qlora_8b.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        report = {"gpu": gpu, **meta, "layers": config.num_hidden_layers, "parameters": params,
                  "sequence": {"prompt": PROMPT_TOKENS, "answer": ANSWER_TOKENS, "total": SEQ_LEN},
                  "lora": {"r": LORA_R, "alpha": LORA_ALPHA}, "optimizer": OPTIMIZER, "versions": versions(),
                  "rows": [asdict(r) for r in rows], "ratio_loraloop_over_trl_default": ratios(rows),
                  "goal_dpo_tokens_per_s_h100": GOAL_DPO_TOKENS_PER_S,
                  "reference_h100": [asdict(r) for r in REFERENCE_H100]}
        path.write_text(json.dumps(report, indent=2) + "\n")
        log(f"wrote {path}")
    return 0 if all(r.tokens_per_s is not None and math.isfinite(r.tokens_per_s) for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
