"""Feedback ingest: SendFeedback through the real server vs one autocommitted INSERT per signal.

(1) Sustained signals/s and p99 ack latency through `SendFeedback` (real gRPC server on the demo model,
    synchronous=FULL) with concurrent clients: the batching writer (up to 256 signals per commit) against
    the baseline measured in the same run, the same server committing each signal alone (batch size 1 =
    one autocommitted INSERT per signal). For scale, the raw rate of autocommitted INSERTs from as many
    threads, without gRPC, is printed too.
(2) Pair build rate: `PairBuilder.build()` over a synthetic store of >= 1M signals (rows/s).

Usage: python bench/feedback_ingest.py [--clients 16] [--signals 4000] [--build-signals 1000000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sqlite3
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def p99(latencies: list[float]) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]


async def bench_server(tmp: Path, clients: int, signals: int, batch_size: int) -> tuple[float, float, list[str]]:
    from loraloop.client import LoraloopClient
    from loraloop.config import DemoConfig, FeedbackConfig, ServeConfig
    from loraloop.demo import build_demo
    from loraloop.serve.server import create_server
    from loraloop.v1 import loraloop_pb2 as pb

    demo = build_demo(DemoConfig())
    config = ServeConfig(model=str(demo.model_dir), adapter_store=str(demo.adapter_store), port=0,
                         metrics_port=-1, http_port=-1, admin_token="bench")
    feedback = FeedbackConfig(db_path=str(tmp / f"server-{batch_size}.sqlite"), drift_interval_s=0,
                              batch_size=batch_size)
    running = await create_server(config, feedback_config=feedback)
    try:
        async with LoraloopClient(f"127.0.0.1:{running.port}") as client:
            answers = [(await client.chat(f"question {i}", adapter="medical", temperature=0.0, max_tokens=4)).response_id
                       for i in range(32)]
            await client.send_feedback(answers[0], pb.COPY)  # warm-up: answers are committed behind it
            kinds = [pb.THUMBS_UP, pb.THUMBS_DOWN, pb.COPY, pb.SHARE]
            latencies: list[float] = []

            async def worker(w: int) -> None:
                for i in range(w, signals, clients):
                    start = time.perf_counter()
                    await client.send_feedback(answers[i % len(answers)], kinds[i % len(kinds)],
                                               idempotency_key=f"bench-{i}")
                    latencies.append(time.perf_counter() - start)

            start = time.perf_counter()
            await asyncio.gather(*(worker(w) for w in range(clients)))
            elapsed = time.perf_counter() - start
    finally:
        await running.stop(grace=1.0)
    return signals / elapsed, p99(latencies), answers


def bench_baseline(tmp: Path, clients: int, signals: int, answers: list[str]) -> tuple[float, float]:
    from loraloop.feedback.store import FeedbackStore

    path = tmp / "baseline.sqlite"
    store = FeedbackStore(path)
    for rid in answers:  # the same answers exist, so foreign keys hold as in the server
        store.db.execute("INSERT INTO responses (id, conversation_id, user_id, context_hash, messages, text, adapter, "
                         "domain, arm, route_domain, route_confidence, sampling, prompt_tokens, completion_tokens, "
                         "latency_s, finish_reason, created_at) VALUES (?, '', '', '', '[]', '', 'base', '', 'stable', "
                         "'', 0, '{}', 0, 0, 0, 'stop', 0)", [rid])
    store.db.conn.commit()
    store.close()
    latencies: list[float] = []
    lock = threading.Lock()

    def writer(w: int) -> None:
        conn = sqlite3.connect(path, isolation_level=None, timeout=60)  # autocommit: one transaction per INSERT
        conn.execute("PRAGMA synchronous=FULL")
        for i in range(w, signals, clients):
            start = time.perf_counter()
            conn.execute("INSERT INTO signals (response_id, kind, source, idempotency_key, created_at) "
                         "VALUES (?, 'THUMBS_UP', 'client', ?, ?)", [answers[i % len(answers)], f"b-{i}", time.time()])
            with lock:
                latencies.append(time.perf_counter() - start)
        conn.close()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(clients)]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return signals / (time.perf_counter() - start), p99(latencies)


def bench_pair_build(tmp: Path, n_signals: int) -> tuple[int, float]:
    from sqlite_utils import Database

    from loraloop.feedback.pairs import PairBuilder
    from loraloop.feedback.store import FeedbackStore

    path = tmp / "build.sqlite"
    FeedbackStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous=OFF")
    rng = random.Random(0)
    n_answers = n_signals // 4
    per_group = 5
    conn.executemany(
        "INSERT INTO responses (id, conversation_id, user_id, context_hash, messages, text, adapter, domain, version, "
        "arm, route_domain, route_confidence, sampling, prompt_tokens, completion_tokens, latency_s, finish_reason, "
        "created_at) VALUES (?, ?, 'u', ?, ?, ?, 'medical@v1', 'medical', 1, 'stable', 'medical', 1, '{}', 10, 20, "
        "0.1, 'stop', ?)",
        ((f"r{i}", f"c{i}", f"h{i // per_group}", f'[{{"role": "user", "content": "question {i // per_group}"}}]',
          f"answer number {i} with some words in it", i) for i in range(n_answers)))
    kinds = ["THUMBS_UP", "THUMBS_DOWN", "COPY", "SHARE", "FOLLOW_UP", "REGENERATE", "DWELL"]
    conn.executemany(
        "INSERT INTO signals (response_id, kind, dwell_ms, source, created_at) VALUES (?, ?, ?, 'client', ?)",
        ((f"r{rng.randrange(n_answers)}", k, rng.randrange(1, 5000) if k == "DWELL" else None, i)
         for i, k in ((i, rng.choice(kinds)) for i in range(n_signals))))
    conn.commit()
    conn.close()
    db = Database(sqlite3.connect(path))
    start = time.perf_counter()
    report = PairBuilder(db).build()
    elapsed = time.perf_counter() - start
    print(f"  pair build: {report.groups} groups, {report.pairs_added} pairs, {report.labels} labels")
    return n_signals, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--signals", type=int, default=4000)
    parser.add_argument("--build-signals", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_dir:
        tmp = Path(tmp_dir)
        rate, p99_s, answers = asyncio.run(bench_server(tmp, args.clients, args.signals, batch_size=256))
        one_rate, one_p99, _ = asyncio.run(bench_server(tmp, args.clients, args.signals, batch_size=1))
        raw_rate, raw_p99 = bench_baseline(tmp, args.clients, args.signals, answers)
        print(f"\n{args.signals} signals from {args.clients} concurrent clients; {os.cpu_count()} CPUs")
        print(f"  SendFeedback, batching writer:        {rate:8.0f} signals/s, p99 ack {p99_s * 1000:7.1f} ms")
        print(f"  SendFeedback, one commit per signal:  {one_rate:8.0f} signals/s, p99 ack {one_p99 * 1000:7.1f} ms")
        print(f"  ratio batching / one-per-signal throughput = {rate / one_rate:.2f}, p99 = {p99_s / one_p99:.2f}")
        print(f"  (raw autocommit INSERTs, {args.clients} threads, no gRPC: {raw_rate:.0f}/s, p99 {raw_p99 * 1000:.1f} ms)")
        n, elapsed = bench_pair_build(tmp, args.build_signals)
        print(f"  pair build over {n} signals: {elapsed:.1f} s = {n / elapsed:,.0f} signals/s")


if __name__ == "__main__":
    main()
