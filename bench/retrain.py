"""Retraining jobs on the demo model: wall time and training tokens/s of sft, dpo, reward and ppo.

Fixed dataset: the scripted `legal` preference of the tests (64 prompts; short answers ending with the
domain keyword preferred over long rambling ones), recorded through the real feedback store and pair
builder. Each method runs as a full job (`run_job`: snapshot, worker subprocess, evaluation gate, publish);
printed are the job's wall time and the training loop's own time and tokens/s, as the worker measured
them (tokens = prompt + answer tokens fed per pass, both sides of a pair; ppo: sampled answer tokens).
Each method runs twice in the same run: QLoRA (the default: NF4 base with double quantization, paged 8-bit
AdamW) and on the full-precision fp32 base (`qlora=False`), each with the worker's peak RSS.

Baseline, measured in the same run: SFT of the same adapter (v1 loaded trainable, same rank and targets)
on the same rows, batch size, epochs, learning rate and max length, written as a plain PEFT + PyTorch loop
(AdamW, completion-only loss, padding per batch). The ratio is the job's SFT training tokens/s over the
baseline's.

Usage: LORALOOP_HOME=<demo cache> python bench/retrain.py [--methods sft,dpo,reward,ppo] [--prompts 64]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the tests' scripted preference is the fixed dataset
DOMAIN = "legal"


def baseline_sft(model_dir: Path, parent_dir: Path, rows: list[dict], *, batch_size: int, epochs: int,
                 learning_rate: float, max_length: int, seed: int) -> tuple[float, float]:
    """(seconds, tokens) of a plain PEFT + PyTorch SFT loop over prompt/completion rows."""
    import random

    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(seed)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(model_dir, dtype="float32"),
                                      str(parent_dir), is_trainable=True)
    model.train()
    examples = []
    for row in rows:
        prompt = tokenizer.apply_chat_template(row["prompt"], add_generation_prompt=True, tokenize=False)
        prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
        answer_ids = tokenizer(row["completion"] + tokenizer.eos_token, add_special_tokens=False)["input_ids"]
        ids = (prompt_ids + answer_ids)[:max_length]
        labels = ([-100] * len(prompt_ids) + answer_ids)[:max_length]  # loss on the answer only
        examples.append((ids, labels))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=learning_rate)
    steps = epochs * ((len(examples) + batch_size - 1) // batch_size)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    rng = random.Random(seed)
    tokens = 0
    started = time.monotonic()
    for _epoch in range(epochs):
        order = list(range(len(examples)))
        rng.shuffle(order)
        for begin in range(0, len(order), batch_size):
            batch = [examples[i] for i in order[begin:begin + batch_size]]
            width = max(len(ids) for ids, _ in batch)
            input_ids = torch.tensor([ids + [tokenizer.pad_token_id] * (width - len(ids)) for ids, _ in batch])
            labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch])
            attention = torch.tensor([[1] * len(ids) + [0] * (width - len(ids)) for ids, _ in batch])
            loss = model(input_ids=input_ids, attention_mask=attention, labels=labels).loss
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            tokens += sum(len(ids) for ids, _ in batch)
    return time.monotonic() - started, float(tokens)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--methods", default="sft,dpo,reward,ppo")
    parser.add_argument("--prompts", type=int, default=64)
    parser.add_argument("--bases", default="qlora,fp32", help="qlora (NF4 base), fp32 (full precision), or both")
    args = parser.parse_args()

    from loraloop.adapters import AdapterStore
    from loraloop.config import DemoConfig, RetrainConfig
    from loraloop.demo import build_demo
    from loraloop.retrain.dataset import load_watermark, snapshot
    from loraloop.retrain.jobs import reward_store, run_job
    from loraloop.retrain.trl_configs import CPU_BATCH_SIZE
    from tests.retrain.scripted import write_scripted_feedback

    demo = build_demo(DemoConfig())
    with tempfile.TemporaryDirectory(prefix="bench-retrain-") as tmp:
        root = Path(tmp)
        db = root / "feedback.sqlite"
        write_scripted_feedback(db, DOMAIN, limit=args.prompts)
        print(f"dataset: {args.prompts} scripted {DOMAIN} prompts -> {args.prompts} pairs; demo model "
              f"{demo.model_dir}; {os.cpu_count()} CPUs", flush=True)
        rows = []
        for base in args.bases.split(","):
            adapters = root / base / "adapters"  # one store per base: ppo must score with its own reward model
            shutil.copytree(demo.adapter_store, adapters)
            config = RetrainConfig(db_url=str(db), adapter_store=str(adapters), model=str(demo.model_dir),
                                   work_dir=str(root / base / "work"), min_free_bytes=0, device="cpu",
                                   parent_version=1, ppo_learning_rate=5e-4, ppo_steps=16,
                                   max_perplexity_increase=0.2, qlora=base == "qlora")
            for method in args.methods.split(","):
                started = time.monotonic()
                result = run_job(DOMAIN, method, config)
                wall = time.monotonic() - started
                if result.outcome != "published":
                    print(f"{base} {method}: {result.outcome}: {result.reason}")
                    continue
                store = reward_store(adapters) if method == "reward" else AdapterStore(adapters)
                train = store.metadata(store.get(DOMAIN, result.version))["train"]
                rows.append((f"{method} ({base})", wall, train["train_seconds"], train["train_tokens"],
                             train.get("peak_rss_bytes", float("nan"))))
                print(f"{base} {method}: job {wall:.1f}s, training {train['train_seconds']:.1f}s, "
                      f"{train['train_tokens'] / train['train_seconds']:,.0f} tokens/s", flush=True)

        parent = AdapterStore(root / args.bases.split(",")[0] / "adapters").get(DOMAIN, 1)
        snap = snapshot(db, DOMAIN, load_watermark({}), replay_share=config.replay_share,
                        eval_share=config.eval_share, seed=config.seed)
        seconds, tokens = baseline_sft(demo.model_dir, parent.path, list(snap.train_sft), batch_size=CPU_BATCH_SIZE,
                                       epochs=int(config.num_train_epochs), learning_rate=config.sft_learning_rate,
                                       max_length=config.max_length, seed=config.seed)
        print(f"baseline (plain PEFT + PyTorch SFT loop, in-process): {seconds:.1f}s, {tokens / seconds:,.0f} tokens/s")

    print("\n| method (base) | job wall s | training s | training tokens | training tokens/s | worker peak RSS MiB |")
    print("| --- | --- | --- | --- | --- | --- |")
    for method, wall, train_s, train_tokens, rss in rows:
        print(f"| {method} | {wall:.1f} | {train_s:.1f} | {train_tokens:,.0f} | {train_tokens / train_s:,.0f} "
              f"| {rss / 2**20:,.0f} |")
    print(f"| baseline sft loop (fp32) | - | {seconds:.1f} | {tokens:,.0f} | {tokens / seconds:,.0f} | - |")
    rate = {method: t / s for method, _, s, t, _ in rows}
    for base in args.bases.split(","):
        if f"sft ({base})" in rate:
            print(f"ratio sft job ({base}) / baseline (training tokens/s): {rate[f'sft ({base})'] / (tokens / seconds):.2f}")
    for method in args.methods.split(","):
        if f"{method} (qlora)" in rate and f"{method} (fp32)" in rate:
            print(f"ratio {method} qlora / fp32 (training tokens/s): {rate[f'{method} (qlora)'] / rate[f'{method} (fp32)']:.2f}")


if __name__ == "__main__":
    main()
