"""When to retrain a domain, and why: schedule, N new pairs, drift events, and a cooldown after failures.

Pure logic: the daemon gathers a `DomainState` (clock, last run, pending pairs, drift events) and
`decide` answers with a `Decision` whose reason is one log line ("pairs: 64 new ≥ 50").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from loraloop.config import RetrainDaemonConfig
from loraloop.retrain.outcomes import PUBLISHED

__all__ = ["Decision", "DomainState", "DriftEvent", "LastRun", "TriggerPolicy", "decide"]


@dataclass(frozen=True, kw_only=True)
class TriggerPolicy:
    """One domain's trigger settings (the daemon config with that domain's overrides applied)."""

    method: str
    schedule_interval_s: float = 0.0
    min_new_pairs: int = 0
    retrain_on_drift: bool = False
    drift_metrics: tuple[str, ...] = ()
    failure_cooldown_s: float = 0.0
    drift_min_interval_s: float = 0.0

    @classmethod
    def for_domain(cls, config: RetrainDaemonConfig, domain: str) -> TriggerPolicy:
        """The policy of `domain` under `config`."""
        return cls(**config.domain_settings(domain), failure_cooldown_s=config.failure_cooldown_s,
                   drift_min_interval_s=config.drift_min_interval_s)


@dataclass(frozen=True, kw_only=True)
class LastRun:
    """The latest finished run of a domain (from the runs log)."""

    outcome: str
    started_at: float
    finished_at: float


@dataclass(frozen=True, kw_only=True)
class DriftEvent:
    """One stored drift event (feedback table drift_events): a metric crossed its threshold."""

    metric: str
    value: float
    threshold: float
    created_at: float


@dataclass(frozen=True, kw_only=True)
class DomainState:
    """What the daemon knows about a domain at one poll."""

    domain: str
    now: float
    last_run: LastRun | None
    # Where the clock starts when the domain never ran: the publish time of its current version
    # (None = unknown: the schedule fires at once and every stored drift event counts).
    baseline_at: float | None = None
    pending_pairs: int = 0
    drift_events: Sequence[DriftEvent] = ()


@dataclass(frozen=True, kw_only=True)
class Decision:
    """Whether a domain's job runs now, with which method, and the reason in one line."""

    domain: str
    method: str
    due: bool
    reason: str


def _seconds(value: float) -> str:
    return f"{value:.0f} s"


def _drift_reason(policy: TriggerPolicy, state: DomainState, since: float | None) -> str | None:
    latest: dict[str, DriftEvent] = {}
    for event in state.drift_events:
        fresh = event.metric in policy.drift_metrics and (since is None or event.created_at > since)
        if fresh and (event.metric not in latest or event.created_at >= latest[event.metric].created_at):
            latest[event.metric] = event
    if not latest:
        return None
    # Report in the policy's metric order so the same events always give the same line.
    parts = [f"{m} {latest[m].value:.2f} > {latest[m].threshold:.2f}" for m in policy.drift_metrics if m in latest]
    return "drift: " + ", ".join(parts)


def decide(policy: TriggerPolicy, state: DomainState) -> Decision:
    """Whether `state.domain` should train now under `policy`; the reason names every trigger that fired."""
    last = state.last_run

    def answer(due: bool, reason: str) -> Decision:
        return Decision(domain=state.domain, method=policy.method, due=due, reason=reason)

    if last is not None and last.outcome != PUBLISHED and policy.failure_cooldown_s > 0:
        waited = state.now - last.finished_at
        if waited < policy.failure_cooldown_s:
            return answer(False, f"cooldown: last run {last.outcome} {_seconds(waited)} ago "
                                 f"< {_seconds(policy.failure_cooldown_s)}")

    fired: list[str] = []
    idle: list[str] = []
    if policy.min_new_pairs > 0:
        if state.pending_pairs >= policy.min_new_pairs:
            fired.append(f"pairs: {state.pending_pairs} new ≥ {policy.min_new_pairs}")
        else:
            idle.append(f"pairs: {state.pending_pairs} new < {policy.min_new_pairs}")
    if policy.retrain_on_drift:
        since = last.started_at if last is not None else state.baseline_at
        drift = _drift_reason(policy, state, since)
        waited = state.now - last.finished_at if last is not None else None
        if drift and waited is not None and waited < policy.drift_min_interval_s:
            # Drift persists while it lasts: without a gap every run would be followed by another.
            idle.append(f"{drift} but last run {_seconds(waited)} ago < {_seconds(policy.drift_min_interval_s)}")
        elif drift:
            fired.append(drift)
        else:
            idle.append("drift: no event since " + ("last run" if last is not None else "current version"))
    if policy.schedule_interval_s > 0:
        since, what = (last.finished_at, "last run") if last is not None else (state.baseline_at, "current version")
        if since is None:
            fired.append("schedule: no previous run")
        elif state.now - since >= policy.schedule_interval_s:
            fired.append(f"schedule: {_seconds(state.now - since)} since {what}")
        else:
            idle.append(f"schedule: {_seconds(state.now - since)} since {what} < {_seconds(policy.schedule_interval_s)}")
    if fired:
        return answer(True, "; ".join(fired))
    return answer(False, "; ".join(idle) if idle else "no trigger configured")
