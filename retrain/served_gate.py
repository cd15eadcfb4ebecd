"""The served-base gate: a new version must not degenerate on the serving engine's base before it takes traffic.

The training base (NF4 for QLoRA) and the serving base (int8 W8A8 on CPU; AWQ, GPTQ or NF4 on GPU) differ,
and a LoRA can degenerate on a quantized serving base that it did not see in training (vLLM issue #42488
reports it for AWQ Llama-3). So after the job publishes a version and the server has loaded it (pinned,
not active), the server answers the gate's fixed prompts greedily with the version and with its parent
(`Admin.ProbeAdapter`: nothing is recorded, no arm sees it), and the version is compared with its parent
on that same engine:
- `served_eos_rate`: share of answers that end (EOS) within the token limit;
- `served_repetition`: mean share of repeated word 3-grams in an answer (the degenerate-loop signature);
- `served_agreement`: mean similarity of each served answer to the same adapter's greedy answer on the
  training base (difflib ratio over words): how much of what training produced survives the serving base.
A failure names the metric and both values; the job then unloads the version and starts no canary.
The metrics are pure functions here; `probe_and_judge` is the one shell that talks to the server.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from loraloop.config import RetrainConfig

__all__ = ["ProbeSet", "agreement", "judge", "probe_and_judge", "repetition_rate", "served_metrics", "words"]

Messages = list[dict[str, str]]
# A word is a run of letters/digits, one CJK character, or one other non-space symbol: Chinese has no spaces.
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]|[^\W\u3400-\u9fff\uf900-\ufaff]+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, kw_only=True)
class ProbeSet:
    """The gate's prompts and the greedy answers of the candidate and its parent on the training base."""

    prompts: tuple[Messages, ...]
    candidate_training: tuple[str, ...]
    parent_training: tuple[str, ...]

    @classmethod
    def from_result(cls, result: dict[str, Any]) -> ProbeSet | None:
        """The probe set a worker wrote into result.json (None for a method that has none, e.g. reward)."""
        probe = result.get("probe")
        if not probe or not probe.get("prompts"):
            return None
        return cls(prompts=tuple(probe["prompts"]), candidate_training=tuple(probe["candidate"]),
                   parent_training=tuple(probe["parent"]))


def words(text: str) -> list[str]:
    """The text's words (CJK characters one by one), lower-cased."""
    return _WORD.findall(text.lower())


def repetition_rate(text: str, n: int = 3) -> float:
    """Share of the answer's word n-grams that repeat an earlier one (0 for answers shorter than n words)."""
    tokens = words(text)
    grams = [tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)]
    return 1 - len(set(grams)) / len(grams) if grams else 0.0


def agreement(served: str, trained: str) -> float:
    """Similarity in [0, 1] of two answers over their words (1 = identical)."""
    a, b = words(served), words(trained)
    if not a and not b:
        return 1.0
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def served_metrics(answers: Sequence[tuple[str, str]], training: Sequence[str]) -> dict[str, float]:
    """EOS rate, repetition and agreement of served (text, finish_reason) answers against training-base texts."""
    count = len(answers)
    return {
        "served_eos_rate": sum(reason == "stop" for _, reason in answers) / count,
        "served_repetition": sum(repetition_rate(text) for text, _ in answers) / count,
        "served_agreement": sum(agreement(text, t) for (text, _), t in zip(answers, training)) / count,
    }


def judge(candidate: dict[str, float], parent: dict[str, float], config: RetrainConfig) -> list[str]:
    """The served-base checks the candidate fails against its parent (empty = it may take a canary)."""
    failures = []

    def fail(metric: str, how: str, limit_name: str) -> None:
        failures.append(f"{metric}: {candidate[metric]:.4f} on the serving engine vs the parent's {parent[metric]:.4f}, "
                        f"{how} more than {limit_name} {getattr(config, limit_name):.4f}")

    if candidate["served_eos_rate"] < parent["served_eos_rate"] - config.served_max_eos_drop:
        fail("served_eos_rate", "dropped", "served_max_eos_drop")
    if candidate["served_repetition"] > parent["served_repetition"] + config.served_max_repetition_increase:
        fail("served_repetition", "rose", "served_max_repetition_increase")
    if candidate["served_agreement"] < parent["served_agreement"] - config.served_max_agreement_drop:
        fail("served_agreement", "dropped", "served_max_agreement_drop")
    return failures


async def probe_and_judge(client, candidate: str, parent: str, probe: ProbeSet,
                          config: RetrainConfig) -> tuple[dict[str, float], list[str]]:
    """Probe both versions on the server (a LoraloopClient with the admin token); (metrics, failures)."""
    prompts = [list(p) for p in probe.prompts]
    metrics: dict[str, float] = {}
    measured = {}
    for name, ref, training in (("candidate", candidate, probe.candidate_training),
                                ("parent", parent, probe.parent_training)):
        response = await client.probe_adapter(ref, prompts, max_tokens=config.eval_max_new_tokens)
        measured[name] = served_metrics([(a.text, a.finish_reason) for a in response.answers], training)
        prefix = "" if name == "candidate" else "parent_"
        metrics.update({f"{prefix}{k}": v for k, v in measured[name].items()})
    return metrics, judge(measured["candidate"], measured["parent"], config)
