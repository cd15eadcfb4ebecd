"""Typed configuration for every loraloop component, loaded once at the entry point."""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DemoConfig", "FeedbackConfig", "PPOJobConfig", "RetrainConfig", "RetrainDaemonConfig", "RolloutConfig", "RouterConfig", "ServeConfig", "SimulateConfig", "default_home", "help_of", "setting"]

QUANTIZATIONS = ("bitsandbytes", "awq", "gptq")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEMO_BASES = ("int8", "fp32")


def setting(default: Any, help: str) -> Any:
    """A config dataclass field with its one help string."""
    return field(default=default, metadata={"help": help})


def help_of(config_cls: type, name: str) -> str:
    """The help text of one config field."""
    return {f.name: f.metadata.get("help", "") for f in dataclasses.fields(config_cls)}[name]


def default_home() -> Path:
    """Where loraloop keeps the demo model, its adapter store and state (LORALOOP_HOME wins)."""
    return Path(os.environ.get("LORALOOP_HOME") or Path.home() / ".cache" / "loraloop")


def _require(ok: bool, name: str, value: Any, expected: str) -> None:
    if not ok:
        raise ValueError(f"{name}={value!r}: {expected}")


@dataclass(frozen=True, kw_only=True)
class ServeConfig:
    """How `loraloop serve` runs: the model, the adapter store, the engine and the API limits."""

    model: str = setting("", "Local Hugging Face model directory; empty = the built-in demo model.")
    adapter_store: str = setting("", "Adapter store root (<domain>/v<N>/ folders); empty = the demo model's store.")
    host: str = setting("127.0.0.1", "Address the gRPC server binds.")
    port: int = setting(50051, "gRPC port; 0 picks a free one.")
    metrics_port: int = setting(9400, "HTTP port for Prometheus /metrics; 0 picks a free one, -1 disables it.")
    admin_token: str = setting("", "Bearer token for the Admin service; empty = generate one into state_dir/admin_token.")
    state_dir: str = setting("", "Where the server writes its generated admin token; empty = <home>/state.")
    device: str = setting("auto", "auto (CUDA when present, else CPU), cpu or cuda.")
    quantization: str | None = setting(None, "Quantize or read the base as bitsandbytes, awq or gptq (passed to vLLM; "
                                             "CUDA, or awq/gptq on a CPU with AVX-512); unset = what the model folder says "
                                             "(a compressed-tensors int8 W8A8 folder serves int8).")
    demo_base: str = setting("int8", "Which copy of the demo base to serve when model is empty: int8 (compressed-tensors "
                                     "W8A8, vLLM's oneDNN int8 kernels on CPU) or fp32.")
    dtype: str = setting("auto", "Weights dtype; auto = float32 on CPU, bfloat16 on CUDA.")
    max_model_len: int = setting(0, "Context length in tokens; 0 = the model's own.")
    gpu_memory_utilization: float = setting(0.0, "Share of accelerator (on CPU: host) memory vLLM claims; 0 = 0.5 on CPU, 0.9 on CUDA.")
    cpu_kv_cache_gib: int = setting(1, "KV cache size in GiB for the CPU backend (VLLM_CPU_KVCACHE_SPACE).")
    enforce_eager: bool = setting(True, "Disable CUDA graphs / compilation (faster start, required on small CPUs).")
    max_loras: int = setting(4, "Adapters that can share one batch (vLLM max_loras).")
    max_lora_rank: int = setting(16, "Largest LoRA rank the engine accepts (vLLM max_lora_rank).")
    max_cpu_loras: int = setting(8, "Adapters kept loaded in the engine's CPU cache (vLLM max_cpu_loras).")
    max_concurrent_requests: int = setting(64, "Chat requests in flight before new ones get RESOURCE_EXHAUSTED.")
    default_max_tokens: int = setting(64, "max_tokens when a request leaves it 0.")
    max_tokens_limit: int = setting(1024, "Largest max_tokens a request may ask for.")
    max_messages: int = setting(256, "Most messages in one request.")
    max_message_chars: int = setting(32_000, "Longest message content in characters.")
    shutdown_grace_s: float = setting(5.0, "Seconds in-flight requests get to finish on shutdown.")

    def __post_init__(self) -> None:
        _require(self.device in DEVICES, "device", self.device, f"expected one of {DEVICES}")
        _require(self.quantization in (None, *QUANTIZATIONS), "quantization", self.quantization,
                 f"expected one of {QUANTIZATIONS} or unset")
        _require(self.dtype in DTYPES, "dtype", self.dtype, f"expected one of {DTYPES}")
        _require(self.demo_base in DEMO_BASES, "demo_base", self.demo_base, f"expected one of {DEMO_BASES}")
        _require(0 <= self.port <= 65535, "port", self.port, "expected 0..65535")
        _require(-1 <= self.metrics_port <= 65535, "metrics_port", self.metrics_port, "expected -1..65535")
        _require(self.max_model_len >= 0, "max_model_len", self.max_model_len, "expected >= 0")
        _require(0.0 <= self.gpu_memory_utilization <= 1.0, "gpu_memory_utilization",
                 self.gpu_memory_utilization, "expected a share in [0, 1]")
        _require(self.cpu_kv_cache_gib >= 1, "cpu_kv_cache_gib", self.cpu_kv_cache_gib, "expected >= 1")
        for name in ("max_loras", "max_lora_rank", "max_cpu_loras", "max_concurrent_requests",
                     "default_max_tokens", "max_tokens_limit", "max_messages", "max_message_chars"):
            _require(getattr(self, name) >= 1, name, getattr(self, name), "expected >= 1")
        _require(self.max_cpu_loras >= self.max_loras, "max_cpu_loras", self.max_cpu_loras,
                 f"must be >= max_loras={self.max_loras} (vLLM requires it)")
        _require(self.default_max_tokens <= self.max_tokens_limit, "default_max_tokens",
                 self.default_max_tokens, f"must be <= max_tokens_limit={self.max_tokens_limit}")
        _require(self.shutdown_grace_s >= 0, "shutdown_grace_s", self.shutdown_grace_s, "expected >= 0")
        _require(not (self.quantization == "bitsandbytes" and self.device == "cpu"), "quantization", self.quantization,
                 "vLLM runs bitsandbytes bases on CUDA only; on CPU serve an int8 W8A8 base (the demo's default)")


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """How the built-in demo model is built: a tiny Llama, its tokenizer, and one SFT LoRA per domain."""

    home: str = setting("", "Cache root; empty = LORALOOP_HOME or ~/.cache/loraloop.")
    seed: int = setting(0, "Seed for every random choice of the build.")
    domains: tuple[str, ...] = setting(("medical", "finance", "legal"), "Domains that get a LoRA adapter; 'general' stays with the base.")
    vocab_size: int = setting(3072, "BPE vocabulary size of the demo tokenizer.")
    hidden_size: int = setting(128, "Model width (head_dim is fixed at 64: vLLM's CPU attention needs it).")
    num_layers: int = setting(2, "Transformer layers.")
    intermediate_size: int = setting(512, "MLP width.")
    max_position_embeddings: int = setting(512, "Context length of the demo model.")
    base_epochs: float = setting(12.0, "Passes over the whole corpus when training the base.")
    base_learning_rate: float = setting(3e-3, "Base model learning rate.")
    adapter_epochs: float = setting(4.0, "Passes over a domain's conversations when training its adapter.")
    adapter_learning_rate: float = setting(3e-3, "Adapter learning rate.")
    lora_rank: int = setting(8, "LoRA rank of the demo adapters.")
    lora_alpha: int = setting(16, "LoRA alpha of the demo adapters.")
    batch_size: int = setting(16, "Training batch size (conversations).")
    max_length: int = setting(320, "Longest training sequence in tokens.")
    threads: int = setting(2, "Torch CPU threads; fixed so the build is reproducible.")

    def __post_init__(self) -> None:
        _require(self.hidden_size % 64 == 0 and self.hidden_size >= 64, "hidden_size", self.hidden_size,
                 "expected a multiple of 64 (head_dim 64)")
        _require(len(self.domains) >= 1 and "general" not in self.domains and "base" not in self.domains,
                 "domains", self.domains, "expected at least one domain, not 'general' or 'base'")
        for name in ("vocab_size", "num_layers", "intermediate_size", "max_position_embeddings",
                     "lora_rank", "lora_alpha", "batch_size", "max_length", "threads"):
            _require(getattr(self, name) >= 1, name, getattr(self, name), "expected >= 1")
        for name in ("base_epochs", "adapter_epochs", "base_learning_rate", "adapter_learning_rate"):
            _require(getattr(self, name) > 0, name, getattr(self, name), "expected > 0")
        _require(self.max_length <= self.max_position_embeddings, "max_length", self.max_length,
                 f"must be <= max_position_embeddings={self.max_position_embeddings}")

    def home_path(self) -> Path:
        """The resolved cache root."""
        return Path(self.home) if self.home else default_home()

    def fingerprint(self) -> dict[str, Any]:
        """The fields that change the built weights (everything but where the cache lives)."""
        values = dataclasses.asdict(self)
        values.pop("home")
        return values


