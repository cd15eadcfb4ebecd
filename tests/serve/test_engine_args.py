import pytest

from loraloop.config import ServeConfig
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


def test_quantization_is_refused_on_cpu():
    with pytest.raises(ValueError, match="quantization='awq' needs CUDA"):
        engine_kwargs(ServeConfig(quantization="awq"), "/m", "cpu")


def test_cpu_defaults_are_the_measured_ones():
    kwargs = engine_kwargs(ServeConfig(), "/m", "cpu")
    assert kwargs["dtype"] == "float32"
    assert kwargs["gpu_memory_utilization"] == 0.5
    assert kwargs["enforce_eager"] is True
    assert "quantization" not in kwargs


def test_lora_limits_come_from_the_config():
    kwargs = engine_kwargs(ServeConfig(max_loras=2, max_lora_rank=32, max_cpu_loras=5, max_model_len=256), "/m", "cuda")
    assert (kwargs["max_loras"], kwargs["max_lora_rank"], kwargs["max_cpu_loras"], kwargs["max_model_len"]) == (2, 32, 5, 256)
