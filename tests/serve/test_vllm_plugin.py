"""loraloop's vLLM plugin: the upstream LoRA device bug on a prepacked int8 base, and the patch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from loraloop.serve.vllm_plugin import (
    PATCHED_MODULES,
    SGL_CHECK_MODULE,
    int8_sgl_kernel_for_16bit_activations_only,
    lora_device_with_prepacked_weights,
    register,
)


def _prepacked_int8_layer():
    # What vLLM's CPU oneDNN int8 kernel leaves on a linear layer: the weight dropped, its scale kept.
    return SimpleNamespace(weight=None, weight_scale=torch.ones(4, 1, device="meta"))


def test_upstream_lookup_fails_on_a_layer_whose_weight_was_dropped():
    from vllm.lora.layers.utils import _get_lora_device

    upstream = getattr(_get_lora_device, "__wrapped__", _get_lora_device)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'device'"):
        upstream(_prepacked_int8_layer())


def test_patched_lookup_falls_back_to_the_scale_and_leaves_other_layers_to_vllm():
    calls = []
    patched = lora_device_with_prepacked_weights(lambda layer: calls.append(layer) or torch.device("cpu"))
    assert patched(_prepacked_int8_layer()) == torch.device("meta")
    dense = SimpleNamespace(weight=torch.zeros(2, 2))
    assert patched(dense) == torch.device("cpu") and calls == [dense]


def test_register_patches_every_module_that_imported_the_function_once():
    import importlib

    register()
    register()  # vLLM calls plugins once per process, but a second call must not wrap twice
    functions = {id(importlib.import_module(name)._get_lora_device) for name in PATCHED_MODULES}
    assert len(functions) == 1
    patched = importlib.import_module(PATCHED_MODULES[1])._get_lora_device
    assert patched.loraloop_patched and not getattr(patched.__wrapped__, "loraloop_patched", False)
    assert patched(_prepacked_int8_layer()) == torch.device("meta")


def test_the_plugin_is_registered_for_vllm():
    from importlib.metadata import entry_points

    plugins = {e.name: e.value for e in entry_points(group="vllm.general_plugins")}
    assert plugins.get("loraloop") == "loraloop.serve.vllm_plugin:register"


AMX = pytest.mark.skipif(not torch.cpu._is_amx_tile_supported(), reason="the AMX int8 kernel needs a CPU with AMX tiles")


@AMX
def test_upstream_amx_int8_kernel_refuses_float32_activations_that_upstream_routes_to_it():
    import vllm._custom_ops  # noqa: F401  (loads torch.ops._C)
    from vllm.model_executor.layers.utils import check_cpu_sgl_kernel

    upstream = getattr(check_cpu_sgl_kernel, "__wrapped__", check_cpu_sgl_kernel)
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float32)  # a float32 engine, as loraloop runs on CPU
    try:
        assert upstream(256, 128, torch.int8)  # upstream picks the AMX kernel regardless of activations ...
    finally:
        torch.set_default_dtype(previous)
    weight = torch.ops._C.convert_weight_packed(torch.ones(256, 128, dtype=torch.int8))
    with pytest.raises(RuntimeError, match="expect A to be bfloat16 or half"):  # ... which float32 input kills
        torch.ops._C.int8_scaled_mm_with_quant(torch.ones(4, 128), weight, torch.ones(256), None, torch.float32, True)


def test_patched_check_keeps_float32_int8_layers_on_onednn_and_defers_otherwise():
    calls = []
    patched = int8_sgl_kernel_for_16bit_activations_only(lambda n, k, dtype: calls.append(dtype) or True)
    previous = torch.get_default_dtype()
    try:
        torch.set_default_dtype(torch.float32)
        assert patched(256, 128, torch.int8) is False and calls == []
        assert patched(256, 128, torch.bfloat16) is True  # not int8: vLLM decides
        torch.set_default_dtype(torch.bfloat16)
        assert patched(256, 128, torch.int8) is True  # 16-bit activations: the AMX kernel is right
    finally:
        torch.set_default_dtype(previous)
    assert calls == [torch.bfloat16, torch.int8]


def test_register_patches_the_int8_kernel_choice_once():
    import importlib

    register()
    register()
    check = importlib.import_module(SGL_CHECK_MODULE).check_cpu_sgl_kernel
    assert check.loraloop_patched and not getattr(check.__wrapped__, "loraloop_patched", False)
