"""Typed configuration for every loraloop component, loaded once at the entry point."""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DemoConfig", "FeedbackConfig", "ServeConfig", "default_home", "help_of", "setting"]

QUANTIZATIONS = ("bitsandbytes", "awq", "gptq")
DEVICES = ("auto", "cpu", "cuda")
DTYPES = ("auto", "float32", "bfloat16", "float16")


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
    quantization: str | None = setting(None, "4-bit base on CUDA: bitsandbytes, awq or gptq (passed to vLLM).")
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
        if self.quantization is not None:
            _require(self.device != "cpu", "quantization", self.quantization,
                     "4-bit bases need CUDA in vLLM; on CPU serve the base unquantized (unset quantization)")


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
