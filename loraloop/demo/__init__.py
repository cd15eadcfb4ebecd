"""The built-in demo model: a tiny Llama with domain LoRA adapters, built from the shipped corpus."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from loraloop.demo.build import BUILD_VERSION, DemoModel, build_demo, demo_paths

__all__ = ["BUILD_VERSION", "DemoModel", "build_demo", "demo_paths"]


def __getattr__(name: str) -> Any:
    # Lazy: `import loraloop.config` loads loraloop.demo.config, which must not load the builder with it.
    if name in __all__:
        return getattr(importlib.import_module("loraloop.demo.build"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
