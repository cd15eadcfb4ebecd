"""Training data from the feedback store: rows new since the parent's watermark, a replay share, a held-out split.

A watermark is the newest `created_at` of the pairs (and of the labels) a version trained on; it is stored in
the version's loraloop.json, so the next job starts where its parent stopped. Row ids are not used as
watermarks because the pair builder re-creates labels (new ids) whenever it re-judges a prompt, while it keeps
`created_at` of rows that did not change. The held-out split is by prompt (conversation context), so one prompt
never lands on both sides, and by a seeded hash, so the same data always splits the same way.

Guard rows (loraloop/guard) join the training side only, through `with_guard`, the one place every method's
mix is made: the held-out guard families are the gate's, and held-out feedback rows stay feedback.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.feedback.export import write_jsonl
from loraloop.guard import GuardCase, guard_count, pair_row, pick_cases, sft_row

__all__ = ["GUARD_KIND", "Snapshot", "load_watermark", "new_row_count", "snapshot", "with_guard"]

PAIRS_FILE = {"train": "train_pairs.jsonl", "eval": "eval_pairs.jsonl"}
SFT_FILE = {"train": "train_sft.jsonl", "eval": "eval_sft.jsonl"}
# What guard rows each method trains on: sft learns the answer to keep; the others learn it over the one to
# avoid (ppo through the prompts and the reward model that learnt those pairs).
GUARD_KIND = {"sft": "sft", "dpo": "pairs", "reward": "pairs", "ppo": "pairs"}


@dataclass(frozen=True, kw_only=True)
class Snapshot:
    """The rows one job trains and evaluates on, with their provenance."""

    domain: str
    train_pairs: tuple[dict[str, Any], ...]
    eval_pairs: tuple[dict[str, Any], ...]
    train_sft: tuple[dict[str, Any], ...]
    eval_sft: tuple[dict[str, Any], ...]
    new_pairs: int
    new_sft: int
    new_prompts: int
    replayed: int
    watermark: dict[str, float]
    lineage: tuple[str, ...] = field(repr=False)
    digest: str
    guard: dict[str, Any] = field(default_factory=lambda: {"share": 0.0, "rows": 0})  # what with_guard mixed in

    @property
    def pairs(self) -> int:
        """Preference pairs in the snapshot (train + held out)."""
        return len(self.train_pairs) + len(self.eval_pairs)

    def summary(self) -> dict[str, Any]:
        """Counts, watermark and digest, as recorded in the published version's loraloop.json."""
        return {"digest": self.digest, "watermark": self.watermark, "new_pairs": self.new_pairs,
                "new_sft": self.new_sft, "new_prompts": self.new_prompts, "replayed": self.replayed,
                "train_pairs": len(self.train_pairs), "eval_pairs": len(self.eval_pairs),
                "train_sft": len(self.train_sft), "eval_sft": len(self.eval_sft), "guard": dict(self.guard)}

    def write(self, folder: Path) -> None:
        """The four JSONL files in TRL's conversational format, plus snapshot.json."""
        folder.mkdir(parents=True, exist_ok=True)
        for split, rows in (("train", self.train_pairs), ("eval", self.eval_pairs)):
            write_jsonl(({"prompt": r["prompt"], "chosen": _assistant(r["chosen"]),
                          "rejected": _assistant(r["rejected"])} for r in rows), folder / PAIRS_FILE[split])
        for split, rows in (("train", self.train_sft), ("eval", self.eval_sft)):
            write_jsonl(({"prompt": r["prompt"], "completion": _assistant(r["completion"])} for r in rows),
                        folder / SFT_FILE[split])
        (folder / "snapshot.json").write_text(json.dumps(
            {"domain": self.domain, **self.summary(), "lineage": list(self.lineage)}, indent=1) + "\n")


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def load_watermark(metadata: dict[str, Any]) -> dict[str, float]:
    """The watermark a published version trained up to (zeros for a version not trained from feedback)."""
    mark = (metadata.get("dataset") or {}).get("watermark") or {}
    return {"pairs": float(mark.get("pairs", 0.0)), "labels": float(mark.get("labels", 0.0))}


def _connect(db: str | Path) -> storage.Connection | None:
    if not storage.is_postgres(db) and not storage.database_path(db).is_file():
        return None
    conn = storage.connect(db, busy_timeout_ms=30_000, readonly=True)
    if not {"pairs", "labels"} <= storage.table_names(conn):  # a database the pair builder never ran on
        conn.close()
        return None
    return conn


def _pair_rows(conn: storage.Connection, domain: str) -> list[dict[str, Any]]:
    cursor = conn.execute("SELECT id, context_hash, prompt, chosen, rejected, weight, created_at FROM pairs "
                          "WHERE domain = ? ORDER BY id", [domain])
    return [{"id": f"pairs:{r[0]}", "context": r[1], "prompt": json.loads(r[2]), "chosen": r[3], "rejected": r[4],
             "weight": r[5], "created_at": r[6]} for r in cursor]


