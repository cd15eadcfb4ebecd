"""The run's report: thumbs-up rate per version with Wilson intervals, the rollout timeline, pairs, a PNG chart."""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["RolloutRecord", "RoundPoint", "SimReport", "VersionStats", "format_report", "save_chart",
           "version_stats", "wilson_interval"]


def wilson_interval(successes: int, trials: int, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); (0, 1) without trials."""
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"successes={successes}, trials={trials}: expected 0 <= successes <= trials")
    if trials == 0:
        return 0.0, 1.0
    p = successes / trials
    z2 = z * z
    center = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    return max(0.0, center - half), min(1.0, center + half)


@dataclass(frozen=True, kw_only=True)
class VersionStats:
    """What the users did with one adapter version's answers."""

    adapter: str           # "finance@v2", or "base" / another domain when the router sent a user elsewhere
    answers: int
    users: int             # distinct users who got at least one answer from it
    rated: int
    thumbs_up: int
    mean_score: float      # mean hidden preference score of its answers (what users felt, without noise)

    @property
    def thumbs_up_rate(self) -> float | None:
        """Thumbs-up share of rated answers."""
        return self.thumbs_up / self.rated if self.rated else None

    @property
    def interval(self) -> tuple[float, float]:
        """95 % Wilson interval of the thumbs-up rate."""
        return wilson_interval(self.thumbs_up, self.rated)


def version_stats(answers: list[dict[str, Any]]) -> list[VersionStats]:
    """Per adapter version, from answer records with keys adapter, user, thumbs (+1/-1/0) and score."""
    by: dict[str, list[dict[str, Any]]] = {}
    for a in answers:
        by.setdefault(a["adapter"], []).append(a)
    out = []
    for adapter, rows in sorted(by.items()):
        rated = [r for r in rows if r["thumbs"]]
        out.append(VersionStats(adapter=adapter, answers=len(rows), users=len({r["user"] for r in rows}),
                                rated=len(rated), thumbs_up=sum(r["thumbs"] > 0 for r in rated),
                                mean_score=sum(r["score"] for r in rows) / len(rows)))
    return out


@dataclass(frozen=True, kw_only=True)
class RoundPoint:
    """The state after one round: counts so far, this round's thumbs by version, the canary's weight."""

    round: int
    phase: str                     # collect | canary | after | sabotage
    elapsed_s: float
    answers_total: int
    events_total: int              # feedback events sent so far (thumbs, copy, dwell, regenerate, follow-up)
    thumbs: dict[str, tuple[int, int]]   # adapter -> (thumbs up, rated) in this round
    canary_weight: float           # percent of users on the canary after the round (0 without an active one)
    rollout_status: str            # of the domain's latest rollout, "" when none


@dataclass(frozen=True, kw_only=True)
class RolloutRecord:
    """One rollout as GetRollout last showed it, with its transitions oldest first."""

    id: str
    kind: str                      # retrain | sabotage
    stable_version: int
    canary_version: int
    status: str
    schedule: tuple[float, ...]
    events: tuple[dict[str, Any], ...]   # decision, from_weight, to_weight, reason, created_at
    canary_users: int = 0          # distinct simulated users served the canary version
    canary_answers: int = 0


@dataclass(kw_only=True)
class SimReport:
    """Everything one simulation run measured."""

    config: dict[str, Any]
    domain: str
    preference: str
    initial_version: int
    final_version: int
    wall_s: float
    rounds: int
    versions: list[VersionStats]
    timeline: list[RoundPoint]
    rollouts: list[RolloutRecord]
    jobs: list[dict[str, Any]]             # each retrain/sabotage job: outcome, version, pairs, reason, duration
    pairs_total: int                       # preference pairs of the domain in the store at the end
    eval_scores: dict[str, float]          # adapter -> mean preference score on the held-out evaluation prompts
    eval_prompts: int
    events_until_promotion: int | None     # feedback events sent before the first promotion, None without one
    answers_until_promotion: int | None
    notes: list[str] = field(default_factory=list)
    chart: str = ""

    def stats(self, adapter: str) -> VersionStats | None:
        """The stats of one adapter ref, if it served any answer."""
        return next((v for v in self.versions if v.adapter == adapter), None)

    def to_json(self) -> str:
        """The report as JSON (the per-version rates and intervals included)."""
        data = asdict(self)
        data["versions"] = [{**asdict(v), "thumbs_up_rate": v.thumbs_up_rate, "interval": v.interval}
                            for v in self.versions]
        return json.dumps(data, indent=1, default=str)


def _pct(x: float | None) -> str:
    return "  n/a" if x is None else f"{100 * x:5.1f}%"