@dataclass(frozen=True, kw_only=True)
class FeedbackConfig:
    """Where and how answers and user signals are stored."""

    db_path: str = setting("", "SQLite file of the feedback store; empty = <home>/feedback.sqlite.")
    queue_size: int = setting(10_000, "Writes waiting for the writer thread before new ones get RESOURCE_EXHAUSTED.")
    batch_size: int = setting(256, "Most writes committed in one transaction.")
    max_correction_chars: int = setting(16_000, "Longest CORRECTION text accepted.")
    max_dwell_ms: int = setting(24 * 3600 * 1000, "Largest DWELL value accepted (one day).")
    max_idempotency_key_chars: int = setting(128, "Longest idempotency key accepted.")
    busy_timeout_ms: int = setting(5_000, "How long a write waits for a locked database before failing.")
    keep_raw_text: bool = setting(True, "Store answers and prompts as sent; False scrubs PII before the first write.")
    raw_text_retention_days: float = setting(30.0, "Days raw text is kept before it is replaced by its PII-scrubbed form; 0 = forever.")
    drift_window: int = setting(200, "Answers in the reference window (the adapter's first) and the recent window (its last).")
    drift_min_answers: int = setting(30, "Fewest answers per window before drift is computed.")
    drift_interval_s: float = setting(300.0, "Seconds between drift snapshots in the server; 0 disables them.")
    drift_logprob_samples: int = setting(16, "Prompts per window scored under the base model for the log-prob metric.")
    drift_js_threshold: float = setting(0.1, "Prompt-token JS divergence (above sampling noise) that counts as drift.")
    drift_psi_threshold: float = setting(0.2, "PSI of prompt or answer lengths that counts as drift.")

    def __post_init__(self) -> None:
        for name in ("queue_size", "batch_size", "max_correction_chars", "max_dwell_ms",
                     "max_idempotency_key_chars", "busy_timeout_ms", "drift_window", "drift_min_answers"):
            _require(getattr(self, name) >= 1, name, getattr(self, name), "expected >= 1")
        _require(self.drift_interval_s >= 0, "drift_interval_s", self.drift_interval_s, "expected >= 0")
        _require(self.raw_text_retention_days >= 0, "raw_text_retention_days", self.raw_text_retention_days,
                 "expected >= 0")
        _require(self.drift_logprob_samples >= 0, "drift_logprob_samples", self.drift_logprob_samples, "expected >= 0")
        _require(0 < self.drift_js_threshold <= 1, "drift_js_threshold", self.drift_js_threshold, "expected (0, 1]")
        _require(self.drift_psi_threshold > 0, "drift_psi_threshold", self.drift_psi_threshold, "expected > 0")

    def db_file(self) -> Path:
        """The resolved database path."""
        return Path(self.db_path) if self.db_path else default_home() / "feedback.sqlite"


# Per-domain override fields of RetrainDaemonConfig and how their text values parse.
_DAEMON_OVERRIDABLE = ("method", "schedule_interval_s", "min_new_pairs", "retrain_on_drift", "drift_metrics")


