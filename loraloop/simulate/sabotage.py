"""Sabotage: a deliberately worse version, made by the real SFT job trained on rambling answers.

A scratch feedback database (the real store is never changed) holds, as desirable labels (the SFT job's
rows), rambling answers: three answers the users rejected, run together, for the prompts the users asked.
The job trains from the version serving now with the gate's tolerances opened (an operator forcing a bad
version through), publishes into the real adapter store, and starts its canary like any retrain job.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path

from loraloop import storage
from loraloop.config import RetrainConfig, SimulateConfig
from loraloop.feedback.pairs import ANTI_REPETITION
from loraloop.feedback.store import FeedbackStore

__all__ = ["SABOTAGE_METHOD", "rambling_feedback", "sabotage_config"]

SABOTAGE_METHOD = "sft"
MAX_ROWS = 400  # enough SFT rows for a clearly worse adapter, few enough to train in about a minute on CPU


def rambling_feedback(source_db: Path, scratch_db: Path, domain: str) -> int:
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
    now = time.time()
    rows = [(f"sabotage:{i}", context, domain, prompt,
             " ".join(pairs[(i + k * 7919) % len(pairs)][2] for k in range(3)), now)
            for i, (context, prompt, _) in enumerate(pairs[:MAX_ROWS])]
    conn = storage.connect(scratch_db, busy_timeout_ms=30_000)
    try:
        with conn:
            conn.executemany("INSERT INTO labels (label_key, context_hash, domain, prompt, completion, label, source, "
                             "weight, response_id, adapter, signal_ids, created_at) VALUES (?, ?, ?, ?, ?, 1, "
                             "'sabotage', 1.0, NULL, 'sabotage', '[]', ?)", rows)
    finally:
        conn.close()
    return len(rows)


def sabotage_config(retrain: RetrainConfig, config: SimulateConfig, scratch_db: Path, parent_version: int) -> RetrainConfig:
    """The retrain config of the sabotage job: rambling rows, a high learning rate, the gate's checks opened.

    The served-base gate is off too: the sabotage stands for a version an operator forces through every
    offline check, so that the rollout's live guardrails are what must stop it.
    """
    return dataclasses.replace(
        retrain, db_path=str(scratch_db), parent_version=parent_version, sft_learning_rate=config.sabotage_learning_rate,
        preference_tolerance=1.0, max_perplexity_increase=1000.0, max_reward_drop=1000.0, min_eos_rate=0.0, min_pairs_sft=1,
        served_gate=False,
        start_canary=bool(retrain.server_target),
        canary_schedule=config.sabotage_schedule, canary_min_rated_per_step=config.sabotage_min_rated_per_step)
