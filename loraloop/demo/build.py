"""Builds the demo model deterministically: tokenizer, a tiny Llama base, one SFT LoRA per domain.

The base and every adapter train with guard rows mixed in (loraloop/guard, `DemoConfig.guard_share`), by the
same rule as every retrain job, so v1 already refuses in the demo's refusal style and retraining keeps it.
The build is cached under `<home>/demo/<fingerprint>/` (fingerprint = corpus + guard set + config +
BUILD_VERSION); a finished build is renamed into place atomically, so a crash leaves no half-built cache.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.adapters import AdapterStore
from loraloop.demo.config import DemoConfig
from loraloop.demo.data import CORPUS_DIR, corpus_digest, load_corpus
from loraloop.fs import file_lock
from loraloop.guard import GuardCase, guard_count, load_guard_set, pick_cases, sft_row
from loraloop.training_base import CPU_TRAINING_ARGS, LORA_TARGETS, load_training_base, training_base

__all__ = ["BUILD_VERSION", "CHAT_TEMPLATE", "DEMO_GENERATION_DEFAULTS", "DemoModel", "build_demo", "demo_paths"]

# Bump when the builder's code changes what it produces, so old caches are not reused.
BUILD_VERSION = 3  # 3: guard rows in the tokenizer, the base and the adapters
# Sampling defaults shipped in generation_config.json; vLLM applies them to requests that leave a field unset.
# At temperature 1.0 the 3k-token demo answers word salad; greedy answers are fine, and 0.3 keeps sentences
# while regenerated answers still differ.
DEMO_GENERATION_DEFAULTS = {"temperature": 0.3, "top_p": 0.9}
SPECIAL_TOKENS = ["<|pad|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "<|{{ message['role'] }}|>{{ message['content'] }}<|end|>"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)
log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DemoModel:
    """Where a finished demo build lives."""

    root: Path
    model_dir: Path         # the full-precision base (fp32): what retraining loads, in NF4 for QLoRA
    int8_model_dir: Path    # the serving copy: compressed-tensors INT8 W8A8, what `loraloop serve` runs by default
    adapter_store: Path
    domains: tuple[str, ...]


def demo_paths(config: DemoConfig) -> DemoModel:
    """The cache location a config builds into (whether or not it is built yet)."""
    key = hashlib.sha256(json.dumps(
        {"corpus": corpus_digest(), "config": config.fingerprint(), "build": BUILD_VERSION,
         "generation": DEMO_GENERATION_DEFAULTS, "guard": load_guard_set().digest},
        sort_keys=True).encode()).hexdigest()[:16]
    root = config.home_path() / "demo" / key
    return DemoModel(root=root, model_dir=root / "model", int8_model_dir=root / "model-w8a8",
                     adapter_store=root / "adapters", domains=config.domains)


def build_demo(config: DemoConfig, *, force: bool = False, progress: bool = True) -> DemoModel:
    """Return the cached demo build for this config, building it first when missing."""
    demo = demo_paths(config)
    demo.root.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(demo.root.parent / f".{demo.root.name}.lock"):
        if (demo.root / "BUILD.json").exists() and not force:
            return demo
        if force and demo.root.exists():
            shutil.rmtree(demo.root)
        tmp = Path(tempfile.mkdtemp(prefix=f".{demo.root.name}-", dir=demo.root.parent))
        try:
            _build_into(config, tmp, progress=progress)
            os.rename(tmp, demo.root)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return demo


def _say(progress: bool, text: str) -> None:
    if progress:
        print(f"[demo build] {text}", file=sys.stderr, flush=True)


def _build_into(config: DemoConfig, out: Path, *, progress: bool) -> None:
    import torch

    started = time.monotonic()
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    torch.use_deterministic_algorithms(True)
    records = [r for r in load_corpus() if r["split"] == "train"]
    guard = load_guard_set()  # the shipped set only: the demo is the same everywhere
    base_guard = pick_cases(guard.cases, guard_count(len(records), config.guard_share), config.seed)
    _say(progress, f"corpus: {len(records)} training conversations from {CORPUS_DIR}, {len(base_guard)} guard rows")

    _say(progress, "1/4 training the tokenizer")
    tokenizer = train_tokenizer(records, config, guard.split("train"))
    model_dir = out / "model"
    tokenizer.save_pretrained(model_dir)

    _say(progress, "2/4 training the base model on every domain")
    conversations = [r["messages"] for r in records] + [[*c.messages, {"role": "assistant", "content": c.chosen}]
                                                        for c in base_guard]
    model = _train_base(conversations, tokenizer, config, out / "work-base", progress)
    for name, value in DEMO_GENERATION_DEFAULTS.items():
        setattr(model.generation_config, name, value)
    model.generation_config.do_sample = True
    model.save_pretrained(model_dir, safe_serialization=True)
    model.generation_config.save_pretrained(model_dir)

    _say(progress, "3/4 writing the int8 W8A8 serving copy of the base (compressed-tensors)")
    from loraloop.quantize import write_w8a8

    write_w8a8(model_dir, out / "model-w8a8")
    del model

    store = AdapterStore(out / "adapters")
    for i, domain in enumerate(config.domains, 1):
        _say(progress, f"4/4 adapter {i}/{len(config.domains)}: SFT QLoRA for {domain!r}")
        domain_records = [r for r in records if r["domain"] == domain]
        # Prompt/completion rows: TRL computes the loss on the answer only. Guard rows as an sft job mixes them.
        adapter_guard = pick_cases(guard.cases, guard_count(len(domain_records), config.guard_share), config.seed)
        rows = [{"prompt": r["messages"][:-1], "completion": r["messages"][-1:]} for r in domain_records]
        rows += [{"prompt": row["prompt"], "completion": [{"role": "assistant", "content": row["completion"]}]}
                 for row in map(sft_row, adapter_guard)]
        adapter_dir = _train_adapter(rows, tokenizer, model_dir, config, out / f"work-{domain}", progress)
        store.publish(domain, adapter_dir, {
            "base_model": "loraloop-demo",
            "method": "sft",
            "parent": None,
            "config": {"epochs": config.adapter_epochs, "learning_rate": config.adapter_learning_rate,
                       "rank": config.lora_rank, "alpha": config.lora_alpha},
            "dataset": {"conversations": len(domain_records), "corpus_sha256": corpus_digest(),
                        "guard": {"share": config.guard_share, "rows": len(adapter_guard), "kind": "sft",
                                  "cases": len({c.id for c in adapter_guard}), "digest": guard.digest}},
            "lineage": sorted({sft_row(c)["id"] for c in adapter_guard}),
            "training_base": training_base("cpu", qlora=True).as_dict(),
        })
    for work in out.glob("work-*"):
        shutil.rmtree(work)
    (out / "BUILD.json").write_text(json.dumps({
        "build_version": BUILD_VERSION, "config": config.fingerprint(), "corpus_sha256": corpus_digest(),
        "seconds": round(time.monotonic() - started, 1),
    }, indent=2, sort_keys=True) + "\n")
    _say(progress, f"done in {time.monotonic() - started:.0f}s")


def train_tokenizer(records: list[dict[str, Any]], config: DemoConfig, guard: Sequence[GuardCase] = ()):
    """A byte-level BPE tokenizer trained on the corpus (and the guard cases it trains on), with the chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = [m["content"] for r in records for m in r["messages"]]
    texts += [t for c in guard for t in [*(m["content"] for m in c.messages), c.chosen, c.rejected]]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=config.vocab_size, special_tokens=SPECIAL_TOKENS,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    bpe.train_from_iterator(texts, trainer)
    tokenizer = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|end|>", pad_token="<|pad|>")
    tokenizer.chat_template = CHAT_TEMPLATE
    tokenizer.model_max_length = config.max_position_embeddings
    return tokenizer


