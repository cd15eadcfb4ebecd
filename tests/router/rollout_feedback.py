"""Scripted per-arm outcomes written into a real feedback database, for the rollout controller tests."""

from __future__ import annotations

import itertools

from loraloop.config import RolloutConfig
from loraloop.feedback.store import ErrorRecord, FeedbackStore, ResponseRecord, SignalKind, SignalRecord
from loraloop.router.rollout import RolloutController

_ids = itertools.count()


class Clock:
    """A settable clock: the controller's `now`, and the time answers are recorded at."""

    def __init__(self, now: float = 1_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now

    def tick(self, seconds: float = 1.0) -> float:
        self.now += seconds
        return self.now


def write_arm(store: FeedbackStore, *, at: float, arm: str, version: int, answers: int, up: int = 0, down: int = 0,
              regenerated: int = 0, errors: int = 0, latency_s: float = 0.1, domain: str = "medical",
              error_status: str = "INTERNAL") -> None:
    """`answers` answers on one arm at time `at`: the first `up` get a thumbs-up, the next `down` a thumbs-down,
    the first `regenerated` a REGENERATE; plus `errors` failed requests."""
    assert up + down <= answers and regenerated <= answers
    items: list = []
    for i in range(answers):
        rid = f"r{next(_ids)}"
        items.append(ResponseRecord(
            id=rid, conversation_id=f"c-{rid}", user_id=f"u-{rid}", messages=({"role": "user", "content": "q"},),
            text="a", adapter=f"{domain}@v{version}", domain=domain, version=version, arm=arm, route_domain=domain,
            route_confidence=1.0, sampling={}, prompt_tokens=3, completion_tokens=4, ttft_s=0.01, latency_s=latency_s,
            finish_reason="stop", created_at=at))
        kind = SignalKind.THUMBS_UP if i < up else SignalKind.THUMBS_DOWN if i < up + down else None
        if kind:
            items.append(SignalRecord(response_id=rid, kind=kind, created_at=at))
        if i < regenerated:
            items.append(SignalRecord(response_id=rid, kind=SignalKind.REGENERATE, created_at=at))
    items += [ErrorRecord(domain=domain, version=version, arm=arm, status=error_status, created_at=at)
              for _ in range(errors)]
    results = store.write_batch(items)
    assert not [r for r in results if isinstance(r, Exception)]


def rules(**overrides) -> RolloutConfig:
    """Small-sample rules for tests: two canary steps (10 %, 50 %), 100 rated answers per arm per step."""
    values = dict(schedule=(10.0, 50.0, 100.0), min_rated_per_step=100, non_inferiority_margin=0.1,
                  max_rated_at_last_step=1000, guardrail_min_answers=50, test_min_rated=30)
    return RolloutConfig(**{**values, **overrides})


def controller(path, config: RolloutConfig | None = None, clock: Clock | None = None, **kwargs) -> RolloutController:
    """A controller on the test database."""
    return RolloutController(path, config or rules(), clock=clock or Clock(), **kwargs)