@dataclass(frozen=True, kw_only=True)
class RetrainDaemonConfig:
    """How `loraloop retrain daemon` decides when to train which domain, and where it keeps locks and metrics."""

    domains: tuple[str, ...] = setting((), "Domains the daemon watches; empty = every domain in the adapter store.")
    method: str = setting("dpo", "Training method of every domain (sft, dpo, reward or ppo) unless overridden.")
    schedule_interval_s: float = setting(0.0, "Retrain a domain when this many seconds passed since its last run; 0 = off.")
    min_new_pairs: int = setting(50, "Retrain a domain when it has at least this many new preference pairs; 0 = off.")
    retrain_on_drift: bool = setting(True, "Retrain a domain when a drift event for it is newer than its last run.")
    drift_metrics: tuple[str, ...] = setting((), "Drift metrics whose events trigger a run (e.g. prompt_js); empty = all.")
    domain_overrides: tuple[str, ...] = setting(
        (), "Per-domain settings 'domain.field=value' (fields: method, schedule_interval_s, min_new_pairs, "
            "retrain_on_drift, drift_metrics with '+' between names), e.g. 'legal.method=sft'.")
    poll_interval_s: float = setting(60.0, "Seconds between two looks at the triggers.")
    failure_cooldown_s: float = setting(1800.0, "Seconds a domain waits after a run that did not publish, whatever fires.")
    drift_min_interval_s: float = setting(21600.0, "Seconds since the last run before drift alone may start another: "
                                                   "drift lasts while users' habits change; one run per span, not per event.")
    state_dir: str = setting("", "Folder of the domain and GPU lock files; empty = <home>/retrain.")
    gpu_slots: int = setting(0, "Jobs that may run at once (one per GPU); 0 = the CUDA device count, 1 on CPU.")
    metrics_host: str = setting("127.0.0.1", "Address the /metrics HTTP server binds.")
    metrics_port: int = setting(9401, "HTTP port for Prometheus /metrics; 0 picks a free one, -1 disables it.")
    shutdown_grace_s: float = setting(120.0, "Seconds a cancelled job gets to stop on SIGTERM before the daemon exits anyway.")
    max_runs: int = setting(0, "Stop after this many finished jobs (tests, one-shot use); 0 = run until stopped.")

    def __post_init__(self) -> None:
        from loraloop.feedback.drift_stats import DRIFT_METRICS  # lazy: feedback imports this module

        _require(self.method in RETRAIN_METHODS, "method", self.method, f"expected one of {RETRAIN_METHODS}")
        for name in ("schedule_interval_s", "failure_cooldown_s", "drift_min_interval_s", "shutdown_grace_s"):
            value = getattr(self, name)
            _require(isinstance(value, (int, float)) and value >= 0 and value != float("inf"), name, value,
                     "expected a finite number of seconds >= 0")
        _require(self.poll_interval_s > 0 and self.poll_interval_s != float("inf"), "poll_interval_s",
                 self.poll_interval_s, "expected a finite number of seconds > 0")
        for name in ("min_new_pairs", "gpu_slots", "max_runs"):
            _require(getattr(self, name) >= 0, name, getattr(self, name), "expected >= 0")
        _require(-1 <= self.metrics_port <= 65535, "metrics_port", self.metrics_port, "expected -1..65535")
        _require(len(set(self.domains)) == len(self.domains) and all(self.domains), "domains", self.domains,
                 "expected distinct, non-empty domain names")
        unknown = sorted(set(self.drift_metrics) - set(DRIFT_METRICS))
        _require(not unknown, "drift_metrics", self.drift_metrics, f"unknown {unknown}; expected some of {DRIFT_METRICS}")
        for domain in {entry.partition(".")[0] for entry in self.domain_overrides}:
            self.domain_settings(domain)  # raises ValueError naming domain_overrides on a bad entry

    def domain_settings(self, domain: str) -> dict[str, Any]:
        """The trigger settings of one domain: the global fields with that domain's overrides applied."""
        from loraloop.feedback.drift_stats import DRIFT_METRICS

        values: dict[str, Any] = {name: getattr(self, name) for name in _DAEMON_OVERRIDABLE}
        for entry in self.domain_overrides:
            target, eq, text = entry.partition("=")
            entry_domain, dot, name = target.partition(".")
            _require(bool(eq and dot and entry_domain) and name in _DAEMON_OVERRIDABLE, "domain_overrides", entry,
                     f"expected 'domain.field=value' with field one of {_DAEMON_OVERRIDABLE}")
            if entry_domain != domain:
                continue
            try:
                if name == "method":
                    _require(text in RETRAIN_METHODS, "domain_overrides", entry,
                             f"method: expected one of {RETRAIN_METHODS}")
                    values[name] = text
                elif name == "retrain_on_drift":
                    _require(text.lower() in ("true", "false", "1", "0"), "domain_overrides", entry,
                             "retrain_on_drift: expected true or false")
                    values[name] = text.lower() in ("true", "1")
                elif name == "drift_metrics":
                    metrics = tuple(m for m in text.split("+") if m)
                    _require(set(metrics) <= set(DRIFT_METRICS), "domain_overrides", entry,
                             f"drift_metrics: expected some of {DRIFT_METRICS} joined by '+'")
                    values[name] = metrics
                else:
                    number = int(text) if name == "min_new_pairs" else float(text)
                    _require(0 <= number < float("inf"), "domain_overrides", entry, f"{name}: expected a number >= 0")
                    values[name] = number
            except (TypeError, ValueError) as e:
                if str(e).startswith("domain_overrides="):
                    raise
                raise ValueError(f"domain_overrides={entry!r}: {name}: {text!r} is not a number") from e
        values["drift_metrics"] = values["drift_metrics"] or DRIFT_METRICS
        return values

    def state_path(self) -> Path:
        """The resolved folder of lock files."""
        return Path(self.state_dir) if self.state_dir else default_home() / "retrain"


ROLLOUT_METRICS = ("thumbs_up_rate",)


