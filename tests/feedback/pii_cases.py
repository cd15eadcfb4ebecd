"""The labelled PII case file (pii_cases.jsonl) and how a scrubber is scored on it.

A positive case has a kind, a sub-kind and the PII values it contains; it is caught when no piece of any value
(a run of two or more digits or letters) is left in the scrubbed text beyond what the rest of the text already
holds, so "+86 10 [PHONE]" counts as a miss. Strings listed under "keep" must survive. A control must come
back unchanged. Batch 1 was written before the scrubber was built; batch 2 after it, as a check on overfitting,
and scored once before the fixes it prompted (IBAN lengths per country, "Chrome/120.0.0.0", grouping of phones).
`python bench/pii.py` prints the table.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).with_name("pii_cases.jsonl")

_PIECE = re.compile(r"\d+|[^\W\d_]+")


def load(path: Path = CASES, batch: int | None = None) -> tuple[list[dict], list[dict]]:
    """(positives, controls) from a case file, optionally from one batch only."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if batch is None or r.get("batch") == batch]
    return [r for r in rows if r["kind"] != "control"], [r for r in rows if r["kind"] == "control"]


def leaked(case: dict, out: str) -> list[str]:
    """The pieces of the case's PII values still present in the scrubbed text out."""
    rest = case["text"]
    for value in case["pii"]:
        rest = rest.replace(value, "\0")
    pieces = {p for value in case["pii"] for p in _PIECE.findall(value) if len(p) >= 2}
    return sorted(p for p in pieces if out.count(p) > rest.count(p))


@dataclass
class Score:
    """Recall per kind on the positives, and the cases that went wrong."""

    controls: int = 0
    caught: Counter = field(default_factory=Counter)
    total: Counter = field(default_factory=Counter)
    typed: Counter = field(default_factory=Counter)  # caught under their own placeholder, e.g. [PHONE]
    misses: list[tuple[dict, str]] = field(default_factory=list)
    lost: list[tuple[dict, str]] = field(default_factory=list)  # a "keep" string was scrubbed
    false_positives: list[tuple[dict, str]] = field(default_factory=list)

    def recall(self, kind: str | None = None) -> float:
        """Caught over total, for one kind or overall."""
        if kind is None:
            return sum(self.caught.values()) / max(1, sum(self.total.values()))
        return self.caught[kind] / max(1, self.total[kind])

    def report(self) -> str:
        """A table of recall per kind, then the misses and false positives."""
        lines = [f"{'kind':10} {'caught':>7} {'total':>6} {'recall':>7} {'typed':>6}"]
        for kind in sorted(self.total):
            lines.append(f"{kind:10} {self.caught[kind]:7} {self.total[kind]:6} {self.recall(kind):7.1%} "
                         f"{self.typed[kind] / self.total[kind]:6.0%}")
        lines.append(f"{'overall':10} {sum(self.caught.values()):7} {sum(self.total.values()):6} {self.recall():7.1%}")
        lines.append(f"false positives on {self.controls} controls: {len(self.false_positives)}; "
                     f"kept strings lost: {len(self.lost)}")
        for title, rows in (("miss", self.misses), ("lost", self.lost), ("false positive", self.false_positives)):
            lines += [f"  {title} [{c.get('sub', '')}] {c['text']!r} -> {out!r}" for c, out in rows]
        return "\n".join(lines)


def score(scrub_text: Callable[[str], str], path: Path = CASES, batch: int | None = None) -> Score:
    """Run scrub_text over every case in the file (or in one batch of it)."""
    positives, controls = load(path, batch)
    s = Score(controls=len(controls))
    for case in positives:
        out = scrub_text(case["text"])
        s.total[case["kind"]] += 1
        if leaked(case, out):
            s.misses.append((case, out))
        else:
            s.caught[case["kind"]] += 1
            s.typed[case["kind"]] += f"[{case['kind'].upper()}]" in out
        if any(k not in out for k in case.get("keep", ())):
            s.lost.append((case, out))
    for case in controls:
        out = scrub_text(case["text"])
        if out != case["text"]:
            s.false_positives.append((case, out))
    return s
