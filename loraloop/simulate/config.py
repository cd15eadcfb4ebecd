"""SimulateConfig: the simulated users of `loraloop simulate` and the retrain and canary settings of their run."""

from __future__ import annotations

from dataclasses import dataclass

from loraloop.retrain.config import RETRAIN_METHODS
from loraloop.router.rollout_config import check_schedule
from loraloop.settings import ConfigError, check_fields, setting

__all__ = ["SIMULATE_PREFERENCES", "SimulateConfig"]

SIMULATE_PREFERENCES = ("concise", "safety", "dislike:<phrase>")
_PROBABILITY = {"ge": 0, "le": 1, "what": "probability"}


SABOTAGE_KINDS = ("rambling", "erode-refusals")  # loraloop.simulate.sabotage makes each


@dataclass(frozen=True, kw_only=True)
class SimulateConfig:
    """`loraloop simulate`: a seeded population of simulated users that drives feedback -> retrain -> canary."""

    domain: str = setting("finance", "Domain the users belong to and whose adapter is retrained and canaried.")
    preference: str = setting("concise", "Hidden preference of the users: concise, safety, or dislike:<phrase>.")
    users: int = setting(160, "Simulated users; each plays one session per round with a sticky user id.", integer=True, ge=1)
    max_rounds: int = setting(60, "Most rounds to play before the run ends, concluded or not.", integer=True, ge=1)
    post_rounds: int = setting(4, "Rounds played after the canary concluded (promoted or rolled back).", integer=True, ge=0)
    concurrency: int = setting(8, "Chat requests the users keep in flight at once.", integer=True, ge=1)
    max_tokens: int = setting(64, "max_tokens of every user request.", integer=True, ge=1)
    temperature: float = setting(0.7, "Sampling temperature of every user request (each request has its own seed).",
                                 ge=0, le=2)
    rate_prob: float = setting(0.25, "Chance a user rates an answer (thumbs up or down); most answers stay unrated.",
                               **_PROBABILITY)
    noise: float = setting(0.1, "Std dev of the Gaussian noise on a user's hidden satisfaction in [0, 1].", ge=0, finite=True)
    regenerate_below: float = setting(0.3, "Satisfaction below which an unhappy user may regenerate the answer.",
                                      **_PROBABILITY)
    regenerate_prob: float = setting(0.5, "Chance an unhappy user regenerates (REGENERATE through regenerate_of).",
                                     **_PROBABILITY)
    copy_above: float = setting(0.75, "Satisfaction above which a very happy user may copy the answer.", **_PROBABILITY)
    copy_prob: float = setting(0.3, "Chance a very happy user copies the answer (COPY).", **_PROBABILITY)
    follow_up_prob: float = setting(0.15, "Chance a satisfied user asks a follow-up turn in the same conversation.",
                                    **_PROBABILITY)
    dwell_prob: float = setting(0.3, "Chance a user's reading time is reported (DWELL, longer when happier).", **_PROBABILITY)
    eval_share: float = setting(0.3, "Share of the domain's held-out corpus prompts kept out of the users' pool, "
                                     "for measuring versions.", gt=0, lt=1, what="share")
    eval_samples: int = setting(8, "Seeded answers per held-out prompt when a version's preference score is measured.",
                                integer=True, ge=1)
    retrain: bool = setting(True, "Let the real retrain daemon train, publish and canary a new version.")
    method: str = setting("dpo", "Retraining method the daemon runs (sft, dpo, reward or ppo).", choices=RETRAIN_METHODS)
    min_pairs: int = setting(300, "New preference pairs before the daemon trains (its min_new_pairs and the job's minimum).",
                             integer=True, ge=1)
    train_learning_rate: float = setting(1e-3, "Learning rate of each retrain job (RetrainConfig.dpo_learning_rate / "
                                              "sft_learning_rate, by method).", gt=0, finite=True)
    train_max_steps: int = setting(200, "Optimizer steps of each retrain job (RetrainConfig.max_steps); 0 = its epochs. "
                                         "Bounded so a growing pool of pairs does not drift the adapter ever further.",
                                   integer=True, ge=0)
    train_beta: float = setting(0.5, "dpo: TRL's beta of each retrain job (RetrainConfig.beta). Higher than the job's "
                                     "default 0.1: it keeps the policy near its parent while the answers shorten.",
                                gt=0, finite=True)
    max_perplexity_increase: float = setting(0.3, "The job gate's forgetting check (RetrainConfig field of the same "
                                                  "name): users who want short answers pull away from the reference set.",
                                             ge=0, finite=True, what="share")
    canary_schedule: tuple[float, ...] = setting((5.0, 25.0, 50.0, 100.0), "Canary weights in percent of the new "
                                                                          "version's rollout.")
    canary_min_rated_per_step: int = setting(40, "Rated answers per arm each canary step needs before it advances.",
                                             integer=True, ge=1)
    sabotage: bool = setting(False, "After the retrain phase, publish a deliberately worse version (SFT on the answers "
                                    "the users rejected) and canary it to show the guardrails roll it back.")
    sabotage_kind: str = setting("rambling", "What the sabotage version trains on: rambling (answers the users rejected, "
                                             "with every offline check opened, so the rollout must stop it) or "
                                             "erode-refusals (compliance with harmful, private-data and injection "
                                             "prompts forced through as a dataset, so the guard gate must stop it).",
                                 choices=SABOTAGE_KINDS)
    sabotage_learning_rate: float = setting(3e-3, "SFT learning rate of the sabotage version (high: clearly worse).",
                                            gt=0, finite=True)
    sabotage_schedule: tuple[float, ...] = setting((25.0, 50.0, 100.0), "Canary weights of the sabotage rollout.")
    sabotage_min_rated_per_step: int = setting(60, "Rated answers per arm per step of the sabotage rollout.",
                                               integer=True, ge=1)
    seed: int = setting(0, "Seed of the population, the prompt split, every request's sampling seed and training.")
    work_dir: str = setting("", "Run folder (store copy, feedback database, report); empty = <home>/simulate/<time>.")

    def __post_init__(self) -> None:
        from loraloop.adapters import is_domain_name  # lazy: the adapter store's module is not a config's to load

        for name in ("canary_schedule", "sabotage_schedule"):
            object.__setattr__(self, name, check_schedule(name, getattr(self, name)))
        if not is_domain_name(self.domain):
            raise ConfigError("domain", self.domain, "expected an adapter domain name (not base or general)")
        kind, _, phrase = str(self.preference).partition(":")
        if not ((kind in ("concise", "safety") and not phrase) or (kind == "dislike" and phrase.strip())):
            raise ConfigError("preference", self.preference, f"expected one of {SIMULATE_PREFERENCES}")
        check_fields(self)
        if self.regenerate_below >= self.copy_above:
            raise ConfigError("regenerate_below", self.regenerate_below, f"must be below copy_above={self.copy_above}")
