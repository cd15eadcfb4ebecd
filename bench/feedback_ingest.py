"""Feedback ingest: unary SendFeedback and SendFeedbackBatch on the real server, against the gRPC ceiling.

Every client runs in its own process (multiprocessing, spawn), `--concurrency` calls in flight each, so the
server's process has the CPU a real deployment gives it. In one run:
(0) the ceiling: a trivial grpc.aio server in this process whose Chat.SendFeedback handler returns an empty
    FeedbackAck at once (and, for scale, whose SendFeedbackBatch returns one empty result per signal);
(1) unary `SendFeedback` on the real server (demo model, the default FeedbackConfig, synchronous=FULL):
    signals/s and p99 ack latency; the ratio unary / ceiling (goal >= 0.8);
(2) `SendFeedbackBatch` with `--batch` signals per call: signals/s (goal >= 20,000) and p99 ack latency per call;
(3) for scale: raw autocommitted INSERTs from threads, no gRPC;
(4) pair build rate: `PairBuilder.build()` over a synthetic store of `--build-signals` signals (0 skips it).
(1), (2) and (4) run once per backend in `--backends` (default: sqlite and postgres; Postgres is a throwaway
cluster from Debian's package unless `--postgres-url` names one) and print side by side, with the ratio.
Both servers run side by side and (0)-(2) alternate for `--rounds` rounds, so a burst of load from elsewhere on
a shared machine hits both sides of a ratio; the medians are reported, and each round's ratio. Every signal
carries a unique idempotency key, as a retrying client sends; the stored row count is checked.

Usage: python bench/feedback_ingest.py [--rounds 3] [--procs 2] [--concurrency 16] [--signals 6000] [--batch 500]
           [--batch-concurrency 4] [--batch-signals 100000] [--build-signals 1000000] [--backends sqlite,postgres]
           [--postgres-url postgresql://…]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import multiprocessing as mp
import os
import sqlite3
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

KINDS = ("THUMBS_UP", "THUMBS_DOWN", "COPY", "SHARE")


def quantile(latencies: list[float], q: float) -> float:
    ordered = sorted(latencies)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def p99(latencies: list[float]) -> float:
    return quantile(latencies, 0.99)


@dataclass(frozen=True)
class Job:
    """What one client process sends: its share of the signals, `batch` per call (0 = unary SendFeedback)."""

    target: str
    answers: tuple[str, ...]
    indices: tuple[int, ...]
    batch: int
    concurrency: int
    tag: str


@dataclass
class Measured:
    """Signals/s over the whole run (first start to last end across processes), p50 and p99 per call, refusals."""

    signals: int
    seconds: float
    p50_s: float
    p99_s: float
    refused: int

    @property
    def rate(self) -> float:
        return self.signals / self.seconds


def _client_process(job: Job, barrier, out) -> None:
    """A client process: connect, warm up, wait for the others, send its share, report timings."""
    asyncio.run(_client(job, barrier, out))


async def _client(job: Job, barrier, out) -> None:
    import grpc

    from loraloop.v1 import loraloop_pb2 as pb
    from loraloop.v1 import loraloop_pb2_grpc as pb_grpc

    def feedback(i: int) -> pb.Feedback:
        return pb.Feedback(response_id=job.answers[i % len(job.answers)], kind=pb.FeedbackKind.Value(KINDS[i % 4]),
                           idempotency_key=f"{job.tag}-{i}")

    async with grpc.aio.insecure_channel(job.target) as channel:
        stub = pb_grpc.ChatStub(channel)
        await channel.channel_ready()
        calls = ([job.indices[k:k + job.batch] for k in range(0, len(job.indices), job.batch)] if job.batch
                 else [(i,) for i in job.indices])
        await stub.SendFeedback(pb.Feedback(response_id=job.answers[0], kind=pb.COPY))  # warm-up, not counted
        latencies: list[float] = []
        refused = 0
        pending = iter(calls)

        async def worker() -> None:
            nonlocal refused
            for call in pending:
                start = time.perf_counter()
                if job.batch:
                    ack = await stub.SendFeedbackBatch(pb.FeedbackBatch(signals=[feedback(i) for i in call]))
                    refused += sum(r.WhichOneof("result") != "ack" for r in ack.results)
                else:
                    await stub.SendFeedback(feedback(call[0]))
                latencies.append(time.perf_counter() - start)

        await asyncio.to_thread(barrier.wait)
        began = time.monotonic()  # CLOCK_MONOTONIC: one clock for every process on the machine
        await asyncio.gather(*(worker() for _ in range(job.concurrency)))
        out.put((began, time.monotonic(), latencies, refused))


async def run_clients(target: str, answers: list[str], *, signals: int, procs: int, concurrency: int, batch: int,
                      tag: str) -> Measured:
    """Start `procs` client processes on `target`, wait for them, and merge what they measured."""
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(procs), ctx.Queue()
    jobs = [Job(target, tuple(answers), tuple(range(p, signals, procs)), batch, concurrency, f"{tag}-p{p}")
            for p in range(procs)]
    workers = [ctx.Process(target=_client_process, args=(job, barrier, out)) for job in jobs]
    for w in workers:
        w.start()
    reports = [await asyncio.to_thread(out.get) for _ in workers]
    for w in workers:
        await asyncio.to_thread(w.join)
        if w.exitcode:
            raise RuntimeError(f"a client process exited {w.exitcode}")
    seconds = max(r[1] for r in reports) - min(r[0] for r in reports)
    latencies = [x for r in reports for x in r[2]]
    return Measured(signals=signals, seconds=seconds, p50_s=quantile(latencies, 0.5), p99_s=p99(latencies),
                    refused=sum(r[3] for r in reports))


class EmptyChat:
    """A trivial grpc.aio server whose feedback handlers answer at once: the ceiling of grpc.aio and the clients."""

    async def __aenter__(self) -> str:
        import grpc

        from loraloop.v1 import loraloop_pb2 as pb
        from loraloop.v1 import loraloop_pb2_grpc as pb_grpc

        class Empty(pb_grpc.ChatServicer):
            async def SendFeedback(self, request, context):
                return pb.FeedbackAck()

            async def SendFeedbackBatch(self, request, context):
                return pb.FeedbackBatchAck(results=[pb.FeedbackResult(ack=pb.FeedbackAck())] * len(request.signals))

        self._server = grpc.aio.server()
        pb_grpc.add_ChatServicer_to_server(Empty(), self._server)
        port = self._server.add_insecure_port("127.0.0.1:0")
        await self._server.start()
        return f"127.0.0.1:{port}"

    async def __aexit__(self, *exc: object) -> None:
        await self._server.stop(None)


async def bench_grpc(tmp: Path, args: argparse.Namespace, db_url: str) -> tuple[dict[str, list[Measured]], list[str], int]:
    """The empty server and the real one (demo model, its database at `db_url`), side by side; the four
    measurements, `rounds` times each."""
    from loraloop.client import LoraloopClient
    from loraloop.config import DemoConfig, FeedbackConfig, ServeConfig
    from loraloop.demo import build_demo
    from loraloop.serve.server import create_server

    demo = build_demo(DemoConfig())
    config = ServeConfig(model=str(demo.model_dir), adapter_store=str(demo.adapter_store), port=0,
                         metrics_port=-1, http_port=-1, admin_token="bench")
    feedback = FeedbackConfig(db_url=db_url, drift_interval_s=0)
    running = await create_server(config, feedback_config=feedback)
    measured: dict[str, list[Measured]] = {"ceiling": [], "unary": [], "ceiling_batch": [], "batch": []}
    try:
        async with LoraloopClient(f"127.0.0.1:{running.port}") as client:
            answers = [(await client.chat(f"question {i}", adapter="medical", temperature=0.0, max_tokens=4)).response_id
                       for i in range(32)]
        real = f"127.0.0.1:{running.port}"
        async with EmptyChat() as empty:
            for r in range(args.rounds):
                for name, target, batch, signals, concurrency in (
                        ("ceiling", empty, 0, args.signals, args.concurrency),
                        ("unary", real, 0, args.signals, args.concurrency),
                        ("ceiling_batch", empty, args.batch, args.batch_signals, args.batch_concurrency),
                        ("batch", real, args.batch, args.batch_signals, args.batch_concurrency)):
                    measured[name].append(await run_clients(target, answers, signals=signals, procs=args.procs,
                                                            concurrency=concurrency, batch=batch, tag=f"{name}-r{r}"))
    finally:
        await running.stop(grace=1.0)
    from loraloop import storage

    conn = storage.connect(db_url)
    stored = conn.execute("SELECT COUNT(*) FROM signals WHERE source = 'client'").fetchone()[0]
    conn.close()
    return measured, answers, stored


def bench_baseline(tmp: Path, clients: int, signals: int, answers: list[str]) -> tuple[float, float]:
    from loraloop.feedback.store import FeedbackStore

    path = tmp / "baseline.sqlite"
    store = FeedbackStore(path)
    for rid in answers:  # the same answers exist, so foreign keys hold as in the server
        store.db.execute("INSERT INTO responses (id, conversation_id, user_id, context_hash, messages, text, adapter, "
                         "domain, arm, route_domain, route_confidence, sampling, prompt_tokens, completion_tokens, "
                         "latency_s, finish_reason, created_at) VALUES (?, '', '', '', '[]', '', 'base', '', 'stable', "
                         "'', 0, '{}', 0, 0, 0, 'stop', 0)", [rid])
    store.db.commit()
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


def bench_pair_build(db_url: str, n_signals: int) -> tuple[int, float]:
    from loraloop import storage
    from loraloop.feedback.pairs import PairBuilder
    from loraloop.feedback.synthetic import fill_synthetic_store

    fill_synthetic_store(db_url, n_signals)
    conn = storage.connect(db_url, autocommit=True)
    start = time.perf_counter()
    report = PairBuilder(conn).build()
    elapsed = time.perf_counter() - start
    print(f"  pair build: {report.groups} groups, {report.pairs_added} pairs, {report.labels} labels")
    return n_signals, elapsed


def median(runs: list[Measured]) -> Measured:
    """The run with the median rate (its latencies come with it)."""
    return sorted(runs, key=lambda m: m.rate)[len(runs) // 2]


def _line(name: str, runs: list[Measured], per: str) -> str:
    m = median(runs)
    refused = sum(r.refused for r in runs)
    rates = ", ".join(f"{r.rate:,.0f}" for r in runs)
    return (f"  {name:<42} {m.rate:9,.0f} signals/s, ack p50 {m.p50_s * 1000:6.1f} ms, p99 {m.p99_s * 1000:6.1f} ms "
            f"per {per}  (rounds: {rates}){f', {refused} refused' if refused else ''}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="times each of the four gRPC measurements runs")
    parser.add_argument("--procs", type=int, default=2, help="client processes")
    parser.add_argument("--concurrency", type=int, default=16, help="unary calls in flight per client process")
    parser.add_argument("--signals", type=int, default=6_000, help="signals sent one per call, per round")
    parser.add_argument("--batch", type=int, default=500, help="signals per SendFeedbackBatch call")
    parser.add_argument("--batch-concurrency", type=int, default=4, help="batch calls in flight per client process")
    parser.add_argument("--batch-signals", type=int, default=100_000, help="signals sent in batches, per round")
    parser.add_argument("--build-signals", type=int, default=1_000_000, help="synthetic signals for the pair build")
    parser.add_argument("--backends", default="sqlite,postgres", help="databases to run (1), (2) and (4) on")
    parser.add_argument("--postgres-url", default="", help="an existing Postgres database (default: a throwaway cluster)")
    args = parser.parse_args()
    backends = [b for b in args.backends.split(",") if b]
    if set(backends) - {"sqlite", "postgres"} or not backends:
        parser.error(f"--backends={args.backends!r}: expected sqlite and/or postgres")
    with tempfile.TemporaryDirectory() as tmp_dir, _databases(Path(tmp_dir), backends, args.postgres_url) as urls:
        tmp = Path(tmp_dir)
        results = {}
        for backend in backends:
            print(f"\n== {backend}", flush=True)
            measured, answers, stored = asyncio.run(bench_grpc(tmp, args, urls[backend]["server"]))
            build = bench_pair_build(urls[backend]["build"], args.build_signals) if args.build_signals else None
            results[backend] = (measured, stored, build)
        raw_rate, raw_p99 = bench_baseline(tmp, args.concurrency, args.signals, answers)
        print(f"\n{os.cpu_count()} CPUs; {args.rounds} rounds; {args.procs} client processes; unary: {args.signals} "
              f"signals, {args.concurrency} calls in flight per process; batch: {args.batch_signals} signals in calls "
              f"of {args.batch}, {args.batch_concurrency} in flight per process; medians of the rounds")
        expected = args.rounds * (args.signals + args.batch_signals + 2 * args.procs)  # + a warm-up per process
        for backend, (measured, stored, build) in results.items():
            print(f"-- {backend}")
            print(_line("ceiling: empty SendFeedback handler", measured["ceiling"], "call"))
            print(_line("SendFeedback (real server, durable)", measured["unary"], "call"))
            print(_line("for scale: empty SendFeedbackBatch handler", measured["ceiling_batch"], f"call of {args.batch}"))
            print(_line("SendFeedbackBatch (real server, durable)", measured["batch"], f"call of {args.batch}"))
            ceiling, unary, batch = (median(measured[k]).rate for k in ("ceiling", "unary", "batch"))
            per_round = ", ".join(f"{u.rate / c.rate:.2f}" for u, c in zip(measured["unary"], measured["ceiling"]))
            print(f"  ratio unary / ceiling = {unary / ceiling:.2f} (goal >= 0.8; per round: {per_round})")
            print(f"  batch = {batch:,.0f} signals/s = {batch / 20_000:.2f} x the 20,000/s goal, "
                  f"{batch / unary:.1f} x unary")
            print(f"  stored client signals: {stored:,} (sent {expected:,}){'' if stored == expected else '  MISMATCH'}")
            if build:
                n, elapsed = build
                print(f"  pair build over {n} signals: {elapsed:.1f} s = {n / elapsed:,.0f} signals/s")
        if len(results) == 2:
            (sq, _, sq_build), (pg, _, pg_build) = results["sqlite"], results["postgres"]
            side = [f"{name} {median(pg[k]).rate / median(sq[k]).rate:.2f}" for name, k in
                    (("unary", "unary"), ("batch", "batch"))]
            if sq_build and pg_build:
                side.append(f"pair build {sq_build[1] / pg_build[1]:.2f}")
            print(f"-- postgres / sqlite (rates; > 1 = Postgres faster): {', '.join(side)}")
        print(f"  (raw autocommit SQLite INSERTs, {args.concurrency} threads, no gRPC: {raw_rate:.0f}/s, "
              f"p99 {raw_p99 * 1000:.1f} ms)")


@contextlib.contextmanager
def _databases(tmp: Path, backends: list[str], postgres_url: str):
    """Per backend, a fresh database for the server and one for the pair build."""
    urls = {}
    cluster = None
    if "sqlite" in backends:
        urls["sqlite"] = {"server": str(tmp / "server.sqlite"), "build": str(tmp / "build.sqlite")}
    if "postgres" in backends:
        if postgres_url:
            urls["postgres"] = {"server": postgres_url, "build": postgres_url}
        else:
            sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
            from tests.postgres import PostgresCluster  # a throwaway cluster, as the tests start one

            cluster = PostgresCluster().start()
            urls["postgres"] = {"server": cluster.new_database(), "build": cluster.new_database()}
    try:
        yield urls
    finally:
        if cluster is not None:
            from loraloop.storage.postgres import close_pools

            close_pools()
            cluster.stop()

if __name__ == "__main__":
    main()
