"""Serving throughput on the demo model: loraloop's gRPC and HTTP servers vs vLLM (offline and `vllm serve`) vs HF+PEFT.

The same workload runs through each path in one process, one after another:
  (a) the loraloop gRPC server (real vLLM engine, real gRPC client, all requests concurrent)
  (f) the same loraloop server's OpenAI-compatible HTTP API, driven by the `openai` SDK, all requests concurrent:
      path (a)'s server started with an HTTP port, run right after the gRPC workload (same engine, same loaded
      adapters; only the frontend differs), `model=<adapter>` ("base" = the base model)
  (g) vLLM's own OpenAI server (`vllm serve` on the same fp32 model with the three adapters as --lora-modules and
      loraloop's engine settings) as a subprocess, driven by the same openai-SDK workload, then stopped
  (b) offline vLLM in-process (`vllm.LLM.generate`, one call with per-request LoRA)
  (e) offline vLLM on the demo's int8 W8A8 base (compressed-tensors, oneDNN int8 on CPU), same adapters
  (c) HF transformers + PEFT, one request at a time, `set_adapter` per request
  (d) HF transformers + PEFT, mixed adapters batched in one `generate(adapter_names=...)`
Prints tokens/s of each and the ratios a/b, a/c, a/d, e/b (int8 vs fp32 base) with both bases' weight bytes,
f/g (loraloop HTTP / vllm serve: the goal is >= 1) and f/a (HTTP / gRPC), the CPU seconds the frontends spent,
then the hot-swap time (publish -> first request answered by the new version). Ratios are what to compare;
absolute numbers depend on the machine. In (a) and (f) the client shares the server's process (and its event
loop); in (g) it runs beside the server, so the CPU line shows what the client alone costs.

Usage: python bench/serve_throughput.py [--requests 64] [--max-tokens 64] [--paths a,b,c,d,e,f,g]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import NamedTuple

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")

ADAPTERS = ("medical", "finance", "legal", "base")
PATHS = ("a", "b", "c", "d", "e", "f", "g")
VLLM_START_TIMEOUT_S = 300.0
# The `vllm` console script of vllm-cpu 0.32 dies at start: its --version asks importlib.metadata for "vllm",
# and the distribution is named "vllm-cpu". This runs the same CLI entry point with that one lookup answered the
# way vLLM's own platform detection answers it (vllm/platforms/__init__.py: "<vllm-cpu version>+cpu").
VLLM_CLI = (
    "import importlib.metadata as m\n"
    "_version = m.version\n"
    "m.version = lambda name: _version('vllm-cpu') + '+cpu' if name == 'vllm' else _version(name)\n"
    "from vllm.entrypoints.cli.main import main\n"
    "main()\n"
)


class Run(NamedTuple):
    """One path's timed run; cpu_s is this process's CPU time during it, where the path measures it."""

    elapsed: float
    tokens: int
    cpu_s: float | None = None


def workload(n: int) -> list[tuple[str, str]]:
    """(adapter, prompt) pairs: held-out corpus prompts spread over every demo adapter and the base."""
    from loraloop.demo.data import load_corpus

    prompts = [r["messages"][0]["content"] for r in load_corpus("heldout")]
    return [(ADAPTERS[i % len(ADAPTERS)], prompts[i % len(prompts)]) for i in range(n)]


async def bench_server(demo, store_root: Path, work, max_tokens: int, paths: set[str]) -> tuple[dict[str, Run], float | None]:
    """Paths (a) and (f) on one loraloop server, then the hot swap (with (a)); returns the runs and the swap time."""
    from loraloop.client import LoraloopClient
    from loraloop.config import FeedbackConfig, ServeConfig
    from loraloop.serve.server import create_server

    config = ServeConfig(model=str(demo.model_dir), adapter_store=str(store_root), port=0, metrics_port=-1,
                         http_port=0 if "f" in paths else -1, admin_token="bench",
                         max_concurrent_requests=len(work) + 8)
    # Answers are recorded as in production, into a throwaway store.
    running = await create_server(config, feedback_config=FeedbackConfig(db_url=str(store_root.parent / "fb.sqlite")))
    runs, swap = {}, None
    try:
        async with LoraloopClient(f"127.0.0.1:{running.port}", admin_token="bench") as client:
            if "a" in paths:
                runs["a grpc server"] = await grpc_workload(client, work, max_tokens)
            if "f" in paths:
                # Same engine, same loaded adapters, right after (a): the two runs differ only in the frontend.
                runs["f loraloop http"] = await openai_workload(f"http://127.0.0.1:{running.http_port}/v1", work,
                                                                max_tokens)
            if "a" in paths:
                # Last: it publishes medical@v2, which every later medical request would be answered by.
                swap = await hot_swap(client, store_root)
    finally:
        await running.stop(grace=1.0)
    return runs, swap


async def grpc_workload(client, work, max_tokens: int) -> Run:
    await asyncio.gather(*(client.chat("hello", adapter=a, temperature=0.0, max_tokens=4) for a in ADAPTERS))
    start, cpu = time.perf_counter(), time.process_time()
    responses = await asyncio.gather(*(client.chat(p, adapter=a, temperature=0.0, max_tokens=max_tokens)
                                       for a, p in work))
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Run(elapsed, sum(r.usage.completion_tokens for r in responses), cpu)


async def openai_workload(base_url: str, work, max_tokens: int) -> Run:
    """The workload through the real openai SDK, all requests concurrent; `model` is the adapter's name.

    "base" is the base model in both servers: loraloop reads `model="base"` as the base adapter, and
    `vllm serve` gets `--served-model-name base`, so (f) and (g) send the same request bodies.
    """
    from openai import AsyncOpenAI

    async with AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=600.0) as client:
        def chat(adapter: str, prompt: str, tokens: int):
            return client.chat.completions.create(model=adapter, messages=[{"role": "user", "content": prompt}],
                                                  temperature=0.0, max_tokens=tokens)

        await asyncio.gather(*(chat(a, "hello", 4) for a in ADAPTERS))  # warm-up, as for gRPC
        start, cpu = time.perf_counter(), time.process_time()
        responses = await asyncio.gather(*(chat(a, p, max_tokens) for a, p in work))
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    return Run(elapsed, sum(r.usage.completion_tokens for r in responses), cpu)


async def hot_swap(client, store_root: Path) -> float:
    """Publish a new medical version, load it, time until a request is answered by it."""
    from loraloop.adapters import AdapterStore

    store = AdapterStore(store_root)
    v1 = store.get("medical", 1)
    swap_start = time.perf_counter()
    new = store.publish("medical", v1.path, {"method": "bench-copy"})
    await client.load_adapter("medical")
    while (await client.chat("hello", adapter="medical", temperature=0.0, max_tokens=1)).adapter != new.key:
        pass
    return time.perf_counter() - swap_start


def bench_vllm_serve(model_dir: Path, store_root: Path, work, max_tokens: int, log_path: Path) -> tuple[Run, float]:
    """Path (g): `vllm serve` as a subprocess; returns the run and the CPU seconds of its API server process."""
    import psutil  # a vLLM dependency

    port = _free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    with open(log_path, "wb") as log:
        # Its own session, so whatever the API server leaves behind (its engine core) can be killed as a group.
        proc = subprocess.Popen([sys.executable, "-c", VLLM_CLI, *vllm_serve_args(model_dir, store_root, port)],
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_ready(proc, base_url, log_path)
        api = psutil.Process(proc.pid)  # one API server (data_parallel_size 1): the frontend, beside its engine core
        before = sum(api.cpu_times()[:2])
        run = asyncio.run(openai_workload(base_url, work, max_tokens))
        return run, sum(api.cpu_times()[:2]) - before
    finally:
        _stop_group(proc)


def vllm_serve_args(model_dir: Path, store_root: Path, port: int) -> list[str]:
    """`vllm serve` with serve/engine.py's engine_kwargs for the fp32 demo on CPU (ServeConfig defaults).

    max_num_seqs and max_num_batched_tokens stay vLLM's: on CPU its server and loraloop's AsyncLLM both get 128
    and 2048 (EngineArgs.get_batch_defaults), and max_model_len stays the model's, as ServeConfig's 0 leaves it.
    """
    loras = [f"{a}={store_root / a / 'v1'}" for a in ADAPTERS if a != "base"]
    return ["serve", str(model_dir), "--served-model-name", "base", "--enable-lora", "--lora-modules", *loras,
            "--max-loras", "4", "--max-lora-rank", "16", "--max-cpu-loras", "8", "--dtype", "float32",
            "--enforce-eager", "--gpu-memory-utilization", "0.5", "--seed", "0", "--disable-log-stats",
            # loraloop's uvicorn runs without an access log and at log level warning.
            "--disable-uvicorn-access-log", "--uvicorn-log-level", "warning",
            # Drain on SIGTERM like loraloop (shutdown_grace_s 5); vLLM's default 0 aborts and force-kills the core.
            "--shutdown-timeout", "5", "--host", "127.0.0.1", "--port", str(port)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(proc: subprocess.Popen, base_url: str, log_path: Path) -> None:
    """Until GET /v1/models answers 200; fail early (with the log's tail) if the server exits first."""
    deadline = time.monotonic() + VLLM_START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-4000:]
            raise RuntimeError(f"vllm serve exited with {proc.returncode} before answering:\n{tail}")
        try:
            with urllib.request.urlopen(f"{base_url}/models", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(1.0)
    raise TimeoutError(f"vllm serve did not answer {base_url}/models within {VLLM_START_TIMEOUT_S:.0f} s (log: {log_path})")


def _stop_group(proc: subprocess.Popen) -> None:
    """SIGTERM the API server, which stops its engine core; then SIGKILL whatever of its process group is left.

    The API server alone gets the SIGTERM: sent to the whole group, the engine core dies under the API server,
    which then logs an EngineDeadError instead of shutting down cleanly.
    """
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:  # the engine core may outlive the API server by a moment
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.5)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


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


