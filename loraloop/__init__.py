"""loraloop: serve many LoRA adapters on one base model with vLLM, and improve them from live feedback."""

__version__ = "0.1.0"
__all__ = ["__version__"]
