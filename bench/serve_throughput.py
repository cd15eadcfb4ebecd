"""Serving throughput on the demo model: gRPC server vs offline vLLM vs HF+PEFT (switching and batched).

The same workload runs through each path in one process, one after another:
  (a) the loraloop gRPC server (real vLLM engine, real gRPC client, all requests concurrent)
  (b) offline vLLM in-process (`vllm.LLM.generate`, one call with per-request LoRA)
  (c) HF transformers + PEFT, one request at a time, `set_adapter` per request
  (d) HF transformers + PEFT, mixed adapters batched in one `generate(adapter_names=...)`
  (e) offline vLLM on the demo's int8 W8A8 base (compressed-tensors, oneDNN int8 on CPU), same adapters
Prints tokens/s of each and the ratios a/b, a/c, a/d, e/b (int8 vs fp32 base) with both bases' weight
bytes, then the hot-swap time (publish -> first request answered by the new version). Ratios are what to compare;
absolute numbers depend on the machine.

Usage: python bench/serve_throughput.py [--requests 64] [--max-tokens 64]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")

ADAPTERS = ("medical", "finance", "legal", "base")


def workload(n: int) -> list[tuple[str, str]]:
    """(adapter, prompt) pairs: held-out corpus prompts spread over every demo adapter and the base."""
    from loraloop.demo.data import load_corpus

    prompts = [r["messages"][0]["content"] for r in load_corpus("heldout")]
    return [(ADAPTERS[i % len(ADAPTERS)], prompts[i % len(prompts)]) for i in range(n)]


async def bench_server(demo, store_root: Path, work, max_tokens: int) -> tuple[float, int, float]:
    from loraloop.adapters import AdapterStore
    from loraloop.client import LoraloopClient
    from loraloop.config import FeedbackConfig, ServeConfig
    from loraloop.serve.server import create_server

    config = ServeConfig(model=str(demo.model_dir), adapter_store=str(store_root), port=0, metrics_port=-1,
                         admin_token="bench", max_concurrent_requests=len(work) + 8)
    # Answers are recorded as in production, into a throwaway store.
    running = await create_server(config, feedback_config=FeedbackConfig(db_path=str(store_root.parent / "fb.sqlite")))
    try:
        async with LoraloopClient(f"127.0.0.1:{running.port}", admin_token="bench") as client:
            await asyncio.gather(*(client.chat("hello", adapter=a, temperature=0.0, max_tokens=4) for a in ADAPTERS))
            start = time.perf_counter()
            responses = await asyncio.gather(*(client.chat(p, adapter=a, temperature=0.0, max_tokens=max_tokens)
                                               for a, p in work))
            elapsed = time.perf_counter() - start
            tokens = sum(r.usage.completion_tokens for r in responses)

            # Hot swap: publish a new medical version, load it, time until a request is answered by it.
            store = AdapterStore(store_root)
            v1 = store.get("medical", 1)
            swap_start = time.perf_counter()
            new = store.publish("medical", v1.path, {"method": "bench-copy"})
            await client.load_adapter("medical")
            while (await client.chat("hello", adapter="medical", temperature=0.0, max_tokens=1)).adapter != new.key:
                pass
            swap = time.perf_counter() - swap_start
    finally:
        await running.stop(grace=1.0)
    return elapsed, tokens, swap


def bench_offline_vllm(model_dir: Path, store_root: Path, work, max_tokens: int, prompt_ids) -> tuple[float, int]:
    from vllm import LLM, SamplingParams
    from vllm.inputs import TokensPrompt
    from vllm.lora.request import LoRARequest

    llm = LLM(model=str(model_dir), enable_lora=True, max_loras=4, max_lora_rank=16, max_cpu_loras=8,
              dtype="float32", enforce_eager=True, gpu_memory_utilization=0.5, seed=0)
    ids = {a: i + 1 for i, a in enumerate(ADAPTERS)}
    loras = [None if a == "base" else LoRARequest(f"{a}@v1", ids[a], str(store_root / a / "v1")) for a, _ in work]
    params = SamplingParams(temperature=0.0, max_tokens=max_tokens)
    prompts = [TokensPrompt(prompt_token_ids=ids_) for ids_ in prompt_ids]
    llm.generate(prompts[:4], params, lora_request=loras[:4], use_tqdm=False)  # warm-up
    start = time.perf_counter()
    outputs = llm.generate(prompts, params, lora_request=loras, use_tqdm=False)
    elapsed = time.perf_counter() - start
    del llm
    return elapsed, sum(len(o.outputs[0].token_ids) for o in outputs)


def _peft_model(demo, store_root: Path):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    torch.set_num_threads(os.cpu_count() or 1)
    base = AutoModelForCausalLM.from_pretrained(demo.model_dir, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, str(store_root / "medical" / "v1"), adapter_name="medical")
    for name in ("finance", "legal"):
        model.load_adapter(str(store_root / name / "v1"), adapter_name=name)
    return model.eval()


def bench_hf_switching(model, tokenizer, work, max_tokens: int, prompt_ids) -> tuple[float, int]:
    import torch

    tokens = 0
    start = time.perf_counter()
    with torch.inference_mode():
        for (adapter, _), ids in zip(work, prompt_ids):
            input_ids = torch.tensor([ids])
            if adapter == "base":
                with model.disable_adapter():
                    out = model.generate(input_ids=input_ids, max_new_tokens=max_tokens, do_sample=False)
            else:
                model.set_adapter(adapter)
                out = model.generate(input_ids=input_ids, max_new_tokens=max_tokens, do_sample=False)
            tokens += _new_tokens(out[0, input_ids.shape[1]:], tokenizer)
    return time.perf_counter() - start, tokens


def bench_hf_batched(model, tokenizer, work, max_tokens: int, prompt_ids) -> tuple[float, int]:
    import torch

    tokenizer.padding_side = "left"
    batch = tokenizer.pad({"input_ids": prompt_ids}, return_tensors="pt")
    names = ["__base__" if a == "base" else a for a, _ in work]
    start = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(**batch, adapter_names=names, max_new_tokens=max_tokens, do_sample=False,
                             pad_token_id=tokenizer.pad_token_id)
    elapsed = time.perf_counter() - start
    width = batch["input_ids"].shape[1]
    return elapsed, sum(_new_tokens(row[width:], tokenizer) for row in out)


def _new_tokens(row, tokenizer) -> int:
    """Generated tokens up to and including the first EOS (what vLLM counts)."""
    ids = row.tolist()
    return ids.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in ids else len(ids)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=64)
    args = parser.parse_args()

    from transformers import AutoTokenizer

    from loraloop.config import DemoConfig
    from loraloop.demo import build_demo

    demo = build_demo(DemoConfig())
    work = workload(args.requests)
    tokenizer = AutoTokenizer.from_pretrained(demo.model_dir)
    prompt_ids = [tokenizer.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True,
                                                tokenize=True, return_dict=False) for _, p in work]
    with tempfile.TemporaryDirectory() as tmp:
        store_root = Path(tmp) / "adapters"
        shutil.copytree(demo.adapter_store, store_root)
        results = {}
        elapsed, tokens, swap = asyncio.run(bench_server(demo, store_root, work, args.max_tokens))
        results["a grpc server"] = (elapsed, tokens)
        results["b offline vllm"] = bench_offline_vllm(demo.model_dir, store_root, work, args.max_tokens, prompt_ids)
        results["e offline vllm int8"] = bench_offline_vllm(demo.int8_model_dir, store_root, work, args.max_tokens,
                                                            prompt_ids)
        model = _peft_model(demo, store_root)
        results["c hf+peft switching"] = bench_hf_switching(model, tokenizer, work, args.max_tokens, prompt_ids)
        results["d hf+peft batched"] = bench_hf_batched(model, tokenizer, work, args.max_tokens, prompt_ids)

    rate = {k: tokens / elapsed for k, (elapsed, tokens) in results.items()}
    print(f"\nworkload: {args.requests} requests x <= {args.max_tokens} tokens, greedy, "
          f"adapters {', '.join(ADAPTERS)} mixed; {os.cpu_count()} CPUs")
    for key, (elapsed, tokens) in results.items():
        print(f"  {key:<22} {tokens:6d} tokens in {elapsed:7.2f} s = {rate[key]:8.1f} tok/s")
    a = rate["a grpc server"]
    print(f"  ratio a/b (server / offline vLLM)       = {a / rate['b offline vllm']:.2f}")
    print(f"  ratio a/c (server / HF+PEFT switching)  = {a / rate['c hf+peft switching']:.2f}")
    print(f"  ratio a/d (server / HF+PEFT batched)    = {a / rate['d hf+peft batched']:.2f}")
    print(f"  ratio e/b (int8 W8A8 base / fp32 base)  = {rate['e offline vllm int8'] / rate['b offline vllm']:.2f}")
    from loraloop.quantize import weights_bytes

    fp32, int8 = weights_bytes(demo.model_dir), weights_bytes(demo.int8_model_dir)
    print(f"  base weight bytes: fp32 {fp32:,}, int8 W8A8 {int8:,} (ratio {int8 / fp32:.2f})")
    print(f"  hot swap: publish -> first request on the new version = {swap * 1000:.0f} ms")


if __name__ == "__main__":
    main()
