"""The server's side of canary rollouts: Admin calls on the controller, and its transitions on the registry."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from loraloop.adapters import AdapterSpec
from loraloop.errors import AdapterNotFound, InvalidArgument
from loraloop.router import rollout_store
from loraloop.router.rollout import RolloutController
from loraloop.router.rollout_model import ACTIONS, OPERATOR, PROMOTED, ROLLED_BACK, RolloutState, Transition
from loraloop.serve.registry import AdapterRegistry

__all__ = ["ACTIONS", "ArmView", "RolloutCommand", "RolloutService", "RolloutView"]

log = logging.getLogger(__name__)

DEFAULT_EVENTS = 20


@dataclass(frozen=True, kw_only=True)
class RolloutCommand:
    """One operator action on a domain's rollout (Admin.SetRollout); 0 / () leave a rule at its default."""

    domain: str
    action: str
    reason: str = ""
    canary_version: int = 0  # start: the version to canary; 0 = the newest published
    schedule: tuple[float, ...] = ()
    min_rated_per_step: int = 0


@dataclass(frozen=True, kw_only=True)
class ArmView:
    """One arm of a rollout and its counts in the rollout's current window."""

    arm: str
    version: int
    counts: Any  # rollout_store's per-arm counts: answers, rated, thumbs_up, thumbs_down, regenerated, errors, p95


@dataclass(frozen=True, kw_only=True)
class RolloutView:
    """A rollout as Admin.GetRollout reports it: its state, both arms, and its latest events."""

    state: RolloutState
    arms: tuple[ArmView, ...]
    events: tuple[Any, ...]  # the controller's RolloutEvent records, oldest first


