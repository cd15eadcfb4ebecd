"""RolloutService on a real controller and database, with a registry that records what the engine is told."""

from __future__ import annotations

from pathlib import Path

from loraloop.adapters import AdapterSpec
from loraloop.config import RolloutConfig
from loraloop.feedback.store import FeedbackStore
from loraloop.router.rollout import RolloutController
from loraloop.serve.rollouts import RolloutService


class RecordingRegistry:
    """Just the registry calls RolloutService makes."""

    def __init__(self):
        self.calls: list[tuple[str, str, bool]] = []

    async def load(self, spec: AdapterSpec, *, activate: bool = True):
        self.calls.append(("load", str(spec), activate))

    async def unload(self, spec: AdapterSpec):
        self.calls.append(("unload", str(spec), False))


def _controller(db: Path) -> RolloutController:
    FeedbackStore(db).close()  # migrated, as the server's writer does before the controller opens it
    return RolloutController(db, RolloutConfig(), published=lambda domain: {1, 2, 3})


async def test_restore_reactivates_what_the_rollouts_left_serving_and_reloads_live_canaries(tmp_path):
    db = tmp_path / "feedback.sqlite"
    controller = _controller(db)
    controller.start("medical", 2, stable_version=1)
    controller.start("finance", 2, stable_version=1)
    controller.rollback("finance", "bad")
    controller.start("legal", 3, stable_version=2)
    controller.promote("legal", "good")
    controller.close()

    registry = RecordingRegistry()
    restarted = RolloutService(_controller(db), registry, db)  # a new process on the same database
    await restarted.restore()
    assert sorted(registry.calls) == sorted([
        ("load", "medical@v1", True), ("load", "medical@v2", False),  # running: stable active, canary pinned
        ("load", "finance@v1", True),                                   # rolled back: v2 never comes back
        ("load", "legal@v3", True),                                     # promoted: the canary is the version
    ])
    assert restarted.controller.arm_for("finance", "user:a") == ("stable", 1)
    restarted.controller.close()


async def test_transitions_move_the_registry(tmp_path):
    db = tmp_path / "feedback.sqlite"
    registry = RecordingRegistry()
    service = RolloutService(_controller(db), registry, db)
    service.controller.start("medical", 2, stable_version=1)
    await service.apply(service.controller.pause("medical", "look"))      # effect none: the engine is untouched
    await service.apply(service.controller.resume("medical", "go on"))
    await service.apply(service.controller.promote("medical", "ok"))      # v2 becomes the active version
    service.controller.start("medical", 3, stable_version=2)
    await service.apply(service.controller.rollback("medical", "worse"))  # v3 leaves the engine
    assert registry.calls == [("load", "medical@v2", True), ("unload", "medical@v3", False)]
    service.controller.close()


class ActiveTrackingRegistry(RecordingRegistry):
    """RecordingRegistry that also knows each domain's active version, as the real registry does."""

    def __init__(self):
        super().__init__()
        self._active: dict[str, str] = {}

    async def load(self, spec: AdapterSpec, *, activate: bool = True):
        await super().load(spec, activate=activate)
        if activate:
            self._active[spec.domain] = str(spec)

    def active(self, domain: str):
        return self._active.get(domain)


async def test_a_replica_follows_rollout_changes_another_replica_made(db_url):
    replica_a = RolloutService(_controller(db_url), ActiveTrackingRegistry(), db_url)
    registry_b = ActiveTrackingRegistry()
    replica_b = RolloutService(_controller(db_url), registry_b, db_url)
    await replica_b.restore()
    assert await replica_b.follow() == 0  # nothing has happened yet

    await replica_a.apply(_start(replica_a, "medical", 2))  # through replica A only
    assert await replica_b.follow() == 1
    assert registry_b.calls == [("load", "medical@v2", False)]  # B loads and pins the canary
    assert replica_b.controller.arm_for("medical", "user:x")[1] in (1, 2)  # and B's arms now know the rollout

    await replica_a.apply(replica_a.controller.promote("medical", "good"))
    await replica_a.apply(_start(replica_a, "finance", 3, stable=1))
    await replica_a.apply(replica_a.controller.rollback("finance", "bad"))
    assert await replica_b.follow() == 2
    assert sorted(registry_b.calls[1:]) == [("load", "medical@v2", True),   # the promotion makes v2 B's active one
                                            ("unload", "finance@v3", False)]  # a rolled-back canary leaves B
    assert await replica_b.follow() == 0  # each change is followed once

    await replica_b.apply(_start(replica_b, "legal", 2))
    assert await replica_b.follow() == 0  # what B applied itself is not applied twice
    replica_a.controller.close()
    replica_b.controller.close()


def _start(service: RolloutService, domain: str, canary: int, stable: int = 1):
    """Start a rollout on the service's controller; the Transition `set` would apply for it."""
    from loraloop.router.rollout_model import Transition

    state = service.controller.start(domain, canary, stable_version=stable)
    return Transition(rollout_id=state.id, domain=domain, decision="start", effect="load_canary", from_weight_pct=0.0,
                      to_weight_pct=state.weight_pct, stable_version=stable, canary_version=canary, reason="",
                      state=state)
