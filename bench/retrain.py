"""Retraining jobs on the demo model: wall time and training tokens/s of sft, dpo, reward and ppo.

Fixed dataset: the scripted `legal` preference of the tests (64 prompts; short answers ending with the
domain keyword preferred over long rambling ones), recorded through the real feedback store and pair
builder. Each method runs as a full job (`run_job`: snapshot, worker subprocess, evaluation gate, publish);
printed are the job's wall time and the training loop's own time and tokens/s, as the worker measured
them (tokens = prompt + answer tokens fed per pass, both sides of a pair; ppo: sampled answer tokens).

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
        shutil.copytree(demo.adapter_store, root / "adapters")
        db = root / "feedback.sqlite"
        write_scripted_feedback(db, DOMAIN, limit=args.prompts)
        config = RetrainConfig(db_path=str(db), adapter_store=str(root / "adapters"), model=str(demo.model_dir),
                               work_dir=str(root / "work"), min_free_bytes=0, device="cpu", parent_version=1,
                               ppo_learning_rate=5e-4, ppo_steps=16, max_perplexity_increase=0.2)
        print(f"dataset: {args.prompts} scripted {DOMAIN} prompts -> {args.prompts} pairs; demo model "
              f"{demo.model_dir}; {os.cpu_count()} CPUs", flush=True)
        rows = []
        for method in args.methods.split(","):
            started = time.monotonic()
            result = run_job(DOMAIN, method, config)
            wall = time.monotonic() - started
            if result.outcome != "published":
                print(f"{method}: {result.outcome}: {result.reason}")
                continue
            store = reward_store(root / "adapters") if method == "reward" else AdapterStore(root / "adapters")
            train = store.metadata(store.get(DOMAIN, result.version))["train"]
            rows.append((method, wall, train["train_seconds"], train["train_tokens"]))
            print(f"{method}: job {wall:.1f}s, training {train['train_seconds']:.1f}s, "
                  f"{train['train_tokens'] / train['train_seconds']:,.0f} tokens/s", flush=True)

        parent = AdapterStore(root / "adapters").get(DOMAIN, 1)
        snap = snapshot(db, DOMAIN, load_watermark({}), replay_share=config.replay_share,
                        eval_share=config.eval_share, seed=config.seed)
        seconds, tokens = baseline_sft(demo.model_dir, parent.path, list(snap.train_sft), batch_size=CPU_BATCH_SIZE,
                                       epochs=int(config.num_train_epochs), learning_rate=config.sft_learning_rate,
                                       max_length=config.max_length, seed=config.seed)
        print(f"baseline (plain PEFT + PyTorch SFT loop, in-process): {seconds:.1f}s, {tokens / seconds:,.0f} tokens/s")

    print("\n| method | job wall s | training s | training tokens | training tokens/s |")
    print("| --- | --- | --- | --- | --- |")
    for method, wall, train_s, train_tokens in rows:
        print(f"| {method} | {wall:.1f} | {train_s:.1f} | {train_tokens:,.0f} | {train_tokens / train_s:,.0f} |")
    print(f"| baseline sft loop | - | {seconds:.1f} | {tokens:,.0f} | {tokens / seconds:,.0f} |")
    sft = next((r for r in rows if r[0] == "sft"), None)
    if sft:
        print(f"\nratio sft job / baseline (training tokens/s): {(sft[3] / sft[2]) / (tokens / seconds):.2f}")


if __name__ == "__main__":
    main()
