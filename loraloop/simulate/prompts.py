"""Per-domain prompt pools from the demo corpus's held-out split: never in the v1 adapters' training data.

The held-out prompts are split again, by a seeded hash: the users' pool (their answers become the
feedback the retrain daemon trains on) and the evaluation prompts (never asked by users, so a version's
measured score there is out of sample for the retraining too).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

from loraloop.demo.data import load_corpus

__all__ = ["GENERIC_FOLLOW_UPS", "MAX_FOLLOW_UPS", "PromptItem", "PromptPools", "prompt_pools"]

# Follow-ups a satisfied user may ask in one conversation: three turns, long enough for the pair builder's
# anti-repetition pairs (a good answer at turn >= 2 against copies of what came before it).
MAX_FOLLOW_UPS = 2
GENERIC_FOLLOW_UPS = {"en": ("Can you explain that a bit more?", "Anything else I should keep in mind?"),
                      "zh": ("能再详细说说吗？", "还有什么需要注意的吗？")}


@dataclass(frozen=True, kw_only=True)
class PromptItem:
    """One opening question and the follow-ups a satisfied user asks next, in order."""

    id: str
    lang: str
    text: str
    follow_ups: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class PromptPools:
    """The users' pool and the held-out evaluation prompts of one domain."""

    domain: str
    pool: tuple[PromptItem, ...]
    evaluation: tuple[PromptItem, ...]


def prompt_pools(domain: str, *, eval_share: float, seed: int) -> PromptPools:
    """Split the domain's held-out corpus conversations into the users' pool and the evaluation prompts."""
    records = [r for r in load_corpus("heldout") if r["domain"] == domain]
    if len(records) < 4:
        raise ValueError(f"domain={domain!r}: the demo corpus has {len(records)} held-out conversations for it; "
                         "expected a demo domain (medical, finance, legal)")
    items = [PromptItem(id=r["id"], lang=r["lang"], text=r["messages"][0]["content"], follow_ups=_follow_ups(r))
             for r in records]
    ranked = sorted(items, key=lambda i: hashlib.sha256(f"{seed}:{i.id}".encode()).hexdigest())
    cut = max(1, math.ceil(eval_share * len(ranked)))
    return PromptPools(domain=domain, pool=tuple(sorted(ranked[cut:], key=lambda i: i.id)),
                       evaluation=tuple(sorted(ranked[:cut], key=lambda i: i.id)))


def _follow_ups(record: dict) -> tuple[str, ...]:
    """The conversation's own later questions, then generic ones, MAX_FOLLOW_UPS in all."""
    own = [m["content"] for m in record["messages"][2::2] if m["role"] == "user"]
    generic = [q for q in GENERIC_FOLLOW_UPS.get(record["lang"], GENERIC_FOLLOW_UPS["en"]) if q not in own]
    return tuple((own + generic)[:MAX_FOLLOW_UPS])
