"""The built-in demo model: a tiny Llama with domain LoRA adapters, built from the shipped corpus."""

from loraloop.demo.build import BUILD_VERSION, DemoModel, build_demo, demo_paths

__all__ = ["BUILD_VERSION", "DemoModel", "build_demo", "demo_paths"]
