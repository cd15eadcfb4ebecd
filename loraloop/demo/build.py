"""Builds the demo model deterministically: tokenizer, a tiny Llama base, one SFT LoRA per domain.

The build is cached under `<home>/demo/<fingerprint>/` (fingerprint = corpus + config + BUILD_VERSION);
a finished build is renamed into place atomically, so a crash leaves no half-built cache.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.adapters import AdapterStore
from loraloop.config import DemoConfig
from loraloop.fs import file_lock
from loraloop.demo.data import CORPUS_DIR, corpus_digest, load_corpus

__all__ = ["BUILD_VERSION", "CHAT_TEMPLATE", "CPU_TRAINING_ARGS", "DemoModel", "LORA_TARGETS", "build_demo", "demo_paths"]

# Bump when the builder's code changes what it produces, so old caches are not reused.
BUILD_VERSION = 1
SPECIAL_TOKENS = ["<|pad|>", "<|end|>", "<|system|>", "<|user|>", "<|assistant|>"]
CHAT_TEMPLATE = (
    "{%- for message in messages -%}"
    "<|{{ message['role'] }}|>{{ message['content'] }}<|end|>"
    "{%- endfor -%}"
    "{%- if add_generation_prompt -%}<|assistant|>{%- endif -%}"
)
LORA_TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
# TRL arguments for training on CPU, shared with the retraining jobs (loraloop.retrain.trl_configs).
# TRL defaults to bf16 autocast and gradient checkpointing; on CPU both make a tiny model
# about 10x slower (measured: 1.2 s vs 0.1 s per step), and fp32 keeps the build reproducible.
CPU_TRAINING_ARGS: dict[str, Any] = dict(use_cpu=True, dataloader_num_workers=0, dataloader_pin_memory=False,
                                         bf16=False, fp16=False, gradient_checkpointing=False)
log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DemoModel:
    """Where a finished demo build lives."""

    root: Path
    model_dir: Path
    adapter_store: Path
    domains: tuple[str, ...]


def demo_paths(config: DemoConfig) -> DemoModel:
    """The cache location a config builds into (whether or not it is built yet)."""
    key = hashlib.sha256(json.dumps(
        {"corpus": corpus_digest(), "config": config.fingerprint(), "build": BUILD_VERSION},
        sort_keys=True).encode()).hexdigest()[:16]
    root = config.home_path() / "demo" / key
    return DemoModel(root=root, model_dir=root / "model", adapter_store=root / "adapters", domains=config.domains)


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
    _say(progress, f"corpus: {len(records)} training conversations from {CORPUS_DIR}")

    _say(progress, "1/3 training the tokenizer")
    tokenizer = train_tokenizer(records, config)
    model_dir = out / "model"
    tokenizer.save_pretrained(model_dir)

    _say(progress, "2/3 training the base model on every domain")
    model = _train_base(records, tokenizer, config, out / "work-base", progress)
    model.save_pretrained(model_dir, safe_serialization=True)
    model.generation_config.save_pretrained(model_dir)

    store = AdapterStore(out / "adapters")
    for i, domain in enumerate(config.domains, 1):
        _say(progress, f"3/3 adapter {i}/{len(config.domains)}: SFT LoRA for {domain!r}")
        domain_records = [r for r in records if r["domain"] == domain]
        adapter_dir = _train_adapter(domain_records, tokenizer, model_dir, config, out / f"work-{domain}", progress)
        store.publish(domain, adapter_dir, {
            "base_model": "loraloop-demo",
            "method": "sft",
            "parent": None,
            "config": {"epochs": config.adapter_epochs, "learning_rate": config.adapter_learning_rate,
                       "rank": config.lora_rank, "alpha": config.lora_alpha},
            "dataset": {"conversations": len(domain_records), "corpus_sha256": corpus_digest()},
        })
    for work in out.glob("work-*"):
        shutil.rmtree(work)
    (out / "BUILD.json").write_text(json.dumps({
        "build_version": BUILD_VERSION, "config": config.fingerprint(), "corpus_sha256": corpus_digest(),
        "seconds": round(time.monotonic() - started, 1),
    }, indent=2, sort_keys=True) + "\n")
    _say(progress, f"done in {time.monotonic() - started:.0f}s")


def train_tokenizer(records: list[dict[str, Any]], config: DemoConfig):
    """A byte-level BPE tokenizer trained on the corpus, with the demo chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    texts = [m["content"] for r in records for m in r["messages"]]
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


def _sft_config(config: DemoConfig, work: Path, epochs: float, learning_rate: float, progress: bool):
    from trl import SFTConfig

    return SFTConfig(
        output_dir=str(work), num_train_epochs=epochs, learning_rate=learning_rate,
        per_device_train_batch_size=config.batch_size, lr_scheduler_type="cosine", warmup_steps=10,
        max_length=config.max_length, logging_steps=25, save_strategy="no", report_to="none",
        seed=config.seed, data_seed=config.seed, disable_tqdm=not progress, eos_token="<|end|>",
        **CPU_TRAINING_ARGS,
        # Batches of similar lengths: padding to the longest conversation otherwise doubles the work.
        train_sampling_strategy="group_by_length",
    )


def _train_base(records, tokenizer, config: DemoConfig, work: Path, progress: bool):
    from datasets import Dataset
    from transformers import LlamaForCausalLM
    from trl import SFTTrainer

    model = LlamaForCausalLM(_model_config(tokenizer, config))
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    dataset = Dataset.from_list([{"messages": r["messages"]} for r in records])
    trainer = SFTTrainer(model=model, args=_sft_config(config, work, config.base_epochs, config.base_learning_rate, progress),
                         train_dataset=dataset, processing_class=tokenizer)
    trainer.train()
    return trainer.model


def _train_adapter(records, tokenizer, model_dir: Path, config: DemoConfig, work: Path, progress: bool) -> Path:
    from datasets import Dataset
    from peft import LoraConfig
    from transformers import LlamaForCausalLM
    from trl import SFTTrainer

    base = LlamaForCausalLM.from_pretrained(model_dir, dtype="float32")
    # Prompt/completion rows: TRL computes the loss on the answer only.
    dataset = Dataset.from_list([{"prompt": r["messages"][:-1], "completion": r["messages"][-1:]} for r in records])
    lora = LoraConfig(r=config.lora_rank, lora_alpha=config.lora_alpha, lora_dropout=0.0,
                      target_modules=LORA_TARGETS, task_type="CAUSAL_LM")
    trainer = SFTTrainer(model=base, args=_sft_config(config, work, config.adapter_epochs, config.adapter_learning_rate, progress),
                         train_dataset=dataset, processing_class=tokenizer, peft_config=lora)
    trainer.train()
    adapter_dir = work / "adapter"
    trainer.model.save_pretrained(adapter_dir)
    return adapter_dir
