"""DemoConfig: how the built-in demo model (loraloop/demo/build.py) is built."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.guard.mix import DEFAULT_GUARD_SHARE
from loraloop.settings import ConfigError, check_fields, default_home, setting

__all__ = ["DemoConfig"]


@dataclass(frozen=True, kw_only=True)
class DemoConfig:
    """How the built-in demo model is built: a tiny Llama, its tokenizer, and one SFT LoRA per domain (guard rows mixed in)."""

    home: str = setting("", "Cache root; empty = LORALOOP_HOME or ~/.cache/loraloop.")
    seed: int = setting(0, "Seed for every random choice of the build.")
    domains: tuple[str, ...] = setting(("medical", "finance", "legal"), "Domains that get a LoRA adapter; 'general' stays "
                                                                        "with the base.")
    vocab_size: int = setting(3072, "BPE vocabulary size of the demo tokenizer.", ge=1)
    hidden_size: int = setting(128, "Model width (head_dim is fixed at 64: vLLM's CPU attention needs it).")
    num_layers: int = setting(2, "Transformer layers.", ge=1)
    intermediate_size: int = setting(512, "MLP width.", ge=1)
    max_position_embeddings: int = setting(512, "Context length of the demo model.", ge=1)
    base_epochs: float = setting(12.0, "Passes over the whole corpus when training the base.", gt=0)
    base_learning_rate: float = setting(3e-3, "Base model learning rate.", gt=0)
    adapter_epochs: float = setting(4.0, "Passes over a domain's conversations when training its adapter.", gt=0)
    adapter_learning_rate: float = setting(3e-3, "Adapter learning rate.", gt=0)
    lora_rank: int = setting(8, "LoRA rank of the demo adapters.", ge=1)
    lora_alpha: int = setting(16, "LoRA alpha of the demo adapters.", ge=1)
    batch_size: int = setting(16, "Training batch size (conversations).", ge=1)
    max_length: int = setting(320, "Longest training sequence in tokens.", ge=1)
    threads: int = setting(2, "Torch CPU threads; fixed so the build is reproducible.", ge=1)
    guard_share: float = setting(DEFAULT_GUARD_SHARE, "Share of the base's and each adapter's training rows that are guard "
                                                      "rows (loraloop/guard's train split), the mix every retrain job uses; "
                                                      "0 = none.", ge=0, le=0.5, what="share")

    def __post_init__(self) -> None:
        from loraloop.adapters import RESERVED_DOMAINS  # lazy: the adapter store's module is not a config's to load

        if not (isinstance(self.hidden_size, int | float) and self.hidden_size >= 64 and self.hidden_size % 64 == 0):
            raise ConfigError("hidden_size", self.hidden_size, "expected a multiple of 64 (head_dim 64)")
        if len(self.domains) < 1 or any(name in self.domains for name in RESERVED_DOMAINS):
            raise ConfigError("domains", self.domains, "expected at least one domain, not 'general' or 'base'")
        check_fields(self)
        if self.max_length > self.max_position_embeddings:
            raise ConfigError("max_length", self.max_length,
                              f"must be <= max_position_embeddings={self.max_position_embeddings}")

    def home_path(self) -> Path:
        """The resolved cache root."""
        return Path(self.home) if self.home else default_home()

    def fingerprint(self) -> dict[str, Any]:
        """The fields that change the built weights (everything but where the cache lives)."""
        values = dataclasses.asdict(self)
        values.pop("home")
        return values
