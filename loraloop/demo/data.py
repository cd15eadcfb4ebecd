"""The demo chat corpus shipped in `corpus/` (written for this project; see corpus/README.md)."""

from __future__ import annotations

import functools
import hashlib
import json
from pathlib import Path
from typing import Any

__all__ = ["CORPUS_DIR", "DOMAINS", "corpus_digest", "load_corpus"]

CORPUS_DIR = Path(__file__).with_name("corpus")
DOMAINS = ("medical", "finance", "legal", "general")


def _files() -> list[Path]:
    return [CORPUS_DIR / f"{domain}.jsonl" for domain in DOMAINS]


def load_corpus(split: str | None = None) -> list[dict[str, Any]]:
    """Every conversation record (`id, domain, lang, split, messages`), optionally one split only."""
    records = [json.loads(line) for path in _files() for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [r for r in records if split is None or r["split"] == split]


@functools.cache
def corpus_digest() -> str:
    """sha256 over the corpus files: part of the demo build's cache key."""
    digest = hashlib.sha256()
    for path in _files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()
