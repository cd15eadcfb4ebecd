"""PII scrubbing: recall per kind and false positives on tests/feedback/pii_cases.jsonl, and speed in chars/s.

Speed is measured on every message of the demo corpus (ordinary answers, the common case), on those of its
messages that hold a digit (the only ones the phone and ID patterns look at), and on the case file's own texts
(dense with numbers and PII, the worst case). `--scrubber FILE` scores another
version of feedback/pii.py, e.g. the regex-only one that came before libphonenumber:

    git show 5f097ca:feedback/pii.py > /tmp/pii_old.py
    python bench/pii.py --scrubber /tmp/pii_old.py
    python bench/pii.py

Usage: python bench/pii.py [--scrubber FILE] [--batch 1|2] [--repeat 5] [--misses]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the case file and its scoring live with the tests


def load_scrubber(path: str | None) -> Callable[[str], str]:
    if path is None:
        from loraloop.feedback.pii import scrub_text
        return scrub_text
    spec = importlib.util.spec_from_file_location("pii_under_test", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module.scrub_text


def corpus_texts() -> list[str]:
    texts = []
    for f in sorted((REPO / "loraloop" / "demo" / "corpus").glob("*.jsonl")):
        for line in f.read_text(encoding="utf-8").splitlines():
            texts += [m["content"] for m in json.loads(line)["messages"]]
    return texts


def chars_per_s(scrub_text: Callable[[str], str], texts: list[str], repeat: int) -> float:
    chars, best = sum(map(len, texts)), float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        for t in texts:
            scrub_text(t)
        best = min(best, time.perf_counter() - t0)
    return chars / best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scrubber", help="a pii.py to load instead of loraloop.feedback.pii")
    parser.add_argument("--repeat", type=int, default=5, help="timing passes; the best is kept")
    parser.add_argument("--misses", action="store_true", help="list misses and false positives")
    parser.add_argument("--batch", type=int, help="score one batch of the case file only (1 or 2)")
    args = parser.parse_args()
    from tests.feedback.pii_cases import load, score

    scrub_text = load_scrubber(args.scrubber)
    result = score(scrub_text, batch=args.batch)
    report = result.report()
    print(report if args.misses else report.split("\n  ")[0])
    positives, controls = load()
    corpus = corpus_texts()
    cases = [c["text"] for c in positives + controls]
    with_digit = [t for t in corpus if any(ch.isdigit() for ch in t)]
    for name, texts in (("demo corpus", corpus), ("demo corpus, messages with a digit", with_digit), ("case file", cases)):
        rate = chars_per_s(scrub_text, texts, args.repeat)
        print(f"{name} ({len(texts):,} texts, {sum(map(len, texts)):,} chars): {rate:,.0f} chars/s")


if __name__ == "__main__":
    main()
