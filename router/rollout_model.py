"""Values of the rollout controller: a rollout's state, its events, and the transitions the server applies."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from loraloop.router.rollout_config import RolloutConfig

__all__ = [
    "ACTIONS",
    "ACTIVE_STATUSES",
    "CONTROLLER",
    "DECISIONS",
    "EFFECTS",
    "EFFECT_OF",
    "INCONCLUSIVE",
    "OPERATOR",
    "PAUSED",
    "PROMOTED",
    "ROLLED_BACK",
    "RUNNING",
    "STATUSES",
    "RolloutEvent",
    "RolloutState",
    "Transition",
    "rules_from_spec",
]

# Statuses. Active ones still split traffic; at most one per domain (a unique index enforces it).
RUNNING, PAUSED, INCONCLUSIVE, PROMOTED, ROLLED_BACK = "running", "paused", "inconclusive", "promoted", "rolled_back"
ACTIVE_STATUSES = (RUNNING, PAUSED, INCONCLUSIVE)
STATUSES = (*ACTIVE_STATUSES, PROMOTED, ROLLED_BACK)

# Operator actions (Admin.SetRollout, `loraloop rollout <action>`): a subset of the decisions.
ACTIONS = ("start", "pause", "resume", "promote", "rollback")
# Who made a transition: the controller's own judgement, or an operator (an Admin caller names itself better).
CONTROLLER = "controller"
OPERATOR = "operator"

# Decisions: what an event records and the transitions counter counts.
DECISIONS = ("start", "advance", "promote", "rollback", "pause", "resume", "inconclusive")

# What the server does with the adapter registry after a transition:
#   load_canary   pre-load and pin the canary version before its arm takes traffic (start)
#   promote       make the canary the domain's active version; unload the old stable once drained
#   unload_canary unpin and unload the canary version once its requests drained (rollback)
#   none          nothing: weight changes take effect through arm_for
EFFECTS = ("load_canary", "promote", "unload_canary", "none")
EFFECT_OF = {"start": "load_canary", "promote": "promote", "rollback": "unload_canary"}


def rules_from_spec(spec: dict[str, Any]) -> RolloutConfig:
    """The RolloutConfig a rollout started with (fields added since then take their defaults)."""
    known = {f.name for f in dataclasses.fields(RolloutConfig)}
    return RolloutConfig(**{k: tuple(v) if isinstance(v, list) else v for k, v in spec.items() if k in known})


@dataclass(frozen=True, kw_only=True)
class RolloutState:
    """One rollout as stored: versions, where it is in its schedule, and the rules it started with."""

    id: str
    domain: str
    stable_version: int
    canary_version: int
    step_index: int
    weight_pct: float          # percent of units on the canary arm now
    status: str
    rules: RolloutConfig       # frozen at start: schedule, step sample, guardrails, test settings
    started_at: float
    step_started_at: float
    updated_at: float
    revision: int = 0

    @property
    def schedule(self) -> tuple[float, ...]:
        """The canary weights in percent, ending at 100."""
        return self.rules.schedule

    @property
    def active(self) -> bool:
        """Whether the rollout still splits traffic (running, paused or inconclusive)."""
        return self.status in ACTIVE_STATUSES

    @property
    def serving_version(self) -> int:
        """The version the stable arm means now: the canary once promoted, else the stable version."""
        return self.canary_version if self.status == PROMOTED else self.stable_version

    @property
    def at_last_canary_step(self) -> bool:
        """Whether the next step is 100 %, i.e. the step that decides promotion."""
        return self.step_index >= len(self.schedule) - 2

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly view (for the Admin API and the CLI)."""
        return {"id": self.id, "domain": self.domain, "stable_version": self.stable_version,
                "canary_version": self.canary_version, "schedule": list(self.schedule),
                "step_index": self.step_index, "weight_pct": self.weight_pct, "status": self.status,
                "min_rated_per_step": self.rules.min_rated_per_step, "started_at": self.started_at,
                "step_started_at": self.step_started_at, "updated_at": self.updated_at, "revision": self.revision}


@dataclass(frozen=True, kw_only=True)
class RolloutEvent:
    """One stored transition of a rollout, with why it happened and the counts behind it."""

    id: int
    rollout_id: str
    domain: str
    decision: str
    from_weight_pct: float
    to_weight_pct: float
    status: str                # the rollout's status after the event
    reason: str
    counts: dict[str, Any] = field(default_factory=dict)
    created_at: float = 0.0
    actor: str = CONTROLLER    # "controller", or the operator's audit identity for a manual transition


@dataclass(frozen=True, kw_only=True)
class Transition:
    """A change the controller made; `effect` tells the server what to do with its adapter registry."""

    rollout_id: str
    domain: str
    decision: str              # one of DECISIONS
    effect: str                # one of EFFECTS
    from_weight_pct: float
    to_weight_pct: float
    stable_version: int
    canary_version: int
    reason: str
    state: RolloutState        # the rollout after the change