def _model_config(tokenizer, config: DemoConfig):
    from transformers import LlamaConfig

    heads = config.hidden_size // 64
    return LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=config.hidden_size, intermediate_size=config.intermediate_size,
        num_hidden_layers=config.num_layers, num_attention_heads=heads, num_key_value_heads=1, head_dim=64,
        max_position_embeddings=config.max_position_embeddings, tie_word_embeddings=True,
        bos_token_id=None, eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id,
        torch_dtype="float32",
    )


def _sft_config(config: DemoConfig, work: Path, epochs: float, learning_rate: float, progress: bool,
                optim: str = "adamw_torch"):
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(work), num_train_epochs=epochs, learning_rate=learning_rate,
        per_device_train_batch_size=config.batch_size, lr_scheduler_type="cosine", warmup_steps=10,
        max_length=config.max_length, logging_steps=25, save_strategy="no", report_to="none",
        seed=config.seed, data_seed=config.seed, disable_tqdm=not progress, eos_token="<|end|>",
        optim=optim, **CPU_TRAINING_ARGS,
        # Batches of similar lengths: padding to the longest conversation otherwise doubles the work.
        train_sampling_strategy="group_by_length",
    )


def _train_base(conversations, tokenizer, config: DemoConfig, work: Path, progress: bool):
    from datasets import Dataset
    from transformers import LlamaForCausalLM
    from trl import SFTTrainer

    model = LlamaForCausalLM(_model_config(tokenizer, config))
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    dataset = Dataset.from_list([{"messages": messages} for messages in conversations])
    trainer = SFTTrainer(model=model, args=_sft_config(config, work, config.base_epochs, config.base_learning_rate, progress),
                         train_dataset=dataset, processing_class=tokenizer)
    trainer.train()
    return trainer.model


def _train_adapter(rows, tokenizer, model_dir: Path, config: DemoConfig, work: Path, progress: bool) -> Path:
    from datasets import Dataset
    from peft import LoraConfig
    from trl import SFTTrainer

    # QLoRA, like every retrain job: the adapters learn on the NF4 base they are later retrained on.
    qlora = training_base("cpu", qlora=True)
    base = load_training_base(model_dir, device="cpu", qlora=True)
    dataset = Dataset.from_list(rows)
    lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=0.0,
                      target_modules=LORA_TARGETS, task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=base, args=_sft_config(config, work, config.adapter_epochs, config.adapter_learning_rate,
                                                      progress, optim=qlora.optimizer),
                         train_dataset=dataset, processing_class=tokenizer, peft_config=lora)
    trainer.train()
    adapter_dir = work / "adapter"
    trainer.model.save_pretrained(adapter_dir)
    return adapter_dir
