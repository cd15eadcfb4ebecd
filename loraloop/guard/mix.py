"""Which guard cases a training run mixes in, and as what rows: one rule for every retrain job and the demo build.

The share is of the rows the run trains on once mixed (15 % = 15 of every 100 rows are guard rows), so a
small job gets a few guard rows and a large one many. Only the train split is ever mixed in; the held-out
families stay for the gate.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from loraloop.guard.cases import REFUSES, GuardCase

__all__ = ["DEFAULT_GUARD_SHARE", "GUARD_ID_PREFIX", "guard_count", "pair_row", "pick_cases", "sft_row"]

GUARD_ID_PREFIX = "guard:"  # row ids in snapshots and lineage: "guard:<case id>" beside "pairs:12", "labels:3"
# The default share of guard rows, for retrain jobs and the demo build alike (the issue asks for 10-20 %).
DEFAULT_GUARD_SHARE = 0.15


def guard_count(rows: int, share: float) -> int:
    """Guard rows that make up `share` of a run that also trains on `rows` other rows (0 when either is 0)."""
    if rows <= 0 or share <= 0:
        return 0
    if not share < 1:
        raise ValueError(f"share={share}: expected a share below 1")
    return max(1, round(rows * share / (1 - share)))


def _ranked(cases: Sequence[GuardCase], seed: int) -> list[GuardCase]:
    # A seeded hash, not a shuffle: a case added to the set later does not reorder the ones already there.
    return sorted(cases, key=lambda c: hashlib.sha256(f"{seed}:{c.id}".encode()).hexdigest())


def pick_cases(cases: Sequence[GuardCase], n: int, seed: int) -> list[GuardCase]:
    """`n` cases of the train split, the same ones for the same cases and seed.

    Controls take every other place, so a mix teaches answering look-alikes as often as refusing (refusals
    are what a small model over-learns: the demo still refuses 28-36 % of the controls it trained on);
    the refusing categories take turns in the other places. Each category is ranked by the seed; a run needing more rows than there are
    cases goes round again, the smaller half sooner.
    """
    train = [c for c in cases if c.split == "train"]
    if n <= 0 or not train:
        return []
    refusing = [_ranked([c for c in train if c.category == category], seed) for category in REFUSES]
    turns = [q[i] for i in range(max(map(len, refusing))) for q in refusing if i < len(q)]
    halves = [half for half in (turns, _ranked([c for c in train if not c.refuses], seed)) if half]
    order = [half[i % len(half)] for i in range(max(map(len, halves))) for half in halves]
    return [order[i % len(order)] for i in range(n)]


def _id(case: GuardCase) -> str:
    return GUARD_ID_PREFIX + case.id


def sft_row(case: GuardCase) -> dict[str, Any]:
    """The case as an SFT row of a snapshot: the prompt and the answer to keep."""
    return {"id": _id(case), "prompt": [dict(m) for m in case.messages], "completion": case.chosen}


def pair_row(case: GuardCase) -> dict[str, Any]:
    """The case as a preference pair of a snapshot: the answer to keep chosen over the one to avoid."""
    return {"id": _id(case), "prompt": [dict(m) for m in case.messages], "chosen": case.chosen,
            "rejected": case.rejected, "weight": 1.0}