def _when(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%H:%M:%S")


def format_report(report: SimReport) -> str:
    """The report as text for a terminal."""
    lines = [f"loraloop simulate: domain {report.domain}, preference {report.preference!r}, {report.rounds} rounds "
             f"in {report.wall_s:.0f} s; v{report.initial_version} -> v{report.final_version} serving at the end",
             "", "thumbs-up rate per version (95 % Wilson interval), mean hidden preference score of served answers:",
             f"  {'adapter':<14} {'answers':>7} {'users':>5} {'rated':>5} {'up':>4} {'rate':>6}  {'interval':<15} "
             f"{'score':>5}"]
    for v in report.versions:
        low, high = v.interval
        lines.append(f"  {v.adapter:<14} {v.answers:>7} {v.users:>5} {v.rated:>5} {v.thumbs_up:>4} "
                     f"{_pct(v.thumbs_up_rate)}  [{100 * low:4.1f}, {100 * high:4.1f}]%  {v.mean_score:5.3f}")
    if report.eval_scores:
        lines += ["", f"preference score on {report.eval_prompts} held-out prompts (never asked by the users):"]
        lines += [f"  {adapter:<14} {score:.3f}" for adapter, score in report.eval_scores.items()]
    lines += ["", "jobs:"] + [f"  {j['kind']}: {j['method']} {j['outcome']}"
                              + (f" v{j['version']}" if j.get("version") else "")
                              + f" on {j['pairs']} pairs in {j['duration_s']:.0f} s: {j['reason']}"
                              for j in report.jobs] if report.jobs else ["", "jobs: none"]
    lines.append(f"preference pairs of {report.domain} in the store: {report.pairs_total}")
    if report.events_until_promotion is not None:
        lines.append(f"until promotion: {report.events_until_promotion} feedback events, "
                     f"{report.answers_until_promotion} answers")
    for r in report.rollouts:
        lines += ["", f"rollout {r.id} ({r.kind}): v{r.stable_version} stable vs v{r.canary_version} canary, "
                      f"schedule {' -> '.join(f'{w:g}' for w in r.schedule)}: {r.status}; "
                      f"{r.canary_users} users saw the canary ({r.canary_answers} answers)"]
        for e in r.events:
            lines.append(f"  {_when(e['created_at'])} {e['decision']:<12} {e['from_weight']:g}% -> "
                         f"{e['to_weight']:g}%  {e['reason']}")
    if report.notes:
        lines += ["", "notes:"] + [f"  {n}" for n in report.notes]
    if report.chart:
        lines += ["", f"chart: {report.chart}"]
    return "\n".join(lines)


def save_chart(report: SimReport, path: Path) -> Path:
    """PNG: each version's thumbs-up rate so far (left axis) and the canary weight (right axis) over time."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, rate_ax = plt.subplots(figsize=(10, 5))
    weight_ax = rate_ax.twinx()
    adapters = sorted({a for p in report.timeline for a in p.thumbs if a.startswith(report.domain + "@")})
    for adapter in adapters:
        # Cumulative, with its Wilson band: a 5 % canary gets a rating or two a round, and per-round rates
        # would jump between 0 and 1; the last point is the report's rate for the version.
        xs, ys, lows, highs = [], [], [], []
        total_up = total_rated = 0
        for p in report.timeline:
            up, rated = p.thumbs.get(adapter, (0, 0))
            total_up, total_rated = total_up + up, total_rated + rated
            if rated:
                low, high = wilson_interval(total_up, total_rated)
                xs.append(p.elapsed_s)
                ys.append(total_up / total_rated)
                lows.append(low)
                highs.append(high)
        [line] = rate_ax.plot(xs, ys, marker="o", markersize=3, linewidth=1,
                              label=f"{adapter} thumbs-up rate so far (95 % band)")
        rate_ax.fill_between(xs, lows, highs, color=line.get_color(), alpha=0.15)
    weight_ax.step([p.elapsed_s for p in report.timeline], [p.canary_weight for p in report.timeline], where="post",
                   color="black", linestyle="--", label="canary weight %")
    for r in report.rollouts:
        for e in r.events:
            if e["decision"] in ("promote", "rollback"):
                x = e["created_at"] - report.config.get("_started_at", 0.0)
                rate_ax.axvline(x, color="green" if e["decision"] == "promote" else "red", alpha=0.4,
                                label=f"v{r.canary_version} {'promoted' if e['decision'] == 'promote' else 'rolled back'}")
    rate_ax.set_xlabel("seconds since start")
    rate_ax.set_ylabel("thumbs-up rate among rated answers (cumulative)")
    rate_ax.set_ylim(0, 1)
    weight_ax.set_ylabel("canary weight (%)")
    weight_ax.set_ylim(0, 105)
    handles = rate_ax.get_legend_handles_labels()[0] + weight_ax.get_legend_handles_labels()[0]
    rate_ax.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8)
    rate_ax.set_title(f"loraloop simulate: {report.domain}, users prefer {report.preference}")
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