@dataclass(frozen=True, kw_only=True)
class RolloutConfig:
    """How canary rollouts advance, roll back and conclude (ARCHITECTURE.md, "Rollout"); rates are 0–1 shares."""

    schedule: tuple[float, ...] = setting((5.0, 25.0, 50.0, 100.0), "Canary weights in percent of units, increasing, in (0, 100], ending at 100 (reaching it = promotion).")
    min_rated_per_step: int = setting(200, "Rated answers (latest thumbs up or down) each arm needs within a step before it may advance.")
    primary_metric: str = setting("thumbs_up_rate", "Metric the sequential test judges: thumbs_up_rate = thumbs-up share of rated answers.")
    alpha: float = setting(0.05, "Error probability of the always-valid sequential test (chance its confidence sequence ever misses).")
    mixing_tau: float = setting(0.05, "Std dev of the mSPRT's normal mixing prior on the rate difference: the effect size expected.")
    non_inferiority_margin: float = setting(0.05, "Thumbs-up rate drop the canary may have and still be 'not worse' (0.05 = 5 points).")
    test_min_rated: int = setting(30, "Rated answers each arm needs since the rollout started before the test is read (normal approximation).")
    max_rated_at_last_step: int = setting(5000, "Rated answers per arm at the last canary step after which an undecided test concludes 'inconclusive' (hold).")
    guardrail_min_answers: int = setting(50, "Requests, answers or rated answers (the guardrail's denominator) each arm needs in a step before a guardrail can fire.")
    max_error_rate_increase: float = setting(0.02, "Failed-request share the canary may add over stable before it is rolled back.")
    min_errors: int = setting(5, "Canary errors within a step before the error-rate guardrail can fire.")
    max_p95_latency_ratio: float = setting(1.5, "Canary p95 latency over stable p95 latency above which the canary is rolled back.")
    max_regenerate_rate_increase: float = setting(0.05, "Regenerated-answer share the canary may add over stable before it is rolled back.")
    min_regenerates: int = setting(5, "Regenerated canary answers within a step before the regenerate guardrail can fire.")
    max_thumbs_down_rate_increase: float = setting(0.10, "Thumbs-down share of rated answers the canary may add over stable before it is rolled back.")
    min_thumbs_down: int = setting(10, "Thumbs-down canary answers within a step before the thumbs-down guardrail can fire.")
    guardrail_confidence: float = setting(0.95, "Confidence a rate guardrail needs that the canary's rate is really above stable's (one-sided two-proportion z-test) before it rolls back; noise at small samples must not.")
    tick_interval_s: float = setting(30.0, "Seconds between two controller looks at the feedback store.")

    def __post_init__(self) -> None:
        try:  # CLI flags give strings; keep floats so equal schedules compare equal
            schedule = tuple(float(w) for w in self.schedule) if isinstance(self.schedule, (tuple, list)) else None
        except (TypeError, ValueError):
            schedule = None
        _require(schedule is not None, "schedule", self.schedule, "expected a sequence of percentages")
        object.__setattr__(self, "schedule", schedule)
        _require(len(schedule) >= 2, "schedule", schedule, "expected at least one canary step below 100, then 100")
        _require(all(0.0 < w <= 100.0 for w in schedule), "schedule", schedule, "expected weights in (0, 100] percent")
        _require(all(a < b for a, b in zip(schedule, schedule[1:])), "schedule", schedule,
                 "expected strictly increasing weights")
        _require(schedule[-1] == 100.0, "schedule", schedule, "expected the last step to be 100 (promotion)")
        _require(self.primary_metric in ROLLOUT_METRICS, "primary_metric", self.primary_metric,
                 f"expected one of {ROLLOUT_METRICS}")
        _require(0.0 < self.alpha < 1.0, "alpha", self.alpha, "expected a probability in (0, 1)")
        _require(0.0 < self.mixing_tau <= 1.0, "mixing_tau", self.mixing_tau, "expected a rate difference in (0, 1]")
        _require(0.0 <= self.non_inferiority_margin < 1.0, "non_inferiority_margin", self.non_inferiority_margin,
                 "expected a rate difference in [0, 1)")
        for name in ("min_rated_per_step", "test_min_rated", "max_rated_at_last_step", "guardrail_min_answers",
                     "min_errors", "min_regenerates", "min_thumbs_down"):
            _require(isinstance(getattr(self, name), int) and getattr(self, name) >= 1, name, getattr(self, name),
                     "expected an integer >= 1")
        _require(self.max_rated_at_last_step >= self.min_rated_per_step, "max_rated_at_last_step",
                 self.max_rated_at_last_step, f"must be >= min_rated_per_step={self.min_rated_per_step}")
        for name in ("max_error_rate_increase", "max_regenerate_rate_increase", "max_thumbs_down_rate_increase"):
            _require(0.0 < getattr(self, name) <= 1.0, name, getattr(self, name), "expected a rate increase in (0, 1]")
        _require(1.0 <= self.max_p95_latency_ratio < float("inf"), "max_p95_latency_ratio", self.max_p95_latency_ratio,
                 "expected a finite ratio >= 1")
        _require(0.5 <= self.guardrail_confidence < 1.0, "guardrail_confidence", self.guardrail_confidence,
                 "expected a confidence in [0.5, 1)")
        _require(0.0 < self.tick_interval_s < float("inf"), "tick_interval_s", self.tick_interval_s,
                 "expected a finite number of seconds > 0")


_KL_ESTIMATORS = ("k1", "k3")


