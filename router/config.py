"""RouterConfig: how the intent router (router/intent.py) picks a domain, and how it is trained and evaluated."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from loraloop.settings import ConfigError, check_fields, default_home, setting

__all__ = ["ROUTER_CLASSIFIERS", "RouterConfig"]

ROUTER_CLASSIFIERS = ("ngram",)
_CLASSIFIER_IMPORT = r"[A-Za-z_][\w.]*:[A-Za-z_]\w*"


@dataclass(frozen=True, kw_only=True)
class RouterConfig:
    """How the intent router picks a domain for a conversation, and how it is trained and evaluated."""

    path: str = setting(
        "", "Trained router file; empty = <home>/router/router.joblib (trained from the demo corpus when missing).")
    classifier: str = setting(
        "ngram", "Classifier to train: 'ngram' (character and word n-grams, linear model) or 'package.module:Class' "
                 "implementing IntentClassifier.")
    min_confidence: float = setting(
        0.4, "Route confidence below which the base model answers (domain 'general', fallback).",
        ge=0, le=1, what="probability")
    context_turns: int = setting(
        3, "Earlier user turns read as the conversation's context; 0 = route on the latest turn alone.", ge=0)
    context_weight: float = setting(
        0.5, "Weight of the conversation so far against the latest turn when they are blended, in [0, 1).",
        ge=0, lt=1, what="weight", note="1 would ignore the latest turn")
    follow_up_margin: float = setting(
        0.3, "Probability lead the latest turn alone must give another domain over the conversation's before the "
             "route switches; below it the turn is a follow-up.", ge=0, le=1, what="probability")
    max_chars: int = setting(
        2000, "Characters of a turn the classifier reads (half from its start, half from its end); bounds routing "
              "time.", ge=16)
    cache_turns: int = setting(
        4096, "Turns whose classifier scores are kept (LRU): every request resends the conversation's earlier turns; "
              "0 = no cache.", ge=0)
    heldout_share: float = setting(
        0.15, "Share of each domain's examples held out for evaluation when the data has no 'split' field.",
        gt=0, le=0.5, what="share")
    min_examples_per_domain: int = setting(
        5, "Fewest labeled examples a domain needs in the training data.", ge=2,
        note="one to train on, one to hold out")
    seed: int = setting(0, "Seed of the train / held-out split of data without a 'split' field.")

    def __post_init__(self) -> None:
        if not (self.classifier in ROUTER_CLASSIFIERS or re.fullmatch(_CLASSIFIER_IMPORT, str(self.classifier))):
            raise ConfigError("classifier", self.classifier,
                              f"expected one of {ROUTER_CLASSIFIERS} or 'package.module:Class'")
        check_fields(self)

    def router_file(self, home: Path | None = None) -> Path:
        """The resolved router file: `path`, else <home>/router/router.joblib."""
        return Path(self.path) if self.path else (home or default_home()) / "router" / "router.joblib"
