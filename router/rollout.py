"""The canary rollout controller: operator commands, the per-request arm, and the periodic tick.

The server holds one controller. `arm_for` is its hot path: it reads an in-memory snapshot of each
domain's latest rollout (replaced whole, never mutated, so it needs no lock) and hashes the unit.
Everything else reads and writes the feedback database, where the state lives; a new controller
on the same file resumes every rollout at its step and weight. The snapshot refreshes after each
change this controller makes and on every tick, so replicas see each other's changes within one
`tick_interval_s`.

The controller decides; the server applies. Every change is returned as a `Transition` whose
`effect` says what to do with the adapter registry (load the canary, promote it, unload it).
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import threading
import time
from collections.abc import Awaitable, Callable, Collection
from pathlib import Path
from typing import Any

from prometheus_client import CollectorRegistry

from loraloop import storage
from loraloop.adapters import is_domain_name
from loraloop.errors import AdapterNotFound, FailedPrecondition, InvalidArgument
from loraloop.router import rollout_store as store
from loraloop.router.arms import CANARY, STABLE, assign_arm
from loraloop.router.metrics import RolloutMetrics
from loraloop.router.rollout_config import RolloutConfig
from loraloop.router.rollout_model import (
    ACTIVE_STATUSES,
    CONTROLLER,
    EFFECT_OF,
    INCONCLUSIVE,
    OPERATOR,
    PAUSED,
    PROMOTED,
    ROLLED_BACK,
    RUNNING,
    RolloutEvent,
    RolloutState,
    Transition,
)
from loraloop.router.rollout_rules import ArmPair, judge
from loraloop.settings import ConfigError

__all__ = ["RolloutController"]

log = logging.getLogger(__name__)

MAX_REASON_CHARS = 1000


def _check_domain(domain: str) -> None:
    if not is_domain_name(domain):  # "base" and "general" are the base model: nothing to roll out
        raise InvalidArgument("domain", f"{str(domain)[:80]!r} is not an adapter domain name")


def _check_version(field: str, version: Any) -> None:
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidArgument(field, f"{version!r} is not a version number (expected an integer >= 1)")


def _check_reason(reason: str) -> str:
    if not isinstance(reason, str) or len(reason) > MAX_REASON_CHARS:
        raise InvalidArgument("reason", f"expected text of at most {MAX_REASON_CHARS} characters")
    return reason.strip()


def _counts_record(step: ArmPair, total: ArmPair, judgement=None) -> dict[str, Any]:
    record: dict[str, Any] = {"step": step.as_dict(), "total": total.as_dict()}
    if judgement is not None:
        record["verdict"] = judgement.verdict
        record["test"] = judgement.test.as_dict() if judgement.test else None
    return record


class RolloutController:
    """Starts, advances, promotes and rolls back canaries per domain; state in the feedback database.

    Thread-safe: commands and `tick` serialise on a lock (call them from worker threads, not the
    event loop; `run` does); `arm_for` takes no lock and touches no database.
    """

    def __init__(self, db_url: str | Path, config: RolloutConfig, registry: CollectorRegistry | None = None, *,
                 published: Callable[[str], Collection[int]] | None = None, busy_timeout_ms: int = 5000,
                 clock: Callable[[], float] = time.time):
        """`published(domain)`: a domain's published versions (e.g. AdapterStore.versions); None skips that check."""
        self.db_url = storage.check_database(db_url)
        self.config = config
        self.metrics = RolloutMetrics(registry) if registry is not None else None
        self._published = published
        self._clock = clock
        self._lock = threading.Lock()
        self._conn = store.connect(self.db_url, busy_timeout_ms=busy_timeout_ms)
        self._latest: dict[str, RolloutState] = {}
        with self._lock:
            self._reload()

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    # -- the hot path -------------------------------------------------------------------------

    def arm_for(self, domain: str, unit_id: str) -> tuple[str, int] | None:
        """(arm, version) for a request; None when the domain never had a rollout (use the registry's active version).

        Outside an active rollout, and for an empty unit (see arms.unit_for), the answer is
        ("stable", the version the latest rollout left serving).
        """
        state = self._latest.get(domain)
        if state is None:
            return None
        if not state.active or not unit_id:
            return STABLE, state.serving_version
        if assign_arm(unit_id, state.id, state.weight_pct) == CANARY:
            return CANARY, state.canary_version
        return STABLE, state.stable_version

    # -- reading -------------------------------------------------------------------------------

    def status(self, domain: str | None = None) -> list[RolloutState]:
        """The latest rollout of each domain (or of one domain: [] when it never had one), from the database."""
        with self._lock:
            latest = store.latest_rollouts(self._conn)
        if domain is None:
            return list(latest.values())
        return [latest[domain]] if domain in latest else []

    def refresh(self) -> list[RolloutState]:
        """Re-read every domain's latest rollout, so `arm_for` splits traffic as the database says now."""
        with self._lock:
            self._reload()
            return list(self._latest.values())

    def history(self, domain: str, limit: int = 20) -> list[RolloutState]:
        """A domain's rollouts, newest first."""
        if not isinstance(limit, int) or limit < 1:
            raise InvalidArgument("limit", f"{limit!r}: expected an integer >= 1")
        with self._lock:
            return store.rollouts_of(self._conn, domain, limit)

    def events(self, domain: str | None = None, limit: int = 50) -> list[RolloutEvent]:
        """Recent rollout events (of one domain when given), newest first."""
        if not isinstance(limit, int) or limit < 1:
            raise InvalidArgument("limit", f"{limit!r}: expected an integer >= 1")
        with self._lock:
            return store.read_events(self._conn, domain, limit)

    # -- operator commands -------------------------------------------------------------------

    def start(self, domain: str, canary_version: int, *, stable_version: int,
              schedule: tuple[float, ...] | None = None, min_rated_per_step: int | None = None,
              reason: str = "", actor: str = OPERATOR) -> RolloutState:
        """Start sending the canary its first weight; errors leave the state unchanged.

        `actor` is who asked (the audit log's actor: an admin token's fingerprint), stored with the event.

        InvalidArgument: a malformed domain, version, schedule, step sample or reason, or canary ==
        stable. AdapterNotFound: a version `published` does not list. FailedPrecondition: the domain
        already has an active rollout. The server should pre-load the canary (effect load_canary).
        """
        _check_domain(domain)
        _check_version("canary_version", canary_version)
        _check_version("stable_version", stable_version)
        if canary_version == stable_version:
            raise InvalidArgument("canary_version", f"v{canary_version} is the stable version; a canary must differ")
        rules = self.rules_for(schedule, min_rated_per_step)
        reason = _check_reason(reason)
        self._check_published(domain, (stable_version, canary_version))
        now = self._clock()
        state = RolloutState(id="", domain=domain,
                             stable_version=stable_version, canary_version=canary_version, step_index=0,
                             weight_pct=rules.schedule[0], status=RUNNING, rules=rules, started_at=now,
                             step_started_at=now, updated_at=now)
        with self._lock:
            try:
                with store.write_transaction(self._conn):
                    current = store.active_rollout(self._conn, domain)
                    if current is not None:
                        raise FailedPrecondition(
                            f"domain {domain!r} already has an active rollout {current.id} (v{current.stable_version}"
                            f" -> v{current.canary_version}, {current.status}); promote or roll it back first")
                    state = dataclasses.replace(state, id=store.next_rollout_id(self._conn, domain, canary_version))
                    store.insert_rollout(self._conn, state, dataclasses.asdict(rules))
                    store.insert_event(self._conn, state=state, decision="start", from_weight_pct=0.0,
                                       reason=f"operator: {reason}" if reason else "operator", counts={},
                                       created_at=now, actor=actor)
            except storage.IntegrityError as e:  # another process started one between our read and write
                raise FailedPrecondition(f"domain {domain!r} already has an active rollout") from e
            self._reload()
        self._count("start", state)
        return state

    def pause(self, domain: str, reason: str = "", actor: str = OPERATOR) -> Transition:
        """Hold the current weight: no advance or promotion; guardrails and a "worse" test still roll back."""
        return self._operate(domain, "pause", (RUNNING, INCONCLUSIVE), reason, actor)

    def resume(self, domain: str, reason: str = "", actor: str = OPERATOR) -> Transition:
        """Run a paused or inconclusive rollout again (from inconclusive, the step's sample restarts)."""
        return self._operate(domain, "resume", (PAUSED, INCONCLUSIVE), reason, actor)

    def promote(self, domain: str, reason: str = "", actor: str = OPERATOR) -> Transition:
        """Make the canary the stable version now (weight 100)."""
        return self._operate(domain, "promote", ACTIVE_STATUSES, reason, actor)

    def rollback(self, domain: str, reason: str = "", actor: str = OPERATOR) -> Transition:
        """Send every unit back to the stable version now (weight 0)."""
        return self._operate(domain, "rollback", ACTIVE_STATUSES, reason, actor)

    # -- the periodic decision ----------------------------------------------------------------

    def tick(self) -> list[Transition]:
        """Judge every active rollout on the feedback store's counts; apply and return the transitions made."""
        made: list[Transition] = []
        with self._lock:
            for state in [s for s in store.latest_rollouts(self._conn).values() if s.active]:
                try:  # one domain's failure (a locked database) must not hide the others' transitions
                    transition = self._judge(state)
                except storage.DatabaseError:
                    log.exception("judging rollout %s failed; trying again next tick", state.id)
                    continue
                if transition is not None:
                    log.warning("rollout %s: %s (%s)", state.id, transition.decision, transition.reason)
                    made.append(transition)
            self._reload()
        for transition in made:
            self._count(transition.decision, transition.state)
        return made

    async def run(self, apply: Callable[[Transition], Awaitable[None]] | None = None,
                  after_tick: Callable[[], Awaitable[None]] | None = None) -> None:
        """Tick every `tick_interval_s` until cancelled, handing each transition to `apply` (the registry).

        `after_tick` runs after each tick's transitions: a replica follows there what other replicas changed.
        """
        while True:
            try:
                transitions = await asyncio.to_thread(self.tick)
            except Exception:  # a locked or broken database: log, keep serving, try again next interval
                log.exception("rollout tick failed")
                transitions = []
            for transition in transitions:
                if apply is not None:
                    try:
                        await apply(transition)
                    except Exception:
                        log.exception("applying %s of rollout %s failed", transition.effect, transition.rollout_id)
            if after_tick is not None:
                try:
                    await after_tick()
                except Exception:
                    log.exception("following the stored rollout state failed; trying again next tick")
            await asyncio.sleep(self.config.tick_interval_s)

    # -- internals -----------------------------------------------------------------------------

    def _judge(self, state: RolloutState) -> Transition | None:
        step, total = store.window_counts(self._conn, state)
        if self.metrics:
            self.metrics.observe_counts(state.domain, total)
        judgement = judge(state, step, total, state.rules)
        if judgement.decision is None:
            return None
        transition = self._apply(state, judgement.decision, judgement.reason, _counts_record(step, total, judgement))
        if transition is None:
            log.info("rollout %s changed while it was judged; judging again next tick", state.id)
        return transition

    def rules_for(self, schedule: tuple[float, ...] | None, min_rated_per_step: int | None) -> RolloutConfig:
        """The config's rules with a start's overrides; InvalidArgument naming the field when one is bad."""
        rules = self.config
        for name, value in (("schedule", schedule), ("min_rated_per_step", min_rated_per_step)):
            if value is not None:
                try:  # the config's own validation: weights in (0, 100], increasing, ending at 100 ...
                    rules = dataclasses.replace(rules, **{name: value})
                except ConfigError as e:  # the override itself, or the rule it broke ("max_rated_at_last_step=...")
                    raise InvalidArgument(name, f"{e.value!r}: {e.expected}" if e.field == name else str(e)) from None
                except (TypeError, ValueError) as e:
                    raise InvalidArgument(name, str(e)) from None
        return rules

    def _check_published(self, domain: str, versions: tuple[int, ...]) -> None:
        if self._published is None:
            return
        known = set(self._published(domain))
        if not known:
            raise AdapterNotFound(f"no published adapter for domain {domain!r}")
        for version in versions:
            if version not in known:
                listed = ", ".join(f"v{v}" for v in sorted(known))
                raise AdapterNotFound(f"adapter {domain}@v{version} is not published (published: {listed})")

    def _operate(self, domain: str, decision: str, allowed: tuple[str, ...], reason: str, actor: str) -> Transition:
        _check_domain(domain)
        reason = _check_reason(reason)
        with self._lock:
            current = store.active_rollout(self._conn, domain)
            if current is None:
                raise FailedPrecondition(f"domain {domain!r} has no active rollout to {decision}")
            if current.status not in allowed:
                raise FailedPrecondition(f"rollout {current.id} is {current.status}; {decision} needs "
                                         f"{' or '.join(allowed)}")
            counts = _counts_record(*store.window_counts(self._conn, current))
            transition = self._apply(current, decision, f"operator: {reason}" if reason else "operator", counts,
                                     actor=actor)
            if transition is None:
                raise FailedPrecondition(f"rollout {current.id} changed meanwhile; look at its status and retry")
            self._reload()
        self._count(decision, transition.state)
        return transition

    def _next_state(self, state: RolloutState, decision: str, now: float) -> RolloutState:
        change: dict[str, Any] = {"revision": state.revision + 1, "updated_at": now}
        if decision == "advance":
            change.update(step_index=state.step_index + 1, weight_pct=state.schedule[state.step_index + 1],
                          step_started_at=now)
        elif decision == "promote":
            change.update(status=PROMOTED, step_index=len(state.schedule) - 1, weight_pct=100.0)
        elif decision == "rollback":
            change.update(status=ROLLED_BACK, weight_pct=0.0)
        elif decision == "inconclusive":
            change.update(status=INCONCLUSIVE)
        elif decision == "pause":
            change.update(status=PAUSED)
        elif decision == "resume":
            restart_sample = state.status == INCONCLUSIVE
            change.update(status=RUNNING, step_started_at=now if restart_sample else state.step_started_at)
        else:
            raise ValueError(f"decision={decision!r}: not a rollout decision")
        return dataclasses.replace(state, **change)

    def _apply(self, state: RolloutState, decision: str, reason: str, counts: dict[str, Any], *,
               actor: str = CONTROLLER) -> Transition | None:
        """Write one transition if the stored rollout is still `state`; None when it changed meanwhile."""
        now = self._clock()
        new = self._next_state(state, decision, now)
        with store.write_transaction(self._conn):
            if not store.update_rollout(self._conn, new):
                return None
            store.insert_event(self._conn, state=new, decision=decision, from_weight_pct=state.weight_pct,
                               reason=reason, counts=counts, created_at=now, actor=actor)
        return Transition(rollout_id=new.id, domain=new.domain, decision=decision,
                          effect=EFFECT_OF.get(decision, "none"), from_weight_pct=state.weight_pct,
                          to_weight_pct=new.weight_pct, stable_version=new.stable_version,
                          canary_version=new.canary_version, reason=reason, state=new)

    def _reload(self) -> None:
        latest = store.latest_rollouts(self._conn)
        self._latest = latest  # one reference swap: arm_for sees the old or the new snapshot, whole
        if self.metrics:
            for state in latest.values():
                self.metrics.observe_state(state)

    def _count(self, decision: str, state: RolloutState) -> None:
        if self.metrics:
            self.metrics.count_transition(state.domain, decision)
