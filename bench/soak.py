"""Soak: N concurrent streams against a real `loraloop serve` for a set time, a rollout under that load, overload.

The server is a subprocess (the demo's int8 base, what `make demo` serves), so its memory is measured apart from
the clients. Phases, in one run:
  1. soak: `--streams` clients (default 200) each stream answers back to back for `--duration` seconds, over
     every demo adapter and the router, and rate a share of them (THUMBS_UP / THUMBS_DOWN), with
     max_concurrent_requests sized for them (streams + 8);
  2. rollout under load (`--rollout`, on by default): a quarter into the soak a canary of `legal` starts (schedule
     10 -> 50 -> 100, a small sample per step), the controller advances it on the clients' ratings, and at three
     quarters it is rolled back; TTFT p99 of the requests started within `--window` seconds after each transition
     is compared with steady state (the requests before the start). Goal: <= 2x, and no request failed;
  3. overload: 2 x max_concurrent_requests unary requests at once; every refusal must be a clean
     RESOURCE_EXHAUSTED, then one more request must succeed (recovery).
Prints errors (must be 0), TTFT p50/p99, tokens/s, the server's RSS (its process and the engine's) at the start
and the end of the soak; growth beyond `--max-rss-growth-mib` fails the run (exit 1), as do errors.

Usage: python bench/soak.py [--streams 200] [--duration 120] [--max-tokens 32] [--no-rollout]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

ADMIN = "soak-admin-token"
ADAPTERS = ("medical", "finance", "legal", "")  # "" = the router picks
DOMAIN = "legal"
KV_CACHE_GIB = 1  # the server's --cpu-kv-cache-gib: allocated at start, paged in as the load fills it


@dataclass
class Sample:
    started: float
    ttft: float | None
    tokens: int
    error: str = ""


@dataclass
class Soak:
    samples: list[Sample] = field(default_factory=list)
    transitions: list[tuple[str, float]] = field(default_factory=list)  # (decision, monotonic time)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _rss_mib(pid: int) -> float:
    """RSS of the server and its engine processes together, in MiB."""
    import psutil

    proc = psutil.Process(pid)
    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.NoSuchProcess):
            total += child.memory_info().rss
    return total / 2**20


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def _stream_once(client, prompt: str, adapter: str, max_tokens: int, rng: random.Random, pb) -> Sample:
    started = time.monotonic()
    ttft, tokens, response_id = None, 0, ""
    try:
        async for chunk in client.stream(prompt, adapter=adapter, max_tokens=max_tokens, temperature=0.7,
                                         user_id=f"soak-{rng.randrange(10_000)}"):
            if ttft is None and chunk.delta:
                ttft = time.monotonic() - started
            response_id = chunk.response_id or response_id
            if chunk.usage.completion_tokens:
                tokens = chunk.usage.completion_tokens
        if response_id and rng.random() < 0.3:
            await client.send_feedback(response_id, pb.THUMBS_UP if rng.random() < 0.7 else pb.THUMBS_DOWN)
    except Exception as e:  # grpc.aio.AioRpcError and anything else: counted, the loop goes on
        code = getattr(e, "code", None)
        return Sample(started, ttft, tokens, error=code().name if callable(code) else type(e).__name__)
    return Sample(started, ttft, tokens)


async def _client_loop(client, prompts: list[str], deadline: float, max_tokens: int, seed: int, soak: Soak, pb) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        soak.samples.append(await _stream_once(client, rng.choice(prompts), rng.choice(ADAPTERS), max_tokens, rng, pb))


async def _rollout(admin, store_root: Path, start_at: float, rollback_at: float, soak: Soak) -> str:
    """Publish a canary of DOMAIN, start it, wait for the controller to advance it, roll it back; a report line."""
    from loraloop.adapters import AdapterStore

    store = AdapterStore(store_root)
    stable = store.get(DOMAIN, store.versions(DOMAIN)[-1])
    src = store_root.parent / "canary-src"
    src.mkdir(exist_ok=True)
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        shutil.copyfile(stable.path / name, src / name)
    canary = store.publish(DOMAIN, src, {"method": "soak-copy", "parent": stable.key}).version
    # As the retrain daemon does it: the new version is loaded (and pinned) first, the rollout starts after.
    await asyncio.sleep(max(0.0, start_at - 10.0 - time.monotonic()))
    soak.transitions.append(("load", time.monotonic()))
    await admin.load_adapter(f"{DOMAIN}@v{canary}", keep_active=True)
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    soak.transitions.append(("start", time.monotonic()))
    await admin.set_rollout(DOMAIN, "start", canary_version=canary, schedule=[20, 50, 100], min_rated_per_step=5,
                            reason="soak")
    seen: set[tuple[str, float]] = set()
    while time.monotonic() < rollback_at:
        await asyncio.sleep(0.5)
        [rollout] = await admin.get_rollout(DOMAIN, events=20)
        for event in sorted(rollout.events, key=lambda e: e.created_at):
            if event.decision != "start" and (event.decision, event.created_at) not in seen:
                seen.add((event.decision, event.created_at))
                soak.transitions.append((event.decision, time.monotonic()))  # seen within 0.5 s of it
        if rollout.status not in ("running", "paused", "inconclusive"):
            return f"the controller ended the rollout itself: {rollout.status}"
    soak.transitions.append(("rollback", time.monotonic()))
    await admin.set_rollout(DOMAIN, "rollback", reason="soak: end of the transition test")
    return " -> ".join(d for d, _ in soak.transitions)


async def _overload(client, prompts: list[str], cap: int, max_tokens: int) -> tuple[int, dict[str, int], bool]:
    """2 x cap unary requests at once: (answered, refusals by status, a request after them succeeded)."""
    async def one(i: int) -> str:
        try:
            await client.chat(prompts[i % len(prompts)], adapter=ADAPTERS[i % 3], max_tokens=max_tokens,
                              temperature=0.0)
            return "OK"
        except Exception as e:
            code = getattr(e, "code", None)
            return code().name if callable(code) else type(e).__name__

    results = await asyncio.gather(*(one(i) for i in range(2 * cap)))
    refusals: dict[str, int] = {}
    for r in results:
        if r != "OK":
            refusals[r] = refusals.get(r, 0) + 1
    recovered = (await one(0)) == "OK"
    return results.count("OK"), refusals, recovered


def _start_server(demo, store_root: Path, db: Path, port: int, cap: int, log_path: Path) -> subprocess.Popen:
    args = [sys.executable, "-m", "loraloop.cli", "serve", "--model", str(demo.int8_model_dir), "--adapter-store",
            str(store_root), "--port", str(port), "--http-port", "-1", "--metrics-port", "-1", "--admin-token", ADMIN,
            "--db-path", str(db), "--state-dir", str(db.parent / "state"), "--router-path",
            str(db.parent / "router.joblib"), "--max-concurrent-requests", str(cap), "--rollout-tick-interval-s", "1",
            "--rollout-max-p95-latency-ratio", "5", "--rollout-test-min-rated", "5",
            "--cpu-kv-cache-gib", str(KV_CACHE_GIB)]
    with open(log_path, "wb") as log:
        return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                env={**os.environ, "LORALOOP_HOME": str(db.parent / "home")})


async def run(args: argparse.Namespace) -> int:
    from loraloop.client import LoraloopClient
    from loraloop.demo import build_demo
    from loraloop.demo.config import DemoConfig
    from loraloop.demo.data import load_corpus
    from loraloop.healthcheck import check_grpc
    from loraloop.v1 import loraloop_pb2 as pb

    demo = build_demo(DemoConfig(home=os.environ.get("LORALOOP_HOME", "")))
    prompts = [r["messages"][0]["content"] for r in load_corpus("heldout")]
    work = Path(tempfile.mkdtemp(prefix="loraloop-soak-"))
    store_root = work / "adapters"
    shutil.copytree(demo.adapter_store, store_root)
    cap, port = args.streams + 8, _free_port()
    proc = _start_server(demo, store_root, work / "feedback.sqlite", port, cap, work / "server.log")
    target = f"127.0.0.1:{port}"
    try:
        while not check_grpc(target, "", 2.0)[0]:
            if proc.poll() is not None:
                print((work / "server.log").read_text()[-3000:])
                return 1
            await asyncio.sleep(0.5)
        channels = [LoraloopClient(target, admin_token=ADMIN, timeout=300) for _ in range(4)]
        admin = channels[0]
        for adapter in ADAPTERS:  # warm-up: every adapter answers once before anything is measured
            await admin.chat("hello", adapter=adapter, max_tokens=4)
        soak = Soak()
        began = time.monotonic()
        deadline = began + args.duration
        rss: list[float] = []

        async def sample_rss() -> None:
            # The first sample is taken after the warm-up: until then the engine touches its KV cache and the
            # allocator grows its pools, which is growth once, not a leak.
            await asyncio.sleep(args.warmup)
            while time.monotonic() < deadline:
                rss.append(_rss_mib(proc.pid))
                await asyncio.sleep(5.0)

        sampler = asyncio.create_task(sample_rss())
        clients = [_client_loop(channels[i % len(channels)], prompts, deadline, args.max_tokens, i, soak, pb)
                   for i in range(args.streams)]
        rollout_task = None
        if args.rollout:
            rollout_task = asyncio.create_task(_rollout(admin, store_root, began + args.duration * 0.4,
                                                        began + args.duration * 0.75, soak))
        await asyncio.gather(*clients)
        rollout_report = await rollout_task if rollout_task else "off"
        elapsed = time.monotonic() - began
        await sampler
        rss.append(_rss_mib(proc.pid))
        rss_start, rss_end = rss[0], rss[-1]
        answered, refusals, recovered = await _overload(admin, prompts, cap, args.max_tokens)
        for channel in channels:
            await channel.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(work, ignore_errors=True)

    ok = [s for s in soak.samples if not s.error]
    errors: dict[str, int] = {}
    for s in soak.samples:
        if s.error:
            errors[s.error] = errors.get(s.error, 0) + 1
    ttfts = [s.ttft for s in ok if s.ttft is not None]
    tokens = sum(s.tokens for s in ok)
    print(f"soak: {args.streams} streams x {args.duration:.0f} s, max_tokens {args.max_tokens}, "
          f"max_concurrent_requests {cap}, {os.cpu_count()} CPUs")
    print(f"  answers {len(ok)}, errors {sum(errors.values())} {errors or ''}")
    print(f"  TTFT p50 {_pct(ttfts, 0.5):.3f} s, p99 {_pct(ttfts, 0.99):.3f} s; {tokens / elapsed:.0f} tok/s; "
          f"{len(ok) / elapsed:.1f} answers/s")
    growth = rss_end - rss_start
    half = rss[len(rss) // 2]
    # The KV cache is reserved at start but its pages become resident as blocks are first used, so the soak
    # grows RSS by up to its size once; what the bound checks is growth beyond that.
    bound = KV_CACHE_GIB * 1024 + args.max_rss_growth_mib
    print(f"  server RSS (server + engine processes) {rss_start:.0f} MiB after {args.warmup:.0f} s of warm-up, "
          f"{rss_end:.0f} MiB at the end: {growth:+.0f} MiB (bound: the {KV_CACHE_GIB} GiB KV cache paging in + "
          f"{args.max_rss_growth_mib:.0f} MiB = {bound:.0f} MiB); second half {rss_end - half:+.0f} MiB")
    print(f"    every 5 s: {' '.join(f'{r:.0f}' for r in rss)}")
    failed = bool(errors) or growth > bound
    if args.rollout:
        print(f"  rollout under load: {rollout_report}")
        first = soak.transitions[0][1] if soak.transitions else None
        steady = [s.ttft for s in ok if s.ttft is not None and first is not None and args.warmup <= s.started - began
                  and s.started < first]
        p99_steady = _pct(steady, 0.99)
        print(f"    steady state (after the warm-up, before the load): TTFT p99 {p99_steady:.3f} s over {len(steady)} answers")
        for decision, at in soak.transitions:
            window = [s.ttft for s in ok if s.ttft is not None and at <= s.started < at + args.window]
            failed_in = sum(1 for s in soak.samples if s.error and at <= s.started < at + args.window)
            ratio = _pct(window, 0.99) / p99_steady if steady and window else float("nan")
            print(f"    {decision:<12} TTFT p99 {_pct(window, 0.99):.3f} s over {len(window)} answers in "
                  f"{args.window:.0f} s: {ratio:.2f}x steady (goal <= 2), {failed_in} failed")
    print(f"overload: {2 * cap} unary requests at once against max_concurrent_requests={cap}: {answered} answered, "
          f"refused {refusals or 'none'}; a request right after: {'answered' if recovered else 'FAILED'}")
    unclean = {k: v for k, v in refusals.items() if k != "RESOURCE_EXHAUSTED"}
    failed = failed or bool(unclean) or not recovered
    print("result:", "FAILED" if failed else "ok")
    return 1 if failed else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=200)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of soak")
    parser.add_argument("--max-tokens", type=int, default=32)
    parser.add_argument("--window", type=float, default=5.0, help="seconds after a transition whose TTFT is compared")
    parser.add_argument("--max-rss-growth-mib", type=float, default=256.0,
                        help="the run fails when the server's RSS grows more than this after the warm-up")
    parser.add_argument("--warmup", type=float, default=20.0, help="seconds of load before the first RSS sample")
    parser.add_argument("--no-rollout", dest="rollout", action="store_false")
    args = parser.parse_args()
    if args.streams < 1 or args.duration <= 0 or args.max_tokens < 1:
        parser.error("--streams, --duration and --max-tokens must be positive")
    return asyncio.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
