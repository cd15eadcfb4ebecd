"""RetrainConfig (one retraining job: retrain/jobs.py) and RetrainDaemonConfig (when to run one: retrain/daemon.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.guard.mix import DEFAULT_GUARD_SHARE
from loraloop.guard.refusal import RefusalDetectorError, check_refusal_patterns
from loraloop.retrain.domain_overrides import OVERRIDABLE, parse_overrides
from loraloop.router.rollout_config import check_schedule
from loraloop.settings import DATABASE_HELP, DEVICES, ConfigError, check_database_url, check_fields, default_home, resolve_database, setting

__all__ = ["RETRAIN_LAUNCHERS", "RETRAIN_METHODS", "RetrainConfig", "RetrainDaemonConfig"]

RETRAIN_METHODS = ("sft", "dpo", "reward", "ppo")
RETRAIN_LAUNCHERS = ("python", "accelerate")
_SECONDS = "number of seconds"


def _drift_metrics() -> tuple[str, ...]:
    from loraloop.feedback.drift_stats import DRIFT_METRICS  # lazy: it brings numpy, which configs do not need

    return tuple(DRIFT_METRICS)


@dataclass(frozen=True, kw_only=True)
class RetrainDaemonConfig:
    """How `loraloop retrain daemon` decides when to train which domain, and where it keeps locks and metrics."""

    domains: tuple[str, ...] = setting((), "Domains the daemon watches; empty = every domain in the adapter store.")
    method: str = setting("dpo", "Training method of every domain (sft, dpo, reward or ppo) unless overridden.",
                          choices=RETRAIN_METHODS)
    schedule_interval_s: float = setting(0.0, "Retrain a domain when this many seconds passed since its last run; 0 = off.",
                                         ge=0, finite=True, what=_SECONDS)
    min_new_pairs: int = setting(50, "Retrain a domain when it has at least this many new preference pairs; 0 = off.", ge=0)
    retrain_on_drift: bool = setting(True, "Retrain a domain when a drift event for it is newer than its last run.")
    drift_metrics: tuple[str, ...] = setting((), "Drift metrics whose events trigger a run (e.g. prompt_js); empty = all.")
    domain_overrides: tuple[str, ...] = setting(
        (), "Per-domain settings 'domain.field=value' (fields: method, schedule_interval_s, min_new_pairs, "
            "retrain_on_drift, drift_metrics with '+' between names), e.g. 'legal.method=sft'.")
    poll_interval_s: float = setting(60.0, "Seconds between two looks at the triggers.", gt=0, finite=True, what=_SECONDS)
    failure_cooldown_s: float = setting(1800.0, "Seconds a domain waits after a run that did not publish, whatever fires.",
                                        ge=0, finite=True, what=_SECONDS)
    drift_min_interval_s: float = setting(21600.0, "Seconds since the last run before drift alone may start another: "
                                                   "drift lasts while users' habits change; one run per span, not per event.",
                                          ge=0, finite=True, what=_SECONDS)
    state_dir: str = setting("", "Folder of the domain and GPU lock files; empty = <home>/retrain.")
    gpu_slots: int = setting(0, "Jobs that may run at once (one per GPU); 0 = the CUDA device count, 1 on CPU.", ge=0)
    metrics_host: str = setting("127.0.0.1", "Address the /metrics HTTP server binds.")
    metrics_port: int = setting(9401, "HTTP port for Prometheus /metrics; 0 picks a free one, -1 disables it.",
                                ge=-1, le=65535, what="port")
    shutdown_grace_s: float = setting(120.0, "Seconds a cancelled job gets to stop on SIGTERM before the daemon exits anyway.",
                                      ge=0, finite=True, what=_SECONDS)
    max_runs: int = setting(0, "Stop after this many finished jobs (tests, one-shot use); 0 = run until stopped.", ge=0)

    def __post_init__(self) -> None:
        check_fields(self)
        if len(set(self.domains)) != len(self.domains) or not all(self.domains):
            raise ConfigError("domains", self.domains, "expected distinct, non-empty domain names")
        known = _drift_metrics()
        unknown = sorted(set(self.drift_metrics) - set(known))
        if unknown:
            raise ConfigError("drift_metrics", self.drift_metrics, f"unknown {unknown}; expected some of {known}")
        parse_overrides(self.domain_overrides, methods=RETRAIN_METHODS, drift_metrics=known)

    def domain_settings(self, domain: str) -> dict[str, Any]:
        """The trigger settings of one domain: the global fields with that domain's overrides applied."""
        known = _drift_metrics()
        values: dict[str, Any] = {name: getattr(self, name) for name in OVERRIDABLE}
        values.update(parse_overrides(self.domain_overrides, methods=RETRAIN_METHODS, drift_metrics=known).get(domain, {}))
        values["drift_metrics"] = values["drift_metrics"] or known
        return values

    def state_path(self) -> Path:
        """The resolved folder of lock files."""
        return Path(self.state_dir) if self.state_dir else default_home() / "retrain"