@dataclass(frozen=True, kw_only=True)
class PPOJobConfig:
    """One PPO run on a LoRA policy (the project's own PPO; TRL 1.16 has none). Field names follow TRL's old PPOConfig."""

    learning_rate: float = setting(1.41e-5, "AdamW learning rate of the policy LoRA and the value head (TRL's old default).")
    batch_size: int = setting(64, "Prompts sampled (one answer each) per PPO step.")
    mini_batch_size: int = setting(16, "Answers per gradient step inside a PPO epoch; must divide batch_size.")
    ppo_epochs: int = setting(4, "Passes over each step's batch of answers.")
    cliprange: float = setting(0.2, "Clip range of the policy ratio in the surrogate loss.")
    cliprange_value: float = setting(0.2, "Clip range of the value prediction around the rollout's value.")
    vf_coef: float = setting(0.1, "Weight of the value loss in the total loss.")
    gamma: float = setting(1.0, "Discount factor of GAE.")
    lam: float = setting(0.95, "Lambda of GAE (bias/variance trade-off).")
    init_kl_coef: float = setting(0.2, "Initial coefficient of the per-token KL penalty to the reference (parent) policy.")
    target_kl: float = setting(6.0, "Target KL (nats per answer, summed over its tokens) the adaptive controller steers to.")
    kl_horizon: int = setting(10_000, "Horizon (in sampled answers) of the adaptive KL controller.")
    adap_kl_ctrl: bool = setting(True, "Adapt the KL coefficient towards target_kl (Ziegler et al. 2019); False keeps it fixed.")
    kl_estimator: str = setting("k1", "Per-token KL estimate in the reward: k1 (log p - log p_ref) or k3 (non-negative).")
    whiten_rewards: bool = setting(False, "Rescale the shaped per-token rewards to unit variance before GAE.")
    entropy_coef: float = setting(0.0, "Weight of the entropy bonus (masked mean token entropy) subtracted from the loss.")
    max_grad_norm: float = setting(1.0, "Gradient norm clip of each optimizer step.")
    max_new_tokens: int = setting(64, "Longest sampled answer in tokens.")
    max_prompt_length: int = setting(512, "Prompts longer than this many tokens keep their last tokens.")
    temperature: float = setting(0.7, "Sampling temperature of the rollouts (log-probs are taken at the same temperature).")
    steps: int = setting(100, "PPO steps (rollout + update) to run.")
    seed: int = setting(0, "Seed of the prompt order, the sampling and the value head's init.")
    device: str = setting("auto", "auto (CUDA when present, else CPU), cpu or cuda.")
    qlora: bool = setting(True, "Load the frozen base in 4-bit NF4 with double quantization (QLoRA; bitsandbytes, CPU or CUDA); false = full precision.")

    def __post_init__(self) -> None:
        for name in ("batch_size", "mini_batch_size", "ppo_epochs", "kl_horizon", "max_new_tokens",
                     "max_prompt_length", "steps"):
            _require(getattr(self, name) >= 1, name, getattr(self, name), "expected >= 1")
        _require(self.batch_size % self.mini_batch_size == 0, "mini_batch_size", self.mini_batch_size,
                 f"must divide batch_size={self.batch_size}")
        for name in ("learning_rate", "cliprange", "cliprange_value", "target_kl", "temperature", "max_grad_norm"):
            value = getattr(self, name)
            _require(0 < value < float("inf"), name, value, "expected a finite number > 0")
        for name in ("vf_coef", "init_kl_coef", "entropy_coef"):
            value = getattr(self, name)
            _require(0 <= value < float("inf"), name, value, "expected a finite number >= 0")
        for name in ("gamma", "lam"):
            _require(0 <= getattr(self, name) <= 1, name, getattr(self, name), "expected a number in [0, 1]")
        _require(self.kl_estimator in _KL_ESTIMATORS, "kl_estimator", self.kl_estimator, f"expected one of {_KL_ESTIMATORS}")
        _require(self.device in DEVICES, "device", self.device, f"expected one of {DEVICES}")


RETRAIN_METHODS = ("sft", "dpo", "reward", "ppo")
RETRAIN_LAUNCHERS = ("python", "accelerate")


