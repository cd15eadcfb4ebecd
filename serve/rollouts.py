"""The server's side of canary rollouts: Admin calls on the controller, and its transitions on the registry."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from loraloop.adapters import AdapterSpec
from loraloop.errors import AdapterNotFound, InvalidArgument
from loraloop.router import rollout_store
from loraloop.router.rollout import RolloutController
from loraloop.router.rollout_model import RolloutState, Transition
from loraloop.serve.registry import AdapterRegistry
from loraloop.v1 import loraloop_pb2 as pb

__all__ = ["ACTIONS", "RolloutService"]

log = logging.getLogger(__name__)

ACTIONS = ("start", "pause", "resume", "promote", "rollback")
DEFAULT_EVENTS = 20


class RolloutService:
    """Runs Admin.GetRollout/SetRollout against the controller and keeps the registry in step with rollouts.

    The controller owns the decisions and the database; this class only makes the engine follow:
    the canary is loaded and pinned before its arm takes traffic, a promoted canary becomes the
    domain's active version, a rolled-back one leaves the engine once its requests drained.
    """

    def __init__(self, controller: RolloutController, registry: AdapterRegistry, db_path: Path):
        self.controller = controller
        self._registry = registry
        self._db_path = db_path

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

    async def apply(self, transition: Transition) -> None:
        """Make the registry follow one transition."""
        canary = AdapterSpec(domain=transition.domain, version=transition.canary_version)
        if transition.effect == "load_canary":
            await self._registry.load(canary, activate=False)
        elif transition.effect == "promote":
            await self._registry.load(canary, activate=True)  # the old stable retires once drained
        elif transition.effect == "unload_canary":
            await self._registry.unload(canary)
        log.info("rollout %s: %s %s (%s)", transition.rollout_id, transition.decision, transition.domain,
                 transition.reason)

    async def run(self) -> None:
        """The controller's periodic judgement, its transitions applied here (until cancelled)."""
        await self.controller.run(self.apply)

    async def get(self, domain: str, events: int) -> list[pb.Rollout]:
        """Admin.GetRollout: the latest rollout of one domain, or of each domain that had one."""
        if domain and domain not in self._registry.store.domains():
            raise AdapterNotFound(f"domain {domain!r} has no published adapter")
        return await asyncio.to_thread(self._describe_all, domain or None, events or DEFAULT_EVENTS)

    async def set(self, request: pb.SetRolloutRequest) -> pb.Rollout:
        """Admin.SetRollout: one operator action; the registry follows before the call returns."""
        domain, action = request.domain, request.action
        if action not in ACTIONS:
            raise InvalidArgument("action", f"{action!r}: expected one of {', '.join(ACTIONS)}")
        if not domain:
            raise InvalidArgument("domain", "name the domain whose rollout to change")
        if domain not in self._registry.store.domains():
            raise AdapterNotFound(f"domain {domain!r} has no published adapter")
        if action == "start":
            state = await self._start(request)
            await self.apply(Transition(rollout_id=state.id, domain=domain, decision="start", effect="load_canary",
                                        from_weight_pct=0.0, to_weight_pct=state.weight_pct,
                                        stable_version=state.stable_version, canary_version=state.canary_version,
                                        reason=request.reason, state=state))
        else:
            await self.apply(await asyncio.to_thread(getattr(self.controller, action), domain, request.reason))
        [described] = await asyncio.to_thread(self._describe_all, domain, DEFAULT_EVENTS)
        return described

    async def _start(self, request: pb.SetRolloutRequest) -> RolloutState:
        domain = request.domain
        schedule = tuple(request.schedule) or None
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
                                       schedule=schedule, min_rated_per_step=min_rated, reason=request.reason)

    def _describe_all(self, domain: str | None, events: int) -> list[pb.Rollout]:
        conn = rollout_store.connect(self._db_path)
        try:
            return [self._describe(conn, state, events) for state in self.controller.status(domain)]
        finally:
            conn.close()

    def _describe(self, conn, state: RolloutState, events: int) -> pb.Rollout:
        counts, _total = rollout_store.window_counts(conn, state)
        arms = [pb.ArmStats(arm=arm, version=version, answers=c.answers, rated=c.rated, thumbs_up=c.thumbs_up,
                            thumbs_down=c.thumbs_down, regenerate=c.regenerated, errors=c.errors,
                            p95_latency_s=c.p95_latency_s or 0.0)
                for arm, version, c in (("stable", state.stable_version, counts.stable),
                                        ("canary", state.canary_version, counts.canary))]
        history = [e for e in self.controller.events(state.domain, events) if e.rollout_id == state.id]
        return pb.Rollout(
            id=state.id, domain=state.domain, stable_version=state.stable_version,
            canary_version=state.canary_version, status=state.status, weight=state.weight_pct, step=state.step_index,
            schedule=list(state.schedule), min_rated_per_step=state.rules.min_rated_per_step, arms=arms,
            events=[pb.RolloutEvent(decision=e.decision, from_weight=e.from_weight_pct, to_weight=e.to_weight_pct,
                                    reason=e.reason, created_at=e.created_at) for e in history],
            started_at=state.started_at, updated_at=state.updated_at)