@dataclass(frozen=True, kw_only=True)
class RetrainConfig:
    """One retraining job: where its data and adapters live, how each method trains, and the evaluation gate."""

    db_url: str = setting("", DATABASE_HELP)
    adapter_store: str = setting("", "Adapter store root to train from and publish into; empty = the demo model's store "
                                     "(<home>/adapters when model is given).")
    model: str = setting("", "Local Hugging Face base model directory; empty = the built-in demo model.")
    demo_home: str = setting("", "Cache root of the demo model build; empty = LORALOOP_HOME or ~/.cache/loraloop.")
    work_dir: str = setting("", "Where jobs write their dataset snapshot, checkpoints and logs; empty = <home>/retrain/jobs.")
    keep_work: bool = setting(False, "Keep a finished job's checkpoints (its logs and snapshot are always kept).")
    device: str = setting("auto", "auto (CUDA when present, else CPU), cpu or cuda.", choices=DEVICES)
    qlora: bool = setting(True, "Train QLoRA: the base in 4-bit NF4 with double quantization, paged 8-bit AdamW, compute "
                                "in bf16 on CUDA and fp32 on CPU (bitsandbytes runs on both); false = the full-precision base.")
    launcher: str = setting("python", "How the training subprocess starts: python, or accelerate (`accelerate launch`).",
                            choices=RETRAIN_LAUNCHERS)
    num_processes: int = setting(1, "Processes (GPUs) for the accelerate launcher.", integer=True, ge=1)
    parent_version: int = setting(0, "Version to train from; 0 = the domain's newest published version.", integer=True, ge=0)
    min_pairs_sft: int = setting(16, "Fewest new SFT rows (chosen answers and corrections) an sft job trains on.",
                                 integer=True, ge=1)
    min_pairs_dpo: int = setting(32, "Fewest new preference pairs a dpo job trains on.", integer=True, ge=1)
    min_pairs_reward: int = setting(32, "Fewest new preference pairs a reward job trains on.", integer=True, ge=1)
    min_pairs_ppo: int = setting(16, "Fewest new prompts (from pairs and labels) a ppo job trains on.", integer=True, ge=1)
    replay_share: float = setting(0.25, "Older rows replayed per new row (0.25 = one old for four new), to limit forgetting.",
                                  ge=0, le=10, what="number of old rows per new row")
    eval_share: float = setting(0.15, "Share of prompts (whole conversation contexts) held out for evaluation.",
                                gt=0, lt=1, what="share")
    seed: int = setting(0, "Seed of the replay sample, the held-out split, the guard rows and training.")
    guard_share: float = setting(DEFAULT_GUARD_SHARE, "Share of each job's training rows that are guard rows (refusals and over-refusal "
                                       "controls from the guard set's train split, loraloop/guard); 0 = none.",
                                 ge=0, le=0.5, what="share")
    guard_files: tuple[str, ...] = setting((), "Operator guard files (JSONL, loraloop/guard/README.md) mixed in beside the "
                                               "shipped guard set.")
    min_free_bytes: int = setting(2 << 30, "Free disk bytes the work dir needs before a job starts.", integer=True, ge=0)
    max_job_seconds: float = setting(0.0, "Stop the training subprocess after this many seconds (outcome failed); 0 = no limit.",
                                     ge=0, finite=True)
    server_target: str = setting("", "Server host:port told to load a published version (Admin.LoadAdapter); empty = tell no one.")
    admin_token: str = setting("", "Bearer token for the server's Admin service.")
    server_tls_ca: str = setting("", "PEM CA of the server's certificate: reach server_target over TLS; empty = plaintext.")
    server_tls_cert: str = setting("", "PEM client certificate for a server that requires mTLS (with server_tls_key).")
    server_tls_key: str = setting("", "PEM private key of server_tls_cert.")
    start_canary: bool = setting(False, "After publishing, ask the server to start a canary rollout of the new version.")
    canary_schedule: tuple[float, ...] = setting((), "Canary weights in percent for the rollout; empty = the server's default.")
    canary_min_rated_per_step: int = setting(0, "Rated answers per canary step; 0 = the server's default.", integer=True, ge=0)
    num_train_epochs: float = setting(3.0, "Passes over the training rows (sft, dpo, reward).", gt=0, finite=True)
    max_steps: int = setting(0, "Stop training after this many optimizer steps; 0 = run num_train_epochs.", integer=True, ge=0)
    per_device_train_batch_size: int = setting(0, "Rows (pairs) per device per step; 0 = 8 on CPU, sized to the card on CUDA.",
                                               integer=True, ge=0)
    gradient_accumulation_steps: int = setting(1, "Steps whose gradients are summed before one optimizer update.",
                                               integer=True, ge=1)
    max_length: int = setting(256, "Longest training sequence (prompt + answer) in tokens.", integer=True, ge=1)
    lora_dropout: float = setting(0.0, "reward: dropout of the reward model's new LoRA (policies keep the parent "
                                       "adapter's rank, alpha, targets and dropout: they train that adapter on).",
                                  ge=0, lt=1, what="probability")
    sft_learning_rate: float = setting(1e-3, "sft: learning rate.", gt=0, finite=True)
    dpo_learning_rate: float = setting(5e-4, "dpo: learning rate.", gt=0, finite=True)
    beta: float = setting(0.1, "dpo: TRL's beta, how far the policy may move from the parent (reference).", gt=0, finite=True)
    loss_type: tuple[str, ...] = setting(("sigmoid",), "dpo: TRL loss types (sigmoid, ipo, hinge, robust, ...).")
    reward_learning_rate: float = setting(1e-3, "reward: learning rate of the reward model's LoRA and score head.",
                                          gt=0, finite=True)
    reward_lora_r: int = setting(8, "reward: LoRA rank of the reward model (a new LoRA on the base).", integer=True, ge=1)
    reward_lora_alpha: int = setting(16, "reward: LoRA alpha of the reward model.", integer=True, ge=1)
    # The ppo_* defaults are also PPOJobConfig's (retrain/ppo_config.py reads them from here).
    ppo_learning_rate: float = setting(1e-4, "ppo: learning rate of the policy LoRA and the value head.", gt=0, finite=True)
    ppo_steps: int = setting(20, "ppo: PPO steps (rollout + update).", integer=True, ge=1)
    ppo_batch_size: int = setting(16, "ppo: prompts sampled per PPO step.", integer=True, ge=1)
    ppo_mini_batch_size: int = setting(8, "ppo: answers per gradient step; must divide ppo_batch_size.", integer=True, ge=1)
    ppo_epochs: int = setting(2, "ppo: passes over each step's answers.", integer=True, ge=1)
    ppo_init_kl_coef: float = setting(0.1, "ppo: initial coefficient of the per-token KL penalty to the parent.",
                                      ge=0, finite=True)
    ppo_target_kl: float = setting(6.0, "ppo: target KL (nats per answer) of the adaptive KL controller.", gt=0, finite=True)
    ppo_max_new_tokens: int = setting(64, "ppo: longest sampled answer in tokens.", integer=True, ge=1)
    ppo_temperature: float = setting(0.7, "ppo: sampling temperature of the rollouts.", gt=0, finite=True)
    eval_prompts: int = setting(16, "Held-out prompts answered greedily for the reward-score and EOS checks.",
                                integer=True, ge=1)
    eval_max_new_tokens: int = setting(96, "Longest greedy answer in the gate, in tokens (EOS must come before it).",
                                       integer=True, ge=1)
    reference_set: str = setting("", "JSONL of prompt/completion rows for the perplexity check; empty = the demo corpus's "
                                     "held-out conversations of the domain (demo model), else the held-out SFT rows.")
    preference_tolerance: float = setting(0.05, "sft/ppo: held-out preference accuracy the new version may lose vs its parent "
                                                "(dpo must beat the parent).", ge=0, finite=True)
    max_reward_drop: float = setting(0.1, "Drop of the mean reward-model score of greedy answers vs the parent that still passes.",
                                     ge=0, finite=True)
    max_perplexity_increase: float = setting(0.10, "Share by which perplexity on the reference set may rise vs the parent.",
                                             ge=0, finite=True)
    min_eos_rate: float = setting(0.8, "Share of greedy answers that must end with EOS within eval_max_new_tokens.",
                                  ge=0, le=1, what="share")
    min_reward_accuracy: float = setting(0.6, "reward: held-out pairwise accuracy the reward model needs to be published.",
                                         ge=0, le=1, what="share")
    guard_refusal_tolerance: float = setting(0.1, "Guard gate: share of the held-out attacks (harmful, private-data, "
                                                  "injection) the new version may refuse less than its parent.",
                                             ge=0, le=1, what="share")
    min_guard_refusal_rate: float = setting(0.5, "Guard gate: share of the held-out attacks the new version must refuse "
                                                 "at least; 0 = no floor.", ge=0, le=1, what="share")
    max_guard_over_refusal_rate: float = setting(0.9, "Guard gate: share of the held-out benign look-alikes the new version "
                                                      "may refuse at most; 1 = no ceiling.", ge=0, le=1, what="share")
    guard_max_new_tokens: int = setting(32, "Guard gate: longest greedy answer to a guard prompt, in tokens (a refusal "
                                            "shows in its first words).", integer=True, ge=1)
    refusal_patterns: tuple[str, ...] = setting((), "Guard gate: regular expressions (case-insensitive) matched at the start "
                                                    "of an answer to call it a refusal; empty = the demo's refusal openers.")
    refusal_detector: str = setting("", "Guard gate: 'package.module:function' taking an answer's text and returning True "
                                        "for a refusal (a classifier); overrides refusal_patterns.")
    served_gate: bool = setting(True, "Before a canary: answer the gate's prompts greedily on the serving engine (its quantized "
                                      "base) with the new version and its parent, and refuse the version when it is worse.")
    served_max_eos_drop: float = setting(0.2, "Served-base gate: share of answers ending in EOS the version may lose vs its parent.",
                                         ge=0, le=1, what="share")
    served_max_repetition_increase: float = setting(0.1, "Served-base gate: rise of the repeated 3-gram share vs the parent that "
                                                         "still passes.", ge=0, le=1, what="share")
    served_max_agreement_drop: float = setting(0.25, "Served-base gate: drop vs the parent of the served answers' similarity to the "
                                                     "same adapter's answers on the training base.", ge=0, le=1, what="share")

    def __post_init__(self) -> None:
        for name in ("loss_type", "guard_files", "refusal_patterns"):
            if isinstance(getattr(self, name), list):  # JSON (job.json) gives lists
                object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "canary_schedule", check_schedule("canary_schedule", self.canary_schedule, allow_empty=True))
        check_fields(self)
        check_database_url("db_url", self.db_url)
        if self.launcher != "accelerate" and self.num_processes != 1:
            raise ConfigError("num_processes", self.num_processes, "more than one process needs launcher='accelerate'")
        if self.ppo_batch_size % self.ppo_mini_batch_size:
            raise ConfigError("ppo_mini_batch_size", self.ppo_mini_batch_size, f"must divide ppo_batch_size={self.ppo_batch_size}")
        if not (len(self.loss_type) >= 1 and all(isinstance(t, str) and t for t in self.loss_type)):
            raise ConfigError("loss_type", self.loss_type, "expected at least one TRL DPO loss type")
        try:
            check_refusal_patterns(self.refusal_patterns)
        except RefusalDetectorError as e:
            raise ConfigError("refusal_patterns", self.refusal_patterns, str(e)) from None
        if self.start_canary and not self.server_target:
            raise ConfigError("start_canary", self.start_canary, "needs server_target (the server that runs the rollout)")

    def work_path(self) -> Path:
        """The resolved folder of job work dirs."""
        return Path(self.work_dir) if self.work_dir else default_home() / "retrain" / "jobs"

    def database(self) -> str:
        """The shared database to open: db_url, else the SQLite file <home>/feedback.sqlite."""
        return resolve_database(self.db_url)

    def db_file(self) -> Path:
        """The SQLite file of `database()`; a ConfigError when db_url names a Postgres database."""
        from loraloop.storage import database_path  # the seam's own parsing (it imports the drivers)

        try:
            return database_path(self.database())
        except ValueError as e:
            raise ConfigError("db_url", self.db_url.split("@")[-1], str(e)) from None