@dataclass(frozen=True, kw_only=True)
class RetrainConfig:
    """One retraining job: where its data and adapters live, how each method trains, and the evaluation gate."""

    db_path: str = setting("", "SQLite file of the feedback store; empty = <home>/feedback.sqlite.")
    adapter_store: str = setting("", "Adapter store root to train from and publish into; empty = the demo model's store "
                                     "(<home>/adapters when model is given).")
    model: str = setting("", "Local Hugging Face base model directory; empty = the built-in demo model.")
    demo_home: str = setting("", "Cache root of the demo model build; empty = LORALOOP_HOME or ~/.cache/loraloop.")
    work_dir: str = setting("", "Where jobs write their dataset snapshot, checkpoints and logs; empty = <home>/retrain/jobs.")
    keep_work: bool = setting(False, "Keep a finished job's checkpoints (its logs and snapshot are always kept).")
    device: str = setting("auto", "auto (CUDA when present, else CPU), cpu or cuda.")
    qlora: bool = setting(True, "Train QLoRA: the base in 4-bit NF4 with double quantization, paged 8-bit AdamW, compute "
                                "in bf16 on CUDA and fp32 on CPU (bitsandbytes runs on both); false = the full-precision base.")
    launcher: str = setting("python", "How the training subprocess starts: python, or accelerate (`accelerate launch`).")
    num_processes: int = setting(1, "Processes (GPUs) for the accelerate launcher.")
    parent_version: int = setting(0, "Version to train from; 0 = the domain's newest published version.")
    min_pairs_sft: int = setting(16, "Fewest new SFT rows (chosen answers and corrections) an sft job trains on.")
    min_pairs_dpo: int = setting(32, "Fewest new preference pairs a dpo job trains on.")
    min_pairs_reward: int = setting(32, "Fewest new preference pairs a reward job trains on.")
    min_pairs_ppo: int = setting(16, "Fewest new prompts (from pairs and labels) a ppo job trains on.")
    replay_share: float = setting(0.25, "Older rows replayed per new row (0.25 = one old for four new), to limit forgetting.")
    eval_share: float = setting(0.15, "Share of prompts (whole conversation contexts) held out for evaluation.")
    seed: int = setting(0, "Seed of the replay sample, the held-out split and training.")
    min_free_bytes: int = setting(2 << 30, "Free disk bytes the work dir needs before a job starts.")
    max_job_seconds: float = setting(0.0, "Stop the training subprocess after this many seconds (outcome failed); 0 = no limit.")
    server_target: str = setting("", "Server host:port told to load a published version (Admin.LoadAdapter); empty = tell no one.")
    admin_token: str = setting("", "Bearer token for the server's Admin service.")
    start_canary: bool = setting(False, "After publishing, ask the server to start a canary rollout of the new version.")
    canary_schedule: tuple[float, ...] = setting((), "Canary weights in percent for the rollout; empty = the server's default.")
    canary_min_rated_per_step: int = setting(0, "Rated answers per canary step; 0 = the server's default.")
    num_train_epochs: float = setting(3.0, "Passes over the training rows (sft, dpo, reward).")
    max_steps: int = setting(0, "Stop training after this many optimizer steps; 0 = run num_train_epochs.")
    per_device_train_batch_size: int = setting(0, "Rows (pairs) per device per step; 0 = 8 on CPU, sized to the card on CUDA.")
    gradient_accumulation_steps: int = setting(1, "Steps whose gradients are summed before one optimizer update.")
    max_length: int = setting(256, "Longest training sequence (prompt + answer) in tokens.")
    lora_dropout: float = setting(0.0, "reward: dropout of the reward model's new LoRA (policies keep the parent "
                                       "adapter's rank, alpha, targets and dropout: they train that adapter on).")
    sft_learning_rate: float = setting(1e-3, "sft: learning rate.")
    dpo_learning_rate: float = setting(5e-4, "dpo: learning rate.")
    beta: float = setting(0.1, "dpo: TRL's beta, how far the policy may move from the parent (reference).")
    loss_type: tuple[str, ...] = setting(("sigmoid",), "dpo: TRL loss types (sigmoid, ipo, hinge, robust, ...).")
    reward_learning_rate: float = setting(1e-3, "reward: learning rate of the reward model's LoRA and score head.")
    reward_lora_r: int = setting(8, "reward: LoRA rank of the reward model (a new LoRA on the base).")
    reward_lora_alpha: int = setting(16, "reward: LoRA alpha of the reward model.")
    ppo_learning_rate: float = setting(1e-4, "ppo: learning rate of the policy LoRA and the value head.")
    ppo_steps: int = setting(20, "ppo: PPO steps (rollout + update).")
    ppo_batch_size: int = setting(16, "ppo: prompts sampled per PPO step.")
    ppo_mini_batch_size: int = setting(8, "ppo: answers per gradient step; must divide ppo_batch_size.")
    ppo_epochs: int = setting(2, "ppo: passes over each step's answers.")
    ppo_init_kl_coef: float = setting(0.1, "ppo: initial coefficient of the per-token KL penalty to the parent.")
    ppo_target_kl: float = setting(6.0, "ppo: target KL (nats per answer) of the adaptive KL controller.")
    ppo_max_new_tokens: int = setting(64, "ppo: longest sampled answer in tokens.")
    ppo_temperature: float = setting(0.7, "ppo: sampling temperature of the rollouts.")
    eval_prompts: int = setting(16, "Held-out prompts answered greedily for the reward-score and EOS checks.")
    eval_max_new_tokens: int = setting(96, "Longest greedy answer in the gate, in tokens (EOS must come before it).")
    reference_set: str = setting("", "JSONL of prompt/completion rows for the perplexity check; empty = the demo corpus's "
                                     "held-out conversations of the domain (demo model), else the held-out SFT rows.")
    preference_tolerance: float = setting(0.05, "sft/ppo: held-out preference accuracy the new version may lose vs its parent "
                                                "(dpo must beat the parent).")
    max_reward_drop: float = setting(0.1, "Drop of the mean reward-model score of greedy answers vs the parent that still passes.")
    max_perplexity_increase: float = setting(0.10, "Share by which perplexity on the reference set may rise vs the parent.")
    min_eos_rate: float = setting(0.8, "Share of greedy answers that must end with EOS within eval_max_new_tokens.")
    min_reward_accuracy: float = setting(0.6, "reward: held-out pairwise accuracy the reward model needs to be published.")
    served_gate: bool = setting(True, "Before a canary: answer the gate's prompts greedily on the serving engine (its quantized "
                                      "base) with the new version and its parent, and refuse the version when it is worse.")
    served_max_eos_drop: float = setting(0.2, "Served-base gate: share of answers ending in EOS the version may lose vs its parent.")
    served_max_repetition_increase: float = setting(0.1, "Served-base gate: rise of the repeated 3-gram share vs the parent that still passes.")
    served_max_agreement_drop: float = setting(0.25, "Served-base gate: drop vs the parent of the served answers' similarity to the "
                                                     "same adapter's answers on the training base.")

    def __post_init__(self) -> None:
        for name in ("loss_type", "canary_schedule"):  # CLI flags and JSON give lists or strings
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        try:
            object.__setattr__(self, "canary_schedule", tuple(float(w) for w in self.canary_schedule))
        except (TypeError, ValueError):
            _require(False, "canary_schedule", self.canary_schedule, "expected percentages")
        _require(self.device in DEVICES, "device", self.device, f"expected one of {DEVICES}")
        _require(self.launcher in RETRAIN_LAUNCHERS, "launcher", self.launcher, f"expected one of {RETRAIN_LAUNCHERS}")
        _require(self.launcher == "accelerate" or self.num_processes == 1, "num_processes", self.num_processes,
                 "more than one process needs launcher='accelerate'")
        for name in ("num_processes", "min_pairs_sft", "min_pairs_dpo", "min_pairs_reward", "min_pairs_ppo",
                     "gradient_accumulation_steps", "max_length", "reward_lora_r", "reward_lora_alpha", "ppo_steps",
                     "ppo_batch_size", "ppo_mini_batch_size", "ppo_epochs", "ppo_max_new_tokens", "eval_prompts",
                     "eval_max_new_tokens"):
            _require(isinstance(getattr(self, name), int) and getattr(self, name) >= 1, name, getattr(self, name),
                     "expected an integer >= 1")
        for name in ("parent_version", "min_free_bytes", "max_steps", "per_device_train_batch_size",
                     "canary_min_rated_per_step"):
            _require(isinstance(getattr(self, name), int) and getattr(self, name) >= 0, name, getattr(self, name),
                     "expected an integer >= 0")
        _require(self.ppo_batch_size % self.ppo_mini_batch_size == 0, "ppo_mini_batch_size", self.ppo_mini_batch_size,
                 f"must divide ppo_batch_size={self.ppo_batch_size}")
        for name in ("num_train_epochs", "sft_learning_rate", "dpo_learning_rate", "beta", "reward_learning_rate",
                     "ppo_learning_rate", "ppo_target_kl", "ppo_temperature"):
            value = getattr(self, name)
            _require(0 < value < float("inf"), name, value, "expected a finite number > 0")
        for name in ("max_job_seconds", "ppo_init_kl_coef", "preference_tolerance", "max_reward_drop",
                     "max_perplexity_increase"):
            value = getattr(self, name)
            _require(0 <= value < float("inf"), name, value, "expected a finite number >= 0")
        for name in ("replay_share",):
            _require(0 <= self.replay_share <= 10, name, self.replay_share, "expected old rows per new row in [0, 10]")
        _require(0 < self.eval_share < 1, "eval_share", self.eval_share, "expected a share in (0, 1)")
        _require(0 <= self.lora_dropout < 1, "lora_dropout", self.lora_dropout, "expected a probability in [0, 1)")
        for name in ("min_eos_rate", "min_reward_accuracy", "served_max_eos_drop", "served_max_repetition_increase",
                     "served_max_agreement_drop"):
            _require(0 <= getattr(self, name) <= 1, name, getattr(self, name), "expected a share in [0, 1]")
        _require(len(self.loss_type) >= 1 and all(isinstance(t, str) and t for t in self.loss_type), "loss_type",
                 self.loss_type, "expected at least one TRL DPO loss type")
        _require(all(0 < w <= 100 for w in self.canary_schedule), "canary_schedule", self.canary_schedule,
                 "expected weights in (0, 100] percent")
        _require(not self.start_canary or bool(self.server_target), "start_canary", self.start_canary,
                 "needs server_target (the server that runs the rollout)")

    def work_path(self) -> Path:
        """The resolved folder of job work dirs."""
        return Path(self.work_dir) if self.work_dir else default_home() / "retrain" / "jobs"

    def db_file(self) -> Path:
        """The resolved feedback database path."""
        return Path(self.db_path) if self.db_path else default_home() / "feedback.sqlite"