def _sft_rows(conn: storage.Connection, domain: str, pairs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Chosen answers of pairs and desirable labels (corrections included), one row per (prompt, answer)."""
    rows = [{"id": p["id"], "context": p["context"], "prompt": p["prompt"], "completion": p["chosen"],
             "created_at": p["created_at"], "table": "pairs"} for p in pairs]
    cursor = conn.execute("SELECT id, context_hash, prompt, completion, created_at FROM labels "
                          "WHERE domain = ? AND label = 1 ORDER BY id", [domain])
    rows += [{"id": f"labels:{r[0]}", "context": r[1], "prompt": json.loads(r[2]), "completion": r[3],
              "created_at": r[4], "table": "labels"} for r in cursor]
    seen: set[tuple[str, str]] = set()
    unique = []
    for row in rows:
        key = (row["context"], row["completion"])
        if key not in seen:
            seen.add(key)
            unique.append(row)
    return unique


def _is_new(row: dict[str, Any], watermark: dict[str, float]) -> bool:
    table = row.get("table") or row["id"].split(":")[0]
    return row["created_at"] > watermark[table]


def _with_replay(rows: list[dict[str, Any]], watermark: dict[str, float], share: float,
                 rng: random.Random) -> tuple[list[dict[str, Any]], int, int]:
    new = [r for r in rows if _is_new(r, watermark)]
    old = [r for r in rows if not _is_new(r, watermark)]
    take = min(len(old), round(share * len(new)))
    replay = rng.sample(old, take) if take else []
    return new + sorted(replay, key=lambda r: r["id"]), len(new), take


def _eval_contexts(contexts: set[str], share: float, seed: int) -> set[str]:
    if len(contexts) < 2:
        return set()  # nothing to hold out without leaving nothing to train on
    ranked = sorted(contexts, key=lambda c: hashlib.sha256(f"{seed}:{c}".encode()).hexdigest())
    return set(ranked[:max(1, math.ceil(share * len(ranked)))])


def _digest(domain: str, parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps({"domain": domain, **parts}, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k not in ("context", "table", "created_at")}


def snapshot(db_file: str | Path, domain: str, watermark: dict[str, float], *, replay_share: float, eval_share: float,
             seed: int) -> Snapshot:
    """The rows a job on `domain` trains on: everything newer than `watermark` plus a replay sample of older rows."""
    conn = _connect(db_file)
    try:
        pairs = _pair_rows(conn, domain) if conn else []
        sft = _sft_rows(conn, domain, pairs) if conn else []
    finally:
        if conn:
            conn.close()
    rng = random.Random(seed)
    pairs, new_pairs, replayed_pairs = _with_replay(pairs, watermark, replay_share, rng)
    sft, new_sft, replayed_sft = _with_replay(sft, watermark, replay_share, rng)
    new_prompts = len({r["context"] for r in pairs + sft if _is_new(r, watermark)})
    held_out = _eval_contexts({r["context"] for r in pairs + sft}, eval_share, seed)
    split = {name: (tuple(_public(r) for r in rows if r["context"] not in held_out),
                    tuple(_public(r) for r in rows if r["context"] in held_out))
             for name, rows in (("pairs", pairs), ("sft", sft))}
    mark = dict(watermark)
    for row in pairs + sft:
        table = row.get("table") or "pairs"
        mark[table] = max(mark[table], row["created_at"])
    lineage = tuple(sorted({r["id"] for r in pairs + sft}, key=lambda i: (i.split(":")[0], int(i.split(":")[1]))))
    return Snapshot(domain=domain, train_pairs=split["pairs"][0], eval_pairs=split["pairs"][1],
                    train_sft=split["sft"][0], eval_sft=split["sft"][1], new_pairs=new_pairs, new_sft=new_sft,
                    new_prompts=new_prompts, replayed=replayed_pairs + replayed_sft, watermark=mark,
                    lineage=lineage, digest=_digest(domain, split))


def with_guard(snap: Snapshot, method: str, cases: Sequence[GuardCase], *, share: float, seed: int,
               guard_digest: str = "") -> Snapshot:
    """The snapshot with guard rows making up `share` of the method's training rows (loraloop.guard.mix).

    sft gets SFT rows; dpo, reward and ppo get preference pairs. ppo's rows are its distinct prompts, so its
    share is counted on those. The lineage gains `guard:<case id>` for each case used, and `guard` records
    the share, the rows and the guard set's digest; the snapshot digest then covers the guard rows too.
    """
    kind = GUARD_KIND.get(method)
    if kind is None:
        raise ValueError(f"method={method!r}: expected one of {', '.join(GUARD_KIND)}")
    if method == "ppo":
        feedback = len({json.dumps(r["prompt"], sort_keys=True) for r in snap.train_pairs + snap.train_sft})
    else:
        feedback = len(snap.train_sft if kind == "sft" else snap.train_pairs)
    picked = pick_cases(cases, guard_count(feedback, share), seed)
    summary = {"share": share, "rows": len(picked), "kind": kind, "cases": len({c.id for c in picked}),
               "digest": guard_digest}
    if not picked:
        return replace(snap, guard=summary)
    rows = tuple(sft_row(c) if kind == "sft" else pair_row(c) for c in picked)
    train_sft = snap.train_sft + rows if kind == "sft" else snap.train_sft
    train_pairs = snap.train_pairs + rows if kind == "pairs" else snap.train_pairs
    split = {"pairs": (train_pairs, snap.eval_pairs), "sft": (train_sft, snap.eval_sft)}
    used = sorted({r["id"] for r in rows})
    return replace(snap, train_sft=train_sft, train_pairs=train_pairs, lineage=snap.lineage + tuple(used),
                   digest=_digest(snap.domain, {"guard": summary, **split}), guard=summary)


def new_row_count(db_file: str | Path, domain: str, watermark: dict[str, float]) -> int:
    """Preference pairs of `domain` created after the watermark (what a dpo job would call new)."""
    conn = _connect(db_file)
    if conn is None:
        return 0
    try:
        return conn.execute("SELECT COUNT(*) FROM pairs WHERE domain = ? AND created_at > ?",
                            [domain, watermark["pairs"]]).fetchone()[0]
    finally:
        conn.close()
