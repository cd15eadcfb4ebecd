"""Exports pairs and labels as JSONL rows that TRL's DPO, KTO and SFT trainers load unchanged."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.storage import Connection

__all__ = ["FORMATS", "export_rows", "stats", "write_jsonl"]

FORMATS = ("dpo", "kto", "sft")


def _assistant(text: str) -> list[dict[str, str]]:
    return [{"role": "assistant", "content": text}]


def export_rows(db: Connection, *, domain: str, fmt: str, since: float = 0.0) -> Iterator[dict[str, Any]]:
    """Rows in TRL's conversational format: dpo (prompt/chosen/rejected), kto (prompt/completion/label), sft (prompt/completion)."""
    if fmt not in FORMATS:
        raise ValueError(f"format={fmt!r}: expected one of {', '.join(FORMATS)}")
    if fmt == "dpo":
        for r in storage.dict_rows(db.execute("SELECT * FROM pairs WHERE domain = ? AND created_at >= ? ORDER BY id",
                                                [domain, since])):
            # Only TRL's columns: the trainers reject or mis-collate extra string columns.
            yield {"prompt": json.loads(r["prompt"]), "chosen": _assistant(r["chosen"]),
                   "rejected": _assistant(r["rejected"])}
        return
    label_filter = "" if fmt == "kto" else "AND label = 1"  # SFT learns from the desirable answers only
    for r in storage.dict_rows(db.execute(
            f"SELECT * FROM labels WHERE domain = ? AND created_at >= ? {label_filter} ORDER BY id", [domain, since])):
        row = {"prompt": json.loads(r["prompt"]), "completion": _assistant(r["completion"])}
        if fmt == "kto":
            row["label"] = bool(r["label"])
        yield row


def write_jsonl(rows: Iterator[dict[str, Any]], path: Path) -> int:
    """Write rows as JSON lines; returns how many."""
    n = 0
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
            n += 1
    return n


def stats(db: Connection) -> list[dict[str, Any]]:
    """Per adapter version: answers, signals by kind, thumbs-down and regenerate rates, pairs and labels."""
    out = []
    for adapter, answers in db.execute("SELECT adapter, COUNT(*) FROM responses GROUP BY adapter ORDER BY adapter"):
        kinds = dict(db.execute(
            "SELECT s.kind, COUNT(*) FROM signals s JOIN responses r ON r.id = s.response_id "
            "WHERE r.adapter = ? GROUP BY s.kind", [adapter]).fetchall())
        rated = kinds.get("THUMBS_UP", 0) + kinds.get("THUMBS_DOWN", 0)
        out.append({
            "adapter": adapter, "answers": answers, "signals": kinds,
            "thumbs_up_rate": kinds.get("THUMBS_UP", 0) / rated if rated else None,
            "thumbs_down_rate": kinds.get("THUMBS_DOWN", 0) / answers,
            "regenerate_rate": kinds.get("REGENERATE", 0) / answers,
            "pairs_as_chosen": db.execute("SELECT COUNT(*) FROM pairs WHERE chosen_adapter = ?", [adapter]).fetchone()[0],
            "pairs_as_rejected": db.execute("SELECT COUNT(*) FROM pairs WHERE rejected_adapter = ?",
                                            [adapter]).fetchone()[0],
        })
    return out