ROUTER_CLASSIFIERS = ("ngram",)
_CLASSIFIER_IMPORT = r"[A-Za-z_][\w.]*:[A-Za-z_]\w*"


@dataclass(frozen=True, kw_only=True)
class RouterConfig:
    """How the intent router picks a domain for a conversation, and how it is trained and evaluated."""

    path: str = setting("", "Trained router file; empty = <home>/router/router.joblib (trained from the demo corpus when missing).")
    classifier: str = setting("ngram", "Classifier to train: 'ngram' (character and word n-grams, linear model) or 'package.module:Class' implementing IntentClassifier.")
    min_confidence: float = setting(0.4, "Route confidence below which the base model answers (domain 'general', fallback).")
    context_turns: int = setting(3, "Earlier user turns read as the conversation's context; 0 = route on the latest turn alone.")
    context_weight: float = setting(0.5, "Weight of the conversation so far against the latest turn when they are blended, in [0, 1).")
    follow_up_margin: float = setting(0.3, "Probability lead the latest turn alone must give another domain over the conversation's before the route switches; below it the turn is a follow-up.")
    max_chars: int = setting(2000, "Characters of a turn the classifier reads (half from its start, half from its end); bounds routing time.")
    cache_turns: int = setting(4096, "Turns whose classifier scores are kept (LRU): every request resends the conversation's earlier turns; 0 = no cache.")
    heldout_share: float = setting(0.15, "Share of each domain's examples held out for evaluation when the data has no 'split' field.")
    min_examples_per_domain: int = setting(5, "Fewest labeled examples a domain needs in the training data.")
    seed: int = setting(0, "Seed of the train / held-out split of data without a 'split' field.")

    def __post_init__(self) -> None:
        _require(self.classifier in ROUTER_CLASSIFIERS or bool(re.fullmatch(_CLASSIFIER_IMPORT, self.classifier)),
                 "classifier", self.classifier, f"expected one of {ROUTER_CLASSIFIERS} or 'package.module:Class'")
        for name in ("min_confidence", "follow_up_margin"):
            value = getattr(self, name)
            _require(isinstance(value, (int, float)) and 0 <= value <= 1, name, value, "expected a probability in [0, 1]")
        _require(isinstance(self.context_weight, (int, float)) and 0 <= self.context_weight < 1, "context_weight",
                 self.context_weight, "expected a weight in [0, 1) (1 would ignore the latest turn)")
        _require(isinstance(self.heldout_share, (int, float)) and 0 < self.heldout_share <= 0.5, "heldout_share",
                 self.heldout_share, "expected a share in (0, 0.5]")
        _require(self.context_turns >= 0, "context_turns", self.context_turns, "expected >= 0")
        _require(self.max_chars >= 16, "max_chars", self.max_chars, "expected >= 16")
        _require(self.cache_turns >= 0, "cache_turns", self.cache_turns, "expected >= 0")
        _require(self.min_examples_per_domain >= 2, "min_examples_per_domain", self.min_examples_per_domain,
                 "expected >= 2 (one to train on, one to hold out)")

    def router_file(self, home: Path | None = None) -> Path:
        """The resolved router file: `path`, else <home>/router/router.joblib."""
        return Path(self.path) if self.path else (home or default_home()) / "router" / "router.joblib"


SIMULATE_PREFERENCES = ("concise", "safety", "dislike:<phrase>")