class RolloutService:
    """Runs Admin.GetRollout/SetRollout against the controller and keeps the registry in step with rollouts.

    The controller owns the decisions and the database; this class only makes the engine follow:
    the canary is loaded and pinned before its arm takes traffic, a promoted canary becomes the
    domain's active version, a rolled-back one leaves the engine once its requests drained.
    """

    def __init__(self, controller: RolloutController, registry: AdapterRegistry, db_url: str):
        self.controller = controller
        self._registry = registry
        self._db_path = db_url
        # Per domain, the (rollout id, revision) this replica's engine already follows.
        self._followed: dict[str, tuple[str, int]] = {}

    async def restore(self) -> None:
        """At start: the versions the latest rollouts left serving become active; active canaries are loaded."""
        for state in await asyncio.to_thread(self.controller.status):
            try:
                await self._registry.load(AdapterSpec(domain=state.domain, version=state.serving_version))
                if state.active:
                    await self._registry.load(AdapterSpec(domain=state.domain, version=state.canary_version),
                                              activate=False)
            except Exception:
                log.exception("restoring rollout %s of %s failed", state.id, state.domain)
                continue
            self._followed[state.domain] = (state.id, state.revision)

    async def follow(self) -> int:
        """Make the engine follow rollout changes another replica made; returns how many it followed.

        Replicas share one database: a canary started, promoted or rolled back through replica A is in the
        rollout table, and each replica compares the latest state of every domain with the one it last
        followed. Only the replica whose compare-and-set won writes a transition; every replica loads,
        activates or unloads for it here, within one controller tick, with no call fanned out to it.
        """
        followed = 0
        for state in await asyncio.to_thread(self.controller.refresh):
            if self._followed.get(state.domain) == (state.id, state.revision):
                continue
            canary = AdapterSpec(domain=state.domain, version=state.canary_version)
            if state.active:
                await self._registry.load(canary, activate=False)
            elif state.status == PROMOTED:
                await self._registry.load(canary, activate=True)
            elif state.status == ROLLED_BACK and self._registry.active(state.domain) != canary:
                await self._registry.unload(canary)
            self._followed[state.domain] = (state.id, state.revision)
            log.info("rollout %s of %s: following %s (revision %d, from the database)", state.id, state.domain,
                     state.status, state.revision)
            followed += 1
        return followed

    async def apply(self, transition: Transition) -> None:
        """Make the registry follow one transition."""
        canary = AdapterSpec(domain=transition.domain, version=transition.canary_version)
        if transition.effect == "load_canary":
            await self._registry.load(canary, activate=False)
        elif transition.effect == "promote":
            await self._registry.load(canary, activate=True)  # the old stable retires once drained
        elif transition.effect == "unload_canary":
            await self._registry.unload(canary)
        self._followed[transition.domain] = (transition.state.id, transition.state.revision)
        log.info("rollout %s: %s %s (%s)", transition.rollout_id, transition.decision, transition.domain,
                 transition.reason)

    async def run(self) -> None:
        """The controller's periodic judgement, its transitions applied here (until cancelled)."""
        await self.controller.run(self.apply, after_tick=self.follow)

    async def get(self, domain: str, events: int) -> list[RolloutView]:
        """Admin.GetRollout: the latest rollout of one domain, or of each domain that had one."""
        if domain and domain not in self._registry.store.domains():
            raise AdapterNotFound(f"domain {domain!r} has no published adapter")
        return await asyncio.to_thread(self._describe_all, domain or None, events or DEFAULT_EVENTS)

    async def set(self, request: RolloutCommand, *, actor: str = OPERATOR) -> RolloutView:
        """Admin.SetRollout: one operator action, recorded as `actor`'s; the registry follows before it returns."""
        domain, action = request.domain, request.action
        if action not in ACTIONS:
            raise InvalidArgument("action", f"{action!r}: expected one of {', '.join(ACTIONS)}")
        if not domain:
            raise InvalidArgument("domain", "name the domain whose rollout to change")
        if domain not in self._registry.store.domains():
            raise AdapterNotFound(f"domain {domain!r} has no published adapter")
        if action == "start":
            state = await self._start(request, actor)
            await self.apply(Transition(rollout_id=state.id, domain=domain, decision="start", effect="load_canary",
                                        from_weight_pct=0.0, to_weight_pct=state.weight_pct,
                                        stable_version=state.stable_version, canary_version=state.canary_version,
                                        reason=request.reason, state=state))
        else:
            await self.apply(await asyncio.to_thread(getattr(self.controller, action), domain, request.reason, actor))
        [described] = await asyncio.to_thread(self._describe_all, domain, DEFAULT_EVENTS)
        return described

    async def _start(self, request: RolloutCommand, actor: str) -> RolloutState:
        domain = request.domain
        schedule = request.schedule or None
        min_rated = request.min_rated_per_step or None
        # Validate the rules first, so a bad schedule is reported as such whatever the versions are.
        self.controller.rules_for(schedule, min_rated)
        versions = self._registry.store.versions(domain)
        canary = request.canary_version or versions[-1]
        if canary not in versions:
            listed = ", ".join(f"v{v}" for v in versions)
            raise AdapterNotFound(f"adapter {domain}@v{canary} is not published (published: {listed})")
        stable_ref = self._registry.active(domain) or await self._registry.resolve(AdapterSpec(domain=domain))
        return await asyncio.to_thread(self.controller.start, domain, canary, stable_version=stable_ref.version,
                                       schedule=schedule, min_rated_per_step=min_rated, reason=request.reason,
                                       actor=actor)

    def _describe_all(self, domain: str | None, events: int) -> list[RolloutView]:
        conn = rollout_store.connect(self._db_path)
        try:
            return [self._describe(conn, state, events) for state in self.controller.status(domain)]
        finally:
            conn.close()

    def _describe(self, conn, state: RolloutState, events: int) -> RolloutView:
        counts, _total = rollout_store.window_counts(conn, state)
        arms = (ArmView(arm="stable", version=state.stable_version, counts=counts.stable),
                ArmView(arm="canary", version=state.canary_version, counts=counts.canary))
        history = tuple(e for e in self.controller.events(state.domain, events) if e.rollout_id == state.id)
        return RolloutView(state=state, arms=arms, events=history)
