"""The int8 W8A8 serving copy: compressed-tensors' format, weights within half a step of the originals."""

from __future__ import annotations

import json

import torch
from safetensors.torch import load_file

from loraloop.quantize import W8A8, describe_quantization, four_bit_cpu_refusal, write_w8a8


def _tiny(path):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=256, hidden_size=128, intermediate_size=256, num_hidden_layers=1,
                         num_attention_heads=2, num_key_value_heads=1, head_dim=64, tie_word_embeddings=True)
    model = LlamaForCausalLM(config)
    model.save_pretrained(path)
    (path / "generation_config.json").write_text(json.dumps({"temperature": 0.3, "do_sample": True}))
    return model


def test_w8a8_copy_has_int8_per_channel_weights_close_to_the_originals(tmp_path):
    original = _tiny(tmp_path / "fp32").state_dict()
    out = write_w8a8(tmp_path / "fp32", tmp_path / "int8")
    config = json.loads((out / "config.json").read_text())["quantization_config"]
    assert config["format"] == "int-quantized" and config["ignore"] == ["lm_head"]
    group = config["config_groups"]["group_0"]
    assert group["weights"]["strategy"] == "channel" and group["weights"]["symmetric"]
    assert group["input_activations"]["dynamic"] and group["input_activations"]["strategy"] == "token"
    assert describe_quantization(out) == W8A8
    assert json.loads((out / "generation_config.json").read_text())["temperature"] == 0.3
    tensors = load_file(out / "model.safetensors")
    name = "model.layers.0.mlp.down_proj"
    weight, scale = tensors[f"{name}.weight"], tensors[f"{name}.weight_scale"]
    assert weight.dtype == torch.int8 and scale.shape == (weight.shape[0], 1)
    error = (weight.float() * scale - original[f"{name}.weight"]).abs()
    assert (error <= scale / 2 + 1e-6).all()  # round-to-nearest: within half a quantization step
    assert tensors["model.embed_tokens.weight"].dtype == torch.float32  # embeddings (and the tied head) stay


def test_describe_quantization_reads_the_folder_or_the_flag(tmp_path):
    assert describe_quantization(tmp_path) == "none"
    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {"quant_method": "awq", "bits": 4}}))
    assert describe_quantization(tmp_path) == "awq"
    assert describe_quantization(tmp_path, "gptq") == "gptq"


def test_four_bit_refusal_names_the_missing_flag_and_passes_int8(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {"quant_method": "gptq", "bits": 4}}))
    assert "avx512f" in four_bit_cpu_refusal(tmp_path, None, {"avx2"})
    assert four_bit_cpu_refusal(tmp_path, None, {"avx2", "avx512f"}) is None
    assert "CUDA only" in four_bit_cpu_refusal(tmp_path, "bitsandbytes", {"avx512f"})
    assert four_bit_cpu_refusal(tmp_path / "missing", None, {"avx2"}) is None