def parse_paths(text: str) -> set[str]:
    paths = {p.strip() for p in text.split(",") if p.strip()}
    unknown = paths - set(PATHS)
    if unknown or not paths:
        raise argparse.ArgumentTypeError(f"expected a comma-separated subset of {','.join(PATHS)}, got {text!r}")
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=64)
    parser.add_argument("--max-tokens", type=int, default=64)
    parser.add_argument("--paths", type=parse_paths, default=set(PATHS),
                        help=f"comma-separated paths to run (default: all, {','.join(PATHS)})")
    args = parser.parse_args()
    paths = args.paths

    from transformers import AutoTokenizer

    from loraloop.config import DemoConfig
    from loraloop.demo import build_demo

    demo = build_demo(DemoConfig())
    work = workload(args.requests)
    tokenizer = AutoTokenizer.from_pretrained(demo.model_dir)
    prompt_ids = [tokenizer.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True,
                                                tokenize=True, return_dict=False) for _, p in work]
    results: dict[str, Run] = {}
    swap, vllm_api_cpu = None, None
    with tempfile.TemporaryDirectory() as tmp:
        store_root = Path(tmp) / "adapters"
        shutil.copytree(demo.adapter_store, store_root)
        if paths & {"a", "f"}:
            runs, swap = asyncio.run(bench_server(demo, store_root, work, args.max_tokens, paths))
            results.update(runs)
        if "g" in paths:  # right after (f), so the two HTTP servers meet the machine in about the same state
            results["g vllm serve"], vllm_api_cpu = bench_vllm_serve(demo.model_dir, store_root, work, args.max_tokens,
                                                                     Path(tmp) / "vllm-serve.log")
        if "b" in paths:
            results["b offline vllm"] = Run(*bench_offline_vllm(demo.model_dir, store_root, work, args.max_tokens,
                                                                prompt_ids))
        if "e" in paths:
            results["e offline vllm int8"] = Run(*bench_offline_vllm(demo.int8_model_dir, store_root, work,
                                                                     args.max_tokens, prompt_ids))
        if paths & {"c", "d"}:
            model = _peft_model(demo, store_root)
            if "c" in paths:
                results["c hf+peft switching"] = Run(*bench_hf_switching(model, tokenizer, work, args.max_tokens,
                                                                         prompt_ids))
            if "d" in paths:
                results["d hf+peft batched"] = Run(*bench_hf_batched(model, tokenizer, work, args.max_tokens,
                                                                     prompt_ids))

    rate = {k: run.tokens / run.elapsed for k, run in results.items()}
    print(f"\nworkload: {args.requests} requests x <= {args.max_tokens} tokens, greedy, "
          f"adapters {', '.join(ADAPTERS)} mixed; {os.cpu_count()} CPUs; paths {','.join(sorted(paths))}")
    for key, run in results.items():
        print(f"  {key:<22} {run.tokens:6d} tokens in {run.elapsed:7.2f} s = {rate[key]:8.1f} tok/s")
    for label, num, den in (("a/b (server / offline vLLM)", "a grpc server", "b offline vllm"),
                            ("a/c (server / HF+PEFT switching)", "a grpc server", "c hf+peft switching"),
                            ("a/d (server / HF+PEFT batched)", "a grpc server", "d hf+peft batched"),
                            ("e/b (int8 W8A8 base / fp32 base)", "e offline vllm int8", "b offline vllm"),
                            ("f/g (loraloop HTTP / vllm serve)", "f loraloop http", "g vllm serve"),
                            ("f/a (HTTP / gRPC)", "f loraloop http", "a grpc server")):
        if num in rate and den in rate:  # a ratio needs both of its paths in this run
            print(f"  ratio {label:<33} = {rate[num] / rate[den]:.2f}")
    cpu = [f"{key} {run.cpu_s:.1f} s" for key, run in results.items() if run.cpu_s is not None]
    if cpu:
        # (a), (f): the client plus loraloop's frontend (the engine core is its own process); (g): the client alone.
        print(f"  this process's CPU during the run: {', '.join(cpu)}")
    if vllm_api_cpu is not None:
        print(f"  vllm serve API server process CPU during (g): {vllm_api_cpu:.1f} s")
    if "e" in paths:
        from loraloop.quantize import weights_bytes

        fp32, int8 = weights_bytes(demo.model_dir), weights_bytes(demo.int8_model_dir)
        print(f"  base weight bytes: fp32 {fp32:,}, int8 W8A8 {int8:,} (ratio {int8 / fp32:.2f})")
    if swap is not None:
        print(f"  hot swap: publish -> first request on the new version = {swap * 1000:.0f} ms")


if __name__ == "__main__":
    main()
