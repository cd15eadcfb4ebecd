"""ServeConfig: how `loraloop serve` runs the model, the adapter store, the vLLM engine and the API limits."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loraloop.settings import DEVICES, ConfigError, check_fields, default_home, setting

__all__ = ["DEMO_BASES", "DTYPES", "QUANTIZATIONS", "ServeConfig"]

QUANTIZATIONS = ("bitsandbytes", "awq", "gptq")
DTYPES = ("auto", "float32", "bfloat16", "float16")
DEMO_BASES = ("int8", "fp32")


@dataclass(frozen=True, kw_only=True)
class ServeConfig:
    """How `loraloop serve` runs: the model, the adapter store, the engine and the API limits."""

    model: str = setting("", "Local Hugging Face model directory; empty = the built-in demo model.")
    adapter_store: str = setting("", "Adapter store root (<domain>/v<N>/ folders); empty = the demo model's store.")
    host: str = setting("127.0.0.1", "Address the gRPC server binds.")
    port: int = setting(50051, "gRPC port; 0 picks a free one.", ge=0, le=65535, what="port")
    metrics_port: int = setting(9400, "HTTP port for Prometheus /metrics; 0 picks a free one, -1 disables it.",
                                ge=-1, le=65535, what="port")
    http_port: int = setting(8000, "Port of the OpenAI-compatible HTTP API and the playground page; 0 picks a free one, "
                                   "-1 disables it.", ge=-1, le=65535, what="port")
    served_model_name: str = setting("", "The base model's name in the HTTP API (`model`, /v1/models); empty = the "
                                         "model folder's name.")
    admin_token: str = setting("", "Bearer token for the Admin service; empty = generate one into state_dir/admin_token.")
    tls_cert: str = setting("", "PEM certificate chain: serve gRPC and HTTP over TLS (with tls_key); empty = plaintext.")
    tls_key: str = setting("", "PEM private key of tls_cert (unencrypted; mount it from a Secret).")
    tls_client_ca: str = setting("", "PEM CA bundle: require client certificates signed by it (mTLS); empty = any client.")
    api_key_refresh_s: float = setting(2.0, "Seconds between re-reads of the API keys table: how soon a created or "
                                            "revoked key takes effect on this replica.", gt=0, finite=True)
    state_dir: str = setting("", "Where the server writes its generated admin token; empty = <home>/state.")
    device: str = setting("auto", "auto (CUDA when present, else CPU), cpu or cuda.", choices=DEVICES)
    quantization: str | None = setting(None, "Quantize or read the base as bitsandbytes, awq or gptq (passed to vLLM; "
                                             "CUDA, or awq/gptq on a CPU with AVX-512); unset = what the model folder says "
                                             "(a compressed-tensors int8 W8A8 folder serves int8).", choices=QUANTIZATIONS)
    demo_base: str = setting("int8", "Which copy of the demo base to serve when model is empty: int8 (compressed-tensors "
                                     "W8A8, vLLM's oneDNN int8 kernels on CPU) or fp32.", choices=DEMO_BASES)
    dtype: str = setting("auto", "Weights dtype; auto = float32 on CPU, bfloat16 on CUDA.", choices=DTYPES)
    max_model_len: int = setting(0, "Context length in tokens; 0 = the model's own.", ge=0)
    gpu_memory_utilization: float = setting(0.0, "Share of accelerator (on CPU: host) memory vLLM claims; 0 = 0.5 on CPU, "
                                                 "0.9 on CUDA.", ge=0, le=1, what="share")
    cpu_kv_cache_gib: int = setting(1, "KV cache size in GiB for the CPU backend (VLLM_CPU_KVCACHE_SPACE).", ge=1)
    enforce_eager: bool = setting(True, "Disable CUDA graphs / compilation (faster start, required on small CPUs).")
    max_loras: int = setting(4, "Adapters that can share one batch (vLLM max_loras).", ge=1)
    max_lora_rank: int = setting(16, "Largest LoRA rank the engine accepts (vLLM max_lora_rank).", ge=1)
    max_cpu_loras: int = setting(8, "Adapters kept loaded in the engine's CPU cache (vLLM max_cpu_loras).", ge=1)
    # 128 from bench/soak.py (RESULTS.md): on the 2-core demo it gave the most tokens/s with TTFT p99 under 1 s;
    # 200 in flight only queued longer (p99 2.3 s, fewer tok/s). TGI defaults to 128 too; vLLM queues unbounded.
    max_concurrent_requests: int = setting(128, "Chat requests in flight before new ones get RESOURCE_EXHAUSTED.", ge=1)
    default_max_tokens: int = setting(64, "max_tokens when a request leaves it 0.", ge=1)
    max_tokens_limit: int = setting(1024, "Largest max_tokens a request may ask for.", ge=1)
    max_messages: int = setting(256, "Most messages in one request.", ge=1)
    max_message_chars: int = setting(32_000, "Longest message content in characters.", ge=1)
    shutdown_grace_s: float = setting(5.0, "Seconds in-flight requests get to finish on shutdown.", ge=0)
    engine_check_interval_s: float = setting(2.0, "Seconds between checks that the engine core is alive; when it "
                                                  "died, health turns NOT_SERVING and the server exits 1.",
                                             gt=0, finite=True)

    def admin_token_file(self) -> Path:
        """Where a generated admin token is written, and where `loraloop` clients look for it."""
        return Path(self.state_dir or default_home() / "state") / "admin_token"

    def __post_init__(self) -> None:
        check_fields(self)
        if self.max_cpu_loras < self.max_loras:
            raise ConfigError("max_cpu_loras", self.max_cpu_loras, f"must be >= max_loras={self.max_loras} (vLLM requires it)")
        if self.default_max_tokens > self.max_tokens_limit:
            raise ConfigError("default_max_tokens", self.default_max_tokens,
                              f"must be <= max_tokens_limit={self.max_tokens_limit}")
        if self.quantization == "bitsandbytes" and self.device == "cpu":
            raise ConfigError("quantization", self.quantization,
                              "vLLM runs bitsandbytes bases on CUDA only; on CPU serve an int8 W8A8 base (the demo's default)")
