"""Where a simulation runs: its own server on a copy of the demo store (the default), or an attached one."""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from loraloop.config import DemoConfig, FeedbackConfig, RolloutConfig, RouterConfig, ServeConfig, SimulateConfig, default_home
from loraloop.simulate.loop import LoopTarget, Simulation
from loraloop.simulate.report import SimReport

__all__ = ["FAST_PROFILE", "FAST_ROLLOUT", "profile", "run_attached", "run_with_own_server", "work_dir_for"]

# --fast: a CI-sized run on 2 cores - short answers, more of them rated, a short schedule. 96 users rate about
# 50 answers a round: enough for the sequential test to call a ~5-point better canary "not worse" within a
# 10-point margin after ~10 rounds at 50 % (a 5-point margin needs ~600 rated per arm: the full profile).
FAST_PROFILE: dict[str, Any] = dict(users=96, max_rounds=40, post_rounds=2, max_tokens=48, rate_prob=0.4,
                                    min_pairs=800, canary_schedule=(25.0, 50.0, 100.0), canary_min_rated_per_step=15,
                                    eval_share=0.4, eval_samples=8, sabotage_min_rated_per_step=60)
# The server's rollout rules under --fast: looks twice a second, guardrails armed after a small sample, the
# test's margin and mixing prior sized to the fast sample (see above), and a bound on an undecided last step.
FAST_ROLLOUT: dict[str, Any] = dict(tick_interval_s=0.5, min_rated_per_step=15, guardrail_min_answers=60,
                                    test_min_rated=20, min_thumbs_down=8, min_regenerates=5,
                                    non_inferiority_margin=0.1, mixing_tau=0.1, max_rated_at_last_step=400)


def profile(fast: bool, given: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """Config values: the profile's defaults (when fast), overridden by the flags the user gave."""
    return {**(defaults if fast else {}), **given}


def work_dir_for(config: SimulateConfig) -> Path:
    """The run folder: the configured one, else <home>/simulate/<UTC time>."""
    if config.work_dir:
        return Path(config.work_dir)
    return default_home() / "simulate" / dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


async def run_attached(config: SimulateConfig, target: LoopTarget, *, say: Callable[[str], None] = print) -> SimReport:
    """Drive a server that is already running (its feedback database and adapter store given in `target`)."""
    return await Simulation(config, target, say=say).run()


async def run_with_own_server(config: SimulateConfig, rollout: RolloutConfig, *, demo: DemoConfig | None = None,
                              say: Callable[[str], None] = print) -> SimReport:
    """Start a server on a fresh copy of the demo store and database in the run folder, simulate, stop it."""
    from loraloop.demo import build_demo
    from loraloop.serve.server import create_server

    work = work_dir_for(config)
    if work.exists() and any(work.iterdir()):
        raise ValueError(f"work_dir={str(work)!r}: exists and is not empty; name a new folder")
    work.mkdir(parents=True, exist_ok=True)
    built = build_demo(demo or DemoConfig())
    store = work / "adapters"
    shutil.copytree(built.adapter_store, store)
    token = secrets.token_urlsafe(24)
    serve = ServeConfig(model=str(built.model_dir), adapter_store=str(store), port=0, metrics_port=-1, http_port=-1, admin_token=token,
                        state_dir=str(work / "state"), max_concurrent_requests=max(16, 2 * config.concurrency))
    feedback = FeedbackConfig(db_url=str(work / "feedback.sqlite"), drift_interval_s=0)
    say(f"starting a server on a copy of the demo store in {work}")
    running = await create_server(serve, feedback_config=feedback,
                                  router_config=RouterConfig(path=str(work / "router" / "router.joblib")),
                                  rollout_config=rollout)
    try:
        target = LoopTarget(address=f"127.0.0.1:{running.port}", admin_token=token, db_url=feedback.db_url,
                            adapter_store=str(store), model_dir=str(built.model_dir), work_dir=str(work))
        return await Simulation(dataclasses.replace(config, work_dir=str(work)), target, say=say).run()
    finally:
        await running.stop(grace=2.0)
