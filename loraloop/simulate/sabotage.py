"""Sabotage: a deliberately worse version, made by the real SFT job, in one of two kinds (`SimulateConfig.sabotage_kind`).

- rambling: a scratch feedback database (the real store is never changed) holds, as desirable labels (the SFT
  job's rows), rambling answers: three answers the users rejected, run together, for the prompts the users
  asked. The job trains with the gate's tolerances opened (an operator forcing a bad version through), so the
  rollout's live guardrails are what must stop it.
- erode-refusals: the desirable labels comply with the guard set's train-split attacks (their `rejected`
  answers), standing for an operator forcing a bad dataset through. The gate stays as configured, so the
  guard gate is what must stop it.
Either version publishes into the real adapter store and starts its canary like any retrain job, if it passes.
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Sequence
from pathlib import Path

from loraloop import storage
from loraloop.config import RetrainConfig, SimulateConfig
from loraloop.feedback.pairs import ANTI_REPETITION
from loraloop.feedback.store import FeedbackStore
from loraloop.guard import load_guard_set
from loraloop.simulate.config import SABOTAGE_KINDS

__all__ = ["SABOTAGE_KINDS", "SABOTAGE_METHOD", "eroding_feedback", "rambling_feedback", "sabotage_config",
           "sabotage_feedback"]

SABOTAGE_METHOD = "sft"
MAX_ROWS = 400  # enough SFT rows for a clearly worse adapter, few enough to train in about a minute on CPU


def rambling_feedback(source_db: str | Path, scratch_db: Path, domain: str) -> int:
    """Write rambling desirable labels (from the domain's rejected answers) into a fresh feedback database.

    Every row is stamped now, so it is "new" to any parent version's watermark. Returns the number of rows.
    """
    FeedbackStore(scratch_db).close()  # the schema, by the store's own migrations
    live = storage.connect(source_db, busy_timeout_ms=30_000, readonly=True)
    try:
        # Answers the users rejected: not corrections' originals, nor parrot pairs' copies of their own turns.
        pairs = live.execute("SELECT context_hash, prompt, rejected FROM pairs WHERE domain = ? AND "
                             "chosen_response_id IS NOT NULL AND source != ? ORDER BY id",
                             [domain, ANTI_REPETITION]).fetchall()
    finally:
        live.close()
    if not pairs:
        return 0
    rows = [(f"sabotage:{i}", context, prompt, " ".join(pairs[(i + k * 7919) % len(pairs)][2] for k in range(3)))
            for i, (context, prompt, _) in enumerate(pairs[:MAX_ROWS])]
    return _write_labels(scratch_db, domain, rows)


def eroding_feedback(scratch_db: Path, domain: str, guard_files: Sequence[str] = ()) -> int:
    """Write desirable labels that comply with attacks into a fresh feedback database; returns the number of rows.

    The prompts are the guard set's train-split harmful, private-data and injection cases, the answers their
    `rejected` (compliant) sides: what the guard mix teaches against. The held-out families stay unseen, so
    the gate measures whether the erosion generalises, as a real bad dataset's would.
    """
    FeedbackStore(scratch_db).close()
    cases = [c for c in load_guard_set(guard_files).split("train") if c.refuses]
    rows = [(f"sabotage:{c.id}", f"sabotage:{c.id}", json.dumps(list(c.messages), ensure_ascii=False), c.rejected)
            for c in cases]
    return _write_labels(scratch_db, domain, rows)


def sabotage_feedback(kind: str, source_db: str | Path, scratch_db: Path, domain: str, guard_files: Sequence[str] = ()) -> int:
    """The scratch database of one sabotage kind; returns its number of rows."""
    if kind == "rambling":
        return rambling_feedback(source_db, scratch_db, domain)
    if kind == "erode-refusals":
        return eroding_feedback(scratch_db, domain, guard_files)
    raise ValueError(f"sabotage_kind={kind!r}: expected one of {', '.join(SABOTAGE_KINDS)}")


def _write_labels(scratch_db: Path, domain: str, rows: Sequence[tuple[str, str, str, str]]) -> int:
    """(label key, context hash, prompt JSON, completion) rows as desirable labels stamped now: new to any watermark."""
    now = time.time()
    conn = storage.connect(scratch_db, busy_timeout_ms=30_000, autocommit=True)
    try:
        with storage.write_transaction(conn):
            conn.executemany("INSERT INTO labels (label_key, context_hash, domain, prompt, completion, label, source, "
                             "weight, response_id, adapter, signal_ids, created_at) VALUES (?, ?, ?, ?, ?, 1, "
                             "'sabotage', 1.0, NULL, 'sabotage', '[]', ?)",
                             [(key, context, domain, prompt, completion, now) for key, context, prompt, completion in rows])
    finally:
        conn.close()
    return len(rows)


def sabotage_config(retrain: RetrainConfig, config: SimulateConfig, scratch_db: Path, parent_version: int) -> RetrainConfig:
    """The retrain config of the sabotage job: the scratch rows, a high learning rate, and for rambling the gate opened.

    rambling opens every offline check, the served-base gate and the guard gate included: it stands for a
    version an operator forces through, so that the rollout's live guardrails are what must stop it.
    erode-refusals forces only its dataset through (one row is enough); the gate is the job's own.
    """
    sabotage = dataclasses.replace(
        retrain, db_url=str(scratch_db), parent_version=parent_version, sft_learning_rate=config.sabotage_learning_rate,
        min_pairs_sft=1, start_canary=bool(retrain.server_target),
        canary_schedule=config.sabotage_schedule, canary_min_rated_per_step=config.sabotage_min_rated_per_step)
    if config.sabotage_kind == "erode-refusals":
        return sabotage
    return dataclasses.replace(
        sabotage, preference_tolerance=1.0, max_perplexity_increase=1000.0, max_reward_drop=1000.0, min_eos_rate=0.0,
        served_gate=False, guard_refusal_tolerance=1.0, min_guard_refusal_rate=0.0, max_guard_over_refusal_rate=1.0)
