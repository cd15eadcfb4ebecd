"""The loop, end to end on the demo model: how many feedback events until a retrained version is promoted, and
what it does to the users' thumbs-up rate, against the same users on v1 alone, measured in the same run.

Two runs, each on its own server started on a fresh copy of the demo store (the full, non-fast profile):
  loop        simulated users -> feedback -> the real retrain daemon (DPO) -> canary -> promotion
  baseline    the same users (same seed, same number of rounds), no retraining: v1 answers throughout

Printed: feedback events (and answers) until promotion, wall time of each run, and the thumbs-up rate among
rated answers before the canary started and over the rounds after it concluded, for both runs over the same
rounds, with 95 % Wilson intervals. The loop run's full report and chart stay in its work dir.

Usage: flock /tmp/loraloop-heavy.lock python bench/loop.py [--preference concise] [--users 160] [--seed 0]
       [--max-rounds 60] [--tick 2] [--work-dir DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import logging
import time
from pathlib import Path

from loraloop.config import RolloutConfig, SimulateConfig, default_home
from loraloop.simulate.harness import run_with_own_server
from loraloop.simulate.report import SimReport, format_report, wilson_interval


def _rate(report: SimReport, rounds: range) -> tuple[int, int]:
    up = rated = 0
    for point in report.timeline:
        if point.round in rounds:
            for adapter, (u, r) in point.thumbs.items():
                if adapter.startswith(report.domain + "@"):
                    up, rated = up + u, rated + r
    return up, rated


def _line(name: str, up: int, rated: int) -> str:
    if not rated:
        return f"  {name:<28} n/a"
    low, high = wilson_interval(up, rated)
    return f"  {name:<28} {100 * up / rated:5.1f}%  [{100 * low:4.1f}, {100 * high:4.1f}]  ({up}/{rated} rated)"


async def main(args: argparse.Namespace) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    root = Path(args.work_dir) if args.work_dir else default_home() / "bench-loop" / stamp
    config = SimulateConfig(preference=args.preference, users=args.users, seed=args.seed, max_rounds=args.max_rounds,
                            work_dir=str(root / "loop"))
    rollout = RolloutConfig(tick_interval_s=args.tick)
    started = time.perf_counter()
    loop = await run_with_own_server(config, rollout)
    loop_wall = time.perf_counter() - started
    baseline_config = dataclasses.replace(config, retrain=False, max_rounds=loop.rounds, work_dir=str(root / "baseline"))
    started = time.perf_counter()
    baseline = await run_with_own_server(baseline_config, rollout)
    baseline_wall = time.perf_counter() - started

    print(format_report(loop))
    canary_start = next((p.round for p in loop.timeline if p.phase != "collect"), loop.rounds)
    after_start = next((p.round for p in loop.timeline if p.phase == "after"), loop.rounds)
    before, after = range(0, canary_start), range(after_start, loop.rounds)
    print(f"\n== bench/loop.py: preference {args.preference}, {args.users} users, seed {args.seed} ==")
    print(f"feedback events until promotion: {loop.events_until_promotion} "
          f"({loop.answers_until_promotion} answers)" if loop.events_until_promotion is not None
          else "feedback events until promotion: not promoted in this run")
    print(f"wall time: loop {loop_wall:.0f} s, baseline {baseline_wall:.0f} s (each includes its server start)")
    print(f"thumbs-up rate, rounds {before.start}-{before.stop - 1} (before the canary) and "
          f"{after.start}-{after.stop - 1} (after it concluded):")
    for name, report in (("loop", loop), ("baseline (v1 only)", baseline)):
        print(_line(f"{name} before", *_rate(report, before)))
        print(_line(f"{name} after", *_rate(report, after)))
    print(f"held-out preference score: loop {loop.eval_scores}, baseline {baseline.eval_scores}")
    print(f"chart: {loop.chart}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--preference", default="concise")
    parser.add_argument("--users", type=int, default=160)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-rounds", type=int, default=60)
    parser.add_argument("--tick", type=float, default=2.0, help="rollout controller tick in seconds")
    parser.add_argument("--work-dir", default="")
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(main(parser.parse_args()))
