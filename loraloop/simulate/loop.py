"""The simulation: users play rounds against the real server, the real retrain daemon trains and publishes,
the server's rollout controller canaries the new version, and the run ends with a report.

The daemon runs in-process (`RetrainDaemon.run_once()` in a thread, between rounds): users wait while a job
trains, which keeps a 2-core machine from thrashing and keeps the run reproducible. Everything else is the
production path: gRPC chats with a user id (routed, sticky arms), SendFeedback, the pair builder, the job's
publish + LoadAdapter + canary start, and the server's controller ticks.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.client import LoraloopClient
from loraloop.config import RetrainConfig, RetrainDaemonConfig, SimulateConfig
from loraloop.retrain.outcomes import PUBLISHED
from loraloop.router.rollout_model import ACTIVE_STATUSES, INCONCLUSIVE, PROMOTED, ROLLED_BACK
from loraloop.simulate.prompts import PromptItem, prompt_pools
from loraloop.simulate.report import RolloutRecord, RoundPoint, SimReport, save_chart, version_stats
from loraloop.simulate.sessions import make_users, play_round, request_seed
from loraloop.simulate.users import Preference, parse_preference

__all__ = ["LoopTarget", "Simulation", "build_pairs", "measure_preference"]

log = logging.getLogger(__name__)
# The simulation stops waiting on a rollout once it is promoted, rolled back or held inconclusive.
CONCLUDED = (PROMOTED, ROLLED_BACK, INCONCLUSIVE)
ACTIVE = ACTIVE_STATUSES


@dataclass(frozen=True, kw_only=True)
class LoopTarget:
    """The running system the simulation drives: the server, and the files the daemon shares with it."""

    address: str            # host:port of the gRPC server
    admin_token: str
    db_url: str            # the server's feedback database
    adapter_store: str      # the server's adapter store
    model_dir: str          # the base model the jobs train on
    work_dir: str           # where the run writes its job dirs, locks and report


def build_pairs(db_url: str) -> int:
    """Run the feedback store's pair builder once (the server does not build pairs itself); pairs added."""
    from loraloop.feedback.pairs import PairBuilder

    conn = storage.connect(db_url, busy_timeout_ms=60_000, autocommit=True)
    try:
        return PairBuilder(conn).build().pairs_added
    finally:
        conn.close()


def _pairs_of(db_url: str, domain: str) -> int:
    conn = storage.connect(db_url, busy_timeout_ms=60_000)
    try:
        return conn.execute("SELECT COUNT(*) FROM pairs WHERE domain = ?", [domain]).fetchone()[0]
    finally:
        conn.close()


async def measure_preference(client: LoraloopClient, adapter: str, prompts: tuple[PromptItem, ...],
                             preference: Preference, config: SimulateConfig) -> float:
    """Mean preference score of `adapter`'s answers to the held-out prompts (seeded samples, same seeds per version)."""
    limit = asyncio.Semaphore(config.concurrency)

    async def one(item: PromptItem, k: int) -> float:
        async with limit:
            reply = await client.chat(item.text, adapter=adapter, user_id="sim-eval", max_tokens=config.max_tokens,
                                      temperature=config.temperature, seed=request_seed(config.seed, "eval", item.id, k))
        return preference.score(reply.text)

    scores = await asyncio.gather(*(one(item, k) for item in prompts for k in range(config.eval_samples)))
    return sum(scores) / len(scores)


def _job_record(kind: str, result: Any) -> dict[str, Any]:
    return {"kind": kind, "method": result.method, "outcome": result.outcome, "version": result.version,
            "pairs": result.pairs, "reason": result.reason, "duration_s": result.duration_s,
            "metrics": dict(result.metrics)}


