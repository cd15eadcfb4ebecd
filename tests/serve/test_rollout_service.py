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
