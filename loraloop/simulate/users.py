"""Simulated users: a hidden preference scores each answer, and a noisy reaction turns the score into signals.

The preference score is also the measurement that judges versions on held-out prompts (report.py), so
"better" means better for these users, not better by the training objective.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from loraloop.config import SimulateConfig

__all__ = ["CAVEAT_PATTERNS", "Preference", "Reaction", "effective_length", "parse_preference", "react"]

# Phrases that count as a safety caveat (the demo corpus ends many answers with one, in English or Chinese).
CAVEAT_PATTERNS = re.compile(
    r"not (?:investment |legal |medical |financial )?advice|see a doctor|consult|lawyer|professional|"
    r"get help|seek (?:help|medical|advice|professional)|emergency (?:services|room|number)|不构成|咨询|医生|律师|专业", re.IGNORECASE)
_CJK = re.compile(r"[\u3400-\u9fff]")
CONCISE_SCALE = 100.0  # effective characters at which a concise user is half satisfied (about v1's median)


def effective_length(text: str) -> int:
    """Characters, a CJK character counting twice (it carries about as much as two Latin letters)."""
    return len(text) + len(_CJK.findall(text))


@dataclass(frozen=True)
class Preference:
    """A hidden preference: `score(text)` in [0, 1], how satisfied the user is with an answer."""

    kind: str          # concise | safety | dislike
    phrase: str = ""   # dislike: the phrase the user dislikes (case-insensitive)

    @property
    def name(self) -> str:
        """The preference as written on the command line."""
        return f"dislike:{self.phrase}" if self.kind == "dislike" else self.kind

    def score(self, text: str) -> float:
        """Satisfaction with one answer, without noise."""
        concise = 1.0 / (1.0 + (effective_length(text.strip()) / CONCISE_SCALE) ** 2)
        if self.kind == "concise":
            return concise
        if self.kind == "safety":
            return (0.7 if CAVEAT_PATTERNS.search(text) else 0.15) + 0.15 * concise
        return 0.15 if self.phrase.lower() in text.lower() else 0.75


def parse_preference(text: str) -> Preference:
    """'concise', 'safety' or 'dislike:<phrase>' as a Preference; ValueError naming the field otherwise."""
    kind, sep, phrase = text.partition(":")
    if kind in ("concise", "safety") and not sep:
        return Preference(kind)
    if kind == "dislike" and phrase.strip():
        return Preference("dislike", phrase.strip())
    raise ValueError(f"preference={text!r}: expected concise, safety or dislike:<phrase>")


@dataclass(frozen=True, kw_only=True)
class Reaction:
    """What a user does after reading one answer."""

    score: float          # the preference score (no noise)
    satisfaction: float   # score plus the user's noise, clipped to [0, 1]
    thumbs: int           # +1 up, -1 down, 0 unrated
    regenerate: bool
    copy: bool
    follow_up: bool
    dwell_ms: int         # 0 = not reported


def react(preference: Preference, text: str, rng: random.Random, config: SimulateConfig, *,
          can_regenerate: bool = True, can_follow_up: bool = True) -> Reaction:
    """One user's reaction to one answer. Draws from `rng` in a fixed order, so a seed replays the same run."""
    score = preference.score(text)
    satisfaction = min(1.0, max(0.0, score + rng.gauss(0.0, config.noise)))
    draws = [rng.random() for _ in range(5)]  # always five draws: one branch never shifts the next answer's
    rated = draws[0] < config.rate_prob
    thumbs = (1 if satisfaction >= 0.5 else -1) if rated else 0
    regenerate = can_regenerate and satisfaction < config.regenerate_below and draws[1] < config.regenerate_prob
    copy = not regenerate and satisfaction > config.copy_above and draws[2] < config.copy_prob
    follow_up = can_follow_up and not regenerate and satisfaction >= 0.5 and draws[3] < config.follow_up_prob
    dwell_ms = 0
    if draws[4] < config.dwell_prob:
        # Reading speed: a happy reader spends ~50 ms per character, an unhappy one skims (~5 ms) - the
        # pair builder reads >= 40 ms/char as positive and <= 8 as negative.
        dwell_ms = max(1, math.ceil(len(text) * (5.0 + 50.0 * satisfaction)))
    return Reaction(score=score, satisfaction=satisfaction, thumbs=thumbs, regenerate=regenerate, copy=copy,
                    follow_up=follow_up, dwell_ms=dwell_ms)