class Simulation:
    """One run: `await Simulation(config, target).run()` returns the report (also written to the work dir)."""

    def __init__(self, config: SimulateConfig, target: LoopTarget, *, say: Callable[[str], None] = log.info):
        self.config, self.target, self.say = config, target, say
        self.preference = parse_preference(config.preference)
        self.pools = prompt_pools(config.domain, eval_share=config.eval_share, seed=config.seed)
        self.users = make_users(config)
        self.work = Path(target.work_dir)
        self.retrain_config = RetrainConfig(
            db_url=target.db_url, adapter_store=target.adapter_store, model=target.model_dir,
            work_dir=str(self.work / "jobs"), min_pairs_dpo=config.min_pairs, min_pairs_reward=config.min_pairs,
            min_pairs_sft=max(1, config.min_pairs // 2), min_pairs_ppo=max(1, config.min_pairs // 2), seed=config.seed,
            max_steps=config.train_max_steps, max_perplexity_increase=config.max_perplexity_increase,
            dpo_learning_rate=config.train_learning_rate, sft_learning_rate=config.train_learning_rate,
            beta=config.train_beta,
            server_target=target.address, admin_token=target.admin_token, start_canary=True,
            canary_schedule=config.canary_schedule, canary_min_rated_per_step=config.canary_min_rated_per_step)
        self.answers: list[dict[str, Any]] = []
        self.timeline: list[RoundPoint] = []
        self.rollouts: dict[str, tuple[str, Any]] = {}   # rollout id -> (kind, latest pb.Rollout)
        self.jobs: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.events = 0
        self.round = 0
        self.started = time.time()
        self.promotion: tuple[int, int] | None = None   # (events, answers) when the first promotion was seen

    # -- the pieces ------------------------------------------------------------------------------

    def _daemon(self):
        from loraloop.retrain.daemon import RetrainDaemon

        daemon_config = RetrainDaemonConfig(
            domains=(self.config.domain,), method=self.config.method, min_new_pairs=self.config.min_pairs,
            schedule_interval_s=0.0, retrain_on_drift=False, poll_interval_s=1.0, failure_cooldown_s=0.0,
            state_dir=str(self.work / "retrain-state"), metrics_port=-1)
        return RetrainDaemon(daemon_config, self.retrain_config)

    async def _serving_version(self, client: LoraloopClient) -> int:
        active = [a.version for a in await client.list_adapters() if a.domain == self.config.domain and a.active]
        if not active:
            raise ValueError(f"domain={self.config.domain!r}: the server has no active adapter for it")
        return active[0]

    async def _latest_rollout(self, client: LoraloopClient):
        rollouts = await client.get_rollout(self.config.domain, events=50)
        return rollouts[0] if rollouts else None

    async def _ensure_canary(self, client: LoraloopClient, version: int, schedule: tuple[float, ...],
                             min_rated: int, why: str):
        """The job starts the canary itself (RetrainConfig.start_canary); start it here only if it did not."""
        rollout = await self._latest_rollout(client)
        if rollout is not None and rollout.canary_version == version and rollout.status in ACTIVE:
            return rollout
        self.notes.append(f"the job did not start the canary of v{version}; started by the simulation")
        return await client.set_rollout(self.config.domain, "start", canary_version=version, schedule=list(schedule),
                                        min_rated_per_step=min_rated, reason=why)

    async def _play(self, client: LoraloopClient, phase: str) -> Any:
        result = await play_round(client, self.config, self.preference, self.users, self.pools.pool, self.round, phase)
        self.answers += result.answers
        self.events += result.events
        if result.errors:
            self.notes.append(f"round {self.round}: failed calls {result.errors}")
        await asyncio.to_thread(build_pairs, self.target.db_url)
        rollout = await self._latest_rollout(client)
        if rollout is not None and rollout.id in self.rollouts:
            self.rollouts[rollout.id] = (self.rollouts[rollout.id][0], rollout)
        if rollout is not None and rollout.status == PROMOTED and self.promotion is None and \
                self.rollouts.get(rollout.id, ("",))[0] == "retrain":
            self.promotion = (self.events, len(self.answers))
        thumbs = {v.adapter: (v.thumbs_up, v.rated) for v in version_stats(result.answers)}
        active = rollout is not None and rollout.status in ACTIVE
        self.timeline.append(RoundPoint(round=self.round, phase=phase, elapsed_s=time.time() - self.started,
                                        answers_total=len(self.answers), events_total=self.events, thumbs=thumbs,
                                        canary_weight=rollout.weight if active else 0.0,
                                        rollout_status=rollout.status if rollout else ""))
        ups = sum(u for u, _ in thumbs.values())
        rated = sum(r for _, r in thumbs.values())
        self.say(f"round {self.round} ({phase}): {len(result.answers)} answers, {ups}/{rated} thumbs up; "
                 + (f"rollout {rollout.status} at {rollout.weight:g}%" if rollout else "no rollout"))
        self.round += 1
        return rollout

    async def _until_concluded(self, client: LoraloopClient, rollout_id: str, phase: str, budget: int) -> Any:
        """Play rounds until the rollout concludes (or `budget` rounds), then `post_rounds` more."""
        rollout = None
        for _ in range(budget):
            rollout = await self._play(client, phase)
            if rollout is not None and rollout.id == rollout_id and rollout.status in CONCLUDED:
                break
        else:
            self.notes.append(f"rollout {rollout_id} not concluded within {budget} rounds")
        for _ in range(self.config.post_rounds):
            await self._play(client, "after")
        return rollout

    # -- the phases ------------------------------------------------------------------------------

    async def _retrain_phase(self, client: LoraloopClient) -> None:
        daemon = self._daemon()
        from loraloop.retrain.jobs import pending_pairs

        last_try = -1
        for _ in range(self.config.max_rounds):
            await self._play(client, "collect")
            pending = await asyncio.to_thread(pending_pairs, self.retrain_config, self.config.domain)
            # After a run that did not publish, wait for half a minimum of new pairs before the daemon looks again.
            if pending < self.config.min_pairs or (last_try >= 0 and pending < last_try + self.config.min_pairs // 2):
                continue
            last_try = pending
            self.say(f"{pending} new pairs: the retrain daemon looks at its triggers")
            results = await asyncio.to_thread(daemon.run_once)
            self.jobs += [_job_record("retrain", r) for r in results]
            for r in results:
                self.say(f"retrain job: {r.outcome}: {r.reason}")
            published = [r.version for r in results if r.outcome == PUBLISHED]
            if published:
                rollout = await self._ensure_canary(client, published[-1], self.config.canary_schedule,
                                                    self.config.canary_min_rated_per_step, "simulate: retrained")
                self.rollouts[rollout.id] = ("retrain", rollout)
                used = self.round
                await self._until_concluded(client, rollout.id, "canary", max(1, self.config.max_rounds - used))
                return
        self.notes.append(f"no version published within {self.config.max_rounds} rounds")

    async def _sabotage_phase(self, client: LoraloopClient) -> None:
        from loraloop.retrain.jobs import run_job
        from loraloop.simulate.sabotage import SABOTAGE_METHOD, sabotage_config, sabotage_feedback

        current = await self._latest_rollout(client)
        if current is not None and current.status in ACTIVE:
            self.notes.append(f"sabotage skipped: rollout {current.id} is still {current.status}")
            return
        stable = await self._serving_version(client)
        kind = self.config.sabotage_kind
        scratch = self.work / "sabotage" / f"{kind}.sqlite"
        scratch.parent.mkdir(parents=True, exist_ok=True)
        rows = await asyncio.to_thread(sabotage_feedback, kind, self.target.db_url, scratch, self.config.domain,
                                       self.retrain_config.guard_files)
        self.say(f"sabotage ({kind}): SFT on {rows} rows, from v{stable}")
        config = sabotage_config(self.retrain_config, self.config, scratch, stable)
        result = await asyncio.to_thread(run_job, self.config.domain, SABOTAGE_METHOD, config)
        self.jobs.append(_job_record("sabotage", result))
        self.say(f"sabotage job: {result.outcome}: {result.reason}")
        if result.outcome != PUBLISHED:
            self.notes.append(f"sabotage version not published: {result.reason}")
            return
        rollout = await self._ensure_canary(client, result.version, self.config.sabotage_schedule,
                                            self.config.sabotage_min_rated_per_step, "simulate: sabotage")
        self.rollouts[rollout.id] = ("sabotage", rollout)
        await self._until_concluded(client, rollout.id, "sabotage", self.config.max_rounds)

    async def run(self) -> SimReport:
        """Play the configured phases, measure the versions on held-out prompts, write the report and chart."""
        self.work.mkdir(parents=True, exist_ok=True)
        async with LoraloopClient(self.target.address, admin_token=self.target.admin_token, timeout=600.0) as client:
            initial = await self._serving_version(client)
            if self.config.retrain:
                await self._retrain_phase(client)
            if self.config.sabotage:
                await self._sabotage_phase(client)
            if not self.config.retrain and not self.config.sabotage:
                for _ in range(self.config.max_rounds):
                    await self._play(client, "collect")
            final = await self._serving_version(client)
            versions = sorted({initial, final, *(j["version"] for j in self.jobs if j["version"])})
            self.say(f"measuring {', '.join(f'v{v}' for v in versions)} on {len(self.pools.evaluation)} held-out prompts")
            scores = {f"{self.config.domain}@v{v}": await measure_preference(
                client, f"{self.config.domain}@v{v}", self.pools.evaluation, self.preference, self.config)
                for v in versions}
        return self._report(initial, final, scores)

    def _report(self, initial: int, final: int, scores: dict[str, float]) -> SimReport:
        records = []
        for rollout_id, (kind, r) in self.rollouts.items():
            served = [a for a in self.answers if a["adapter"] == f"{self.config.domain}@v{r.canary_version}"]
            events = sorted(({"decision": e.decision, "from_weight": e.from_weight, "to_weight": e.to_weight,
                              "reason": e.reason, "created_at": e.created_at} for e in r.events),
                            key=lambda e: e["created_at"])
            records.append(RolloutRecord(id=rollout_id, kind=kind, stable_version=r.stable_version,
                                         canary_version=r.canary_version, status=r.status,
                                         schedule=tuple(r.schedule), events=tuple(events),
                                         canary_users=len({a["user"] for a in served}), canary_answers=len(served)))
        report = SimReport(
            config={**dataclasses.asdict(self.config), "_started_at": self.started}, domain=self.config.domain,
            preference=self.preference.name, initial_version=initial, final_version=final,
            wall_s=time.time() - self.started, rounds=self.round, versions=version_stats(self.answers),
            timeline=self.timeline, rollouts=records, jobs=self.jobs,
            pairs_total=_pairs_of(self.target.db_url, self.config.domain), eval_scores=scores,
            eval_prompts=len(self.pools.evaluation),
            events_until_promotion=self.promotion[0] if self.promotion else None,
            answers_until_promotion=self.promotion[1] if self.promotion else None, notes=self.notes)
        report.chart = str(save_chart(report, self.work / "simulate.png"))
        from loraloop.simulate.report import format_report

        (self.work / "report.txt").write_text(format_report(report) + "\n")
        (self.work / "report.json").write_text(report.to_json() + "\n")
        return report
