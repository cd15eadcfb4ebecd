"""The demo-corpus router, trained once per test session, and small builders for router tests."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from loraloop.config import RouterConfig
from loraloop.router.evaluation import EvalReport
from loraloop.router.intent import IntentRouter
from loraloop.router.training import train_router
from loraloop.router.training_data import TrainingData, demo_data

# A small hand-written data set (not the demo corpus) for CLI and loader tests: trains in well under a second.
SMALL = {
    "medical": ["my tooth hurts when I eat", "I have a fever and a sore throat", "is ibuprofen safe for children",
                "my knee is swollen after running", "how much sleep does an adult need", "I keep getting headaches",
                "what helps with a bad cough", "my skin itches after the new soap"],
    "finance": ["should I pay off my mortgage early", "how do index funds work", "what is a good savings rate",
                "how much should I put in my pension", "is it smart to buy bonds now", "how do I budget my salary",
                "what is compound interest", "should I use my credit card for groceries"],
    "general": ["recommend a movie for tonight", "how do I make pancakes", "tell me a joke", "what is a good hobby",
                "any tips for a trip to the beach", "what should I read next", "hello there", "I just got a puppy"],
}


@functools.cache
def demo_router() -> tuple[IntentRouter, EvalReport, TrainingData]:
    """The default router trained on the demo corpus, its held-out report and the data (trained once)."""
    data = demo_data(RouterConfig())
    router, report = train_router(data, RouterConfig())
    assert report is not None
    return router, report, data


def turns(*texts: str) -> list[dict[str, str]]:
    """A conversation of user turns with an assistant reply between them (the router must skip those)."""
    messages: list[dict[str, str]] = []
    for text in texts:
        if messages:
            messages.append({"role": "assistant", "content": "Legally speaking, this is an assistant answer."})
        messages.append({"role": "user", "content": text})
    return messages


def write_jsonl(path: Path, rows: Iterable[Any]) -> Path:
    """Write rows (dicts are JSON-encoded, strings written as they are) one per line."""
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row, ensure_ascii=False)) + "\n"
                            for row in rows), encoding="utf-8")
    return path


def small_rows(**extra: Any) -> list[dict[str, Any]]:
    """SMALL as JSONL rows."""
    return [{"text": text, "domain": domain, **extra} for domain, texts in SMALL.items() for text in texts]
