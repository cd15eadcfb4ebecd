"""A synthetic feedback store for pair-build benchmarks and tests: many answers and signals, written in bulk SQL."""

from __future__ import annotations

import random
from pathlib import Path

from loraloop import storage
from loraloop.feedback.store import FeedbackStore

__all__ = ["fill_synthetic_store"]

_KINDS = ("THUMBS_UP", "THUMBS_DOWN", "COPY", "SHARE", "FOLLOW_UP", "REGENERATE", "DWELL")


def fill_synthetic_store(target: str | Path, n_signals: int, *, per_group: int = 5, seed: int = 0) -> None:
    """`n_signals` signals of every kind on n_signals/4 answers, `per_group` answers per prompt, one conversation
    per answer; the same rows for the same arguments (the build, not the insert, is what callers measure)."""
    FeedbackStore(target).close()  # migrated
    conn = storage.connect(target, autocommit=True)
    rng = random.Random(seed)
    n_answers = n_signals // 4
    try:
        with storage.write_transaction(conn):
            conn.executemany(
                "INSERT INTO responses (id, conversation_id, user_id, context_hash, messages, text, adapter, domain, "
                "version, arm, route_domain, route_confidence, sampling, prompt_tokens, completion_tokens, latency_s, "
                "finish_reason, created_at) VALUES (?, ?, 'u', ?, ?, ?, 'medical@v1', 'medical', 1, 'stable', "
                "'medical', 1, '{}', 10, 20, 0.1, 'stop', ?)",
                ((f"r{i}", f"c{i}", f"h{i // per_group}", f'[{{"role": "user", "content": "question {i // per_group}"}}]',
                  f"answer number {i} with some words in it", i) for i in range(n_answers)))
            conn.executemany(
                "INSERT INTO signals (response_id, kind, dwell_ms, source, created_at) VALUES (?, ?, ?, 'client', ?)",
                ((f"r{rng.randrange(n_answers)}", k, rng.randrange(1, 5000) if k == "DWELL" else None, i)
                 for i, k in ((i, rng.choice(_KINDS)) for i in range(n_signals))))
    finally:
        conn.close()
