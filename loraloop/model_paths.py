"""Which base model and adapter store a process uses: the local paths it was given, or the demo build.

One resolution for the server, the retrain jobs and the simulator, so all of them agree on the same folders.
"""

from __future__ import annotations

from pathlib import Path

from loraloop.config import DemoConfig, default_home

__all__ = ["resolve_model"]


def resolve_model(model: str | None, adapter_store: str | None, demo: DemoConfig, *,
                  demo_base: str = "int8") -> tuple[str, str]:
    """(model dir, adapter store root): the given paths, or the demo build (built on first use).

    `demo_base` (ServeConfig.demo_base's values) picks the demo's serving copy ("int8", compressed-tensors W8A8)
    or its full-precision weights ("fp32", what training loads); it is ignored when `model` is given.
    """
    if model:
        if not (Path(model) / "config.json").is_file():
            raise ValueError(f"model={model!r}: not a local Hugging Face model directory (no config.json)")
        return model, adapter_store or str(default_home() / "adapters")
    from loraloop.demo import build_demo

    built = build_demo(demo)
    model_dir = built.int8_model_dir if demo_base == "int8" else built.model_dir
    return str(model_dir), adapter_store or str(built.adapter_store)
