"""loraloop's vLLM plugin: the upstream LoRA device bug on a prepacked int8 base, and the patch."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch

from loraloop.serve.vllm_plugin import PATCHED_MODULES, lora_device_with_prepacked_weights, register


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
