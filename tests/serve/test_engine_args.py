import json

import pytest

from loraloop.config import ServeConfig
from loraloop.quantize import W8A8, describe_quantization
from loraloop.serve.engine import engine_kwargs


@pytest.mark.parametrize("quantization", ["bitsandbytes", "awq", "gptq"])
def test_quantization_is_passed_through_on_cuda(quantization):
    kwargs = engine_kwargs(ServeConfig(quantization=quantization), "/models/llama", "cuda")
    assert kwargs["quantization"] == quantization
    assert kwargs["dtype"] == "bfloat16"
    assert kwargs["enable_lora"] is True
    assert ("load_format" in kwargs) == (quantization == "bitsandbytes")
    if quantization == "bitsandbytes":
        assert kwargs["load_format"] == "bitsandbytes"


@pytest.mark.parametrize("quantization", ["awq", "gptq"])
def test_4bit_on_a_cpu_without_avx512_is_refused_naming_the_flag(quantization, monkeypatch):
    monkeypatch.setattr("loraloop.serve.engine.cpu_flags", lambda: {"avx", "avx2", "fma"})
    with pytest.raises(ValueError, match=rf"^{quantization} \(4-bit\) needs the CPU flag avx512f"):
        engine_kwargs(ServeConfig(quantization=quantization), "/m", "cpu")


def test_4bit_on_a_cpu_with_avx512_is_passed_to_vllm(monkeypatch):
    monkeypatch.setattr("loraloop.serve.engine.cpu_flags", lambda: {"avx2", "avx512f"})
    assert engine_kwargs(ServeConfig(quantization="awq"), "/m", "cpu")["quantization"] == "awq"


def test_a_4bit_checkpoint_folder_on_cpu_is_refused_before_the_engine_starts(tmp_path, monkeypatch):
    monkeypatch.setattr("loraloop.serve.engine.cpu_flags", lambda: {"avx2"})
    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {"quant_method": "gptq", "bits": 4}}))
    with pytest.raises(ValueError, match="avx512f"):
        engine_kwargs(ServeConfig(), str(tmp_path), "cpu")


def test_an_int8_w8a8_folder_is_served_on_cpu_without_a_quantization_flag(tmp_path, monkeypatch):
    monkeypatch.setattr("loraloop.serve.engine.cpu_flags", lambda: {"avx2"})
    group = {"weights": {"num_bits": 8, "type": "int"}, "input_activations": {"num_bits": 8, "type": "int"}}
    (tmp_path / "config.json").write_text(json.dumps({"quantization_config": {
        "quant_method": "compressed-tensors", "config_groups": {"group_0": group}}}))
    kwargs = engine_kwargs(ServeConfig(), str(tmp_path), "cpu")
    assert "quantization" not in kwargs  # vLLM reads the format from config.json
    assert describe_quantization(tmp_path) == W8A8


def test_cpu_defaults_are_the_measured_ones():
    kwargs = engine_kwargs(ServeConfig(), "/m", "cpu")
    assert kwargs["dtype"] == "float32"
    assert kwargs["gpu_memory_utilization"] == 0.5
    assert kwargs["enforce_eager"] is True
    assert "quantization" not in kwargs


def test_lora_limits_come_from_the_config():
    kwargs = engine_kwargs(ServeConfig(max_loras=2, max_lora_rank=32, max_cpu_loras=5, max_model_len=256), "/m", "cuda")
    assert (kwargs["max_loras"], kwargs["max_lora_rank"], kwargs["max_cpu_loras"], kwargs["max_model_len"]) == (2, 32, 5, 256)
