"""A scripted preference written into a feedback database through the real store and pair builder.

For each prompt of a domain's demo corpus, two answers are recorded: a short one (the corpus answer's first
sentence, then a short caveat ending with the domain's keyword) that gets THUMBS_UP, and a long rambling
one (every content sentence plus sentences borrowed from other answers, no caveat) that gets THUMBS_DOWN.
The pair builder turns each prompt into one DPO pair (and KTO labels: the short answer is desirable).
"""

from __future__ import annotations

import random
import sqlite3
import uuid
from pathlib import Path

from sqlite_utils import Database

from loraloop.demo.data import load_corpus
from loraloop.feedback.pairs import PairBuilder
from loraloop.feedback.store import FeedbackStore, ResponseRecord, SignalKind, SignalRecord

__all__ = ["CAVEATS", "KEYWORDS", "scripted_examples", "write_scripted_feedback"]

KEYWORDS = {"medical": "doctor", "finance": "advice", "legal": "lawyer"}
CAVEATS = {"medical": "If it persists, see a doctor.", "finance": "This is not advice.",
           "legal": "Laws vary, so consult a lawyer."}


def _sentences(text: str) -> list[str]:
    parts = [p.strip() for p in text.replace(". ", ".\n").splitlines() if p.strip()]
    return [p for p in parts if KEYWORDS["medical"] not in p and "advice" not in p and "lawyer" not in p]


def scripted_examples(domain: str, *, split: str = "train", limit: int = 64, seed: int = 0):
    """(prompt messages, short chosen answer, long rejected answer) for single-turn English prompts."""
    records = [r for r in load_corpus(split) if r["domain"] == domain and r["lang"] == "en" and len(r["messages"]) == 2]
    pool = [s for r in records for s in _sentences(r["messages"][-1]["content"])[1:]]
    rng = random.Random(seed)
    out = []
    for r in records[:limit]:
        content = _sentences(r["messages"][-1]["content"])
        chosen = f"{content[0]} {CAVEATS[domain]}"
        rejected = " ".join(content + rng.sample(pool, 3))
        out.append((r["messages"][:1], chosen, rejected))
    return out


def _record(messages, text: str, adapter: str, domain: str, created_at: float) -> ResponseRecord:
    return ResponseRecord(id=uuid.uuid4().hex, conversation_id=uuid.uuid4().hex, user_id="scripted",
                          messages=tuple(messages), text=text, adapter=adapter, domain=domain, version=1,
                          arm="stable", route_domain=domain, route_confidence=1.0, sampling={"temperature": 0.7},
                          prompt_tokens=10, completion_tokens=len(text) // 4, ttft_s=0.01, latency_s=0.1,
                          finish_reason="stop", created_at=created_at)


def write_scripted_feedback(db_file: Path, domain: str, *, limit: int = 64, split: str = "train",
                            created_at: float = 1.7e9) -> int:
    """Record the scripted answers and thumbs, build pairs; returns the number of pairs of `domain` now stored."""
    store = FeedbackStore(db_file)
    try:
        items: list = []
        for i, (messages, chosen, rejected) in enumerate(scripted_examples(domain, split=split, limit=limit)):
            good = _record(messages, chosen, f"{domain}@v1", domain, created_at + i)
            bad = _record(messages, rejected, f"{domain}@v1", domain, created_at + i)
            items += [good, bad,
                      SignalRecord(response_id=good.id, kind=SignalKind.THUMBS_UP, created_at=created_at + i),
                      SignalRecord(response_id=bad.id, kind=SignalKind.THUMBS_DOWN, created_at=created_at + i)]
        store.write_batch(items)
    finally:
        store.close()
    db = Database(sqlite3.connect(str(db_file)))
    try:
        PairBuilder(db).build()
        return db.execute("SELECT COUNT(*) FROM pairs WHERE domain = ?", [domain]).fetchone()[0]
    finally:
        db.close()