@dataclass(frozen=True, kw_only=True)
class SimulateConfig:
    """`loraloop simulate`: a seeded population of simulated users that drives feedback -> retrain -> canary."""

    domain: str = setting("finance", "Domain the users belong to and whose adapter is retrained and canaried.")
    preference: str = setting("concise", "Hidden preference of the users: concise, safety, or dislike:<phrase>.")
    users: int = setting(160, "Simulated users; each plays one session per round with a sticky user id.")
    max_rounds: int = setting(60, "Most rounds to play before the run ends, concluded or not.")
    post_rounds: int = setting(4, "Rounds played after the canary concluded (promoted or rolled back).")
    concurrency: int = setting(8, "Chat requests the users keep in flight at once.")
    max_tokens: int = setting(64, "max_tokens of every user request.")
    temperature: float = setting(0.7, "Sampling temperature of every user request (each request has its own seed).")
    rate_prob: float = setting(0.25, "Chance a user rates an answer (thumbs up or down); most answers stay unrated.")
    noise: float = setting(0.1, "Std dev of the Gaussian noise on a user's hidden satisfaction in [0, 1].")
    regenerate_below: float = setting(0.3, "Satisfaction below which an unhappy user may regenerate the answer.")
    regenerate_prob: float = setting(0.5, "Chance an unhappy user regenerates (REGENERATE through regenerate_of).")
    copy_above: float = setting(0.75, "Satisfaction above which a very happy user may copy the answer.")
    copy_prob: float = setting(0.3, "Chance a very happy user copies the answer (COPY).")
    follow_up_prob: float = setting(0.15, "Chance a satisfied user asks a follow-up turn in the same conversation.")
    dwell_prob: float = setting(0.3, "Chance a user's reading time is reported (DWELL, longer when happier).")
    eval_share: float = setting(0.3, "Share of the domain's held-out corpus prompts kept out of the users' pool, "
                                     "for measuring versions.")
    eval_samples: int = setting(8, "Seeded answers per held-out prompt when a version's preference score is measured.")
    retrain: bool = setting(True, "Let the real retrain daemon train, publish and canary a new version.")
    method: str = setting("dpo", "Retraining method the daemon runs (sft, dpo, reward or ppo).")
    min_pairs: int = setting(300, "New preference pairs before the daemon trains (its min_new_pairs and the job's minimum).")
    train_learning_rate: float = setting(1e-3, "Learning rate of each retrain job (RetrainConfig.dpo_learning_rate / "
                                              "sft_learning_rate, by method).")
    train_max_steps: int = setting(200, "Optimizer steps of each retrain job (RetrainConfig.max_steps); 0 = its epochs. "
                                         "Bounded so a growing pool of pairs does not drift the adapter ever further.")
    train_beta: float = setting(0.5, "dpo: TRL's beta of each retrain job (RetrainConfig.beta). Higher than the job's "
                                     "default 0.1: it keeps the policy near its parent while the answers shorten.")
    max_perplexity_increase: float = setting(0.3, "The job gate's forgetting check (RetrainConfig field of the same "
                                                  "name): users who want short answers pull away from the reference set.")
    canary_schedule: tuple[float, ...] = setting((5.0, 25.0, 50.0, 100.0), "Canary weights in percent of the new "
                                                                          "version's rollout.")
    canary_min_rated_per_step: int = setting(40, "Rated answers per arm each canary step needs before it advances.")
    sabotage: bool = setting(False, "After the retrain phase, publish a deliberately worse version (SFT on the answers "
                                    "the users rejected) and canary it to show the guardrails roll it back.")
    sabotage_learning_rate: float = setting(3e-3, "SFT learning rate of the sabotage version (high: clearly worse).")
    sabotage_schedule: tuple[float, ...] = setting((25.0, 50.0, 100.0), "Canary weights of the sabotage rollout.")
    sabotage_min_rated_per_step: int = setting(60, "Rated answers per arm per step of the sabotage rollout.")
    seed: int = setting(0, "Seed of the population, the prompt split, every request's sampling seed and training.")
    work_dir: str = setting("", "Run folder (store copy, feedback database, report); empty = <home>/simulate/<time>.")

    def __post_init__(self) -> None:
        for name in ("canary_schedule", "sabotage_schedule"):
            value = getattr(self, name)
            try:
                object.__setattr__(self, name, tuple(float(w) for w in value))
            except (TypeError, ValueError):
                _require(False, name, value, "expected percentages")
            weights = getattr(self, name)
            _require(len(weights) >= 2 and all(0 < w <= 100 for w in weights) and weights[-1] == 100.0
                     and all(a < b for a, b in zip(weights, weights[1:])), name, weights,
                     "expected increasing weights in (0, 100] ending at 100")
        _require(bool(re.fullmatch(r"[a-z][a-z0-9_-]{0,63}", self.domain)) and self.domain not in ("base", "general"),
                 "domain", self.domain, "expected an adapter domain name (not base or general)")
        kind, _, phrase = self.preference.partition(":")
        _require((kind in ("concise", "safety") and not phrase) or (kind == "dislike" and bool(phrase.strip())),
                 "preference", self.preference, f"expected one of {SIMULATE_PREFERENCES}")
        _require(self.method in RETRAIN_METHODS, "method", self.method, f"expected one of {RETRAIN_METHODS}")
        for name in ("users", "max_rounds", "concurrency", "max_tokens", "eval_samples", "min_pairs",
                     "canary_min_rated_per_step", "sabotage_min_rated_per_step"):
            _require(isinstance(getattr(self, name), int) and getattr(self, name) >= 1, name, getattr(self, name),
                     "expected an integer >= 1")
        _require(isinstance(self.post_rounds, int) and self.post_rounds >= 0, "post_rounds", self.post_rounds,
                 "expected an integer >= 0")
        for name in ("rate_prob", "regenerate_below", "regenerate_prob", "copy_above", "copy_prob", "follow_up_prob",
                     "dwell_prob"):
            _require(0.0 <= getattr(self, name) <= 1.0, name, getattr(self, name), "expected a probability in [0, 1]")
        _require(0.0 < self.eval_share < 1.0, "eval_share", self.eval_share, "expected a share in (0, 1)")
        _require(0.0 <= self.noise < float("inf"), "noise", self.noise, "expected a finite number >= 0")
        _require(0.0 <= self.temperature <= 2.0, "temperature", self.temperature, "expected 0..2")
        _require(isinstance(self.train_max_steps, int) and self.train_max_steps >= 0, "train_max_steps",
                 self.train_max_steps, "expected an integer >= 0")
        _require(0.0 <= self.max_perplexity_increase < float("inf"), "max_perplexity_increase",
                 self.max_perplexity_increase, "expected a finite share >= 0")
        for name in ("sabotage_learning_rate", "train_learning_rate", "train_beta"):
            _require(0.0 < getattr(self, name) < float("inf"), name, getattr(self, name), "expected a finite number > 0")
        _require(self.regenerate_below < self.copy_above, "regenerate_below", self.regenerate_below,
                 f"must be below copy_above={self.copy_above}")
