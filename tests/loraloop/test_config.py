import dataclasses

import pytest

from loraloop.config import DemoConfig, ServeConfig


@pytest.mark.parametrize("cls", [ServeConfig, DemoConfig])
def test_every_field_has_help(cls):
    missing = [f.name for f in dataclasses.fields(cls) if not f.metadata.get("help")]
    assert missing == []


@pytest.mark.parametrize("kwargs, field", [
    ({"device": "tpu"}, "device"),
    ({"quantization": "int3"}, "quantization"),
    ({"port": 70000}, "port"),
    ({"max_loras": 0}, "max_loras"),
    ({"max_loras": 8, "max_cpu_loras": 4}, "max_cpu_loras"),
    ({"default_max_tokens": 2000}, "default_max_tokens"),
    ({"quantization": "bitsandbytes", "device": "cpu"}, "quantization"),
    ({"demo_base": "int4"}, "demo_base"),
    ({"gpu_memory_utilization": 1.5}, "gpu_memory_utilization"),
])
def test_serve_config_rejects_bad_values_naming_the_field(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}="):
        ServeConfig(**kwargs)


def test_configs_are_frozen_and_keyword_only():
    config = ServeConfig()
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.port = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        ServeConfig("model")  # type: ignore[misc]


@pytest.mark.parametrize("kwargs, field", [
    ({"hidden_size": 100}, "hidden_size"),
    ({"domains": ("general",)}, "domains"),
    ({"max_length": 1024}, "max_length"),
    ({"base_epochs": 0}, "base_epochs"),
])
def test_demo_config_rejects_bad_values(kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}="):
        DemoConfig(**kwargs)


def test_demo_fingerprint_ignores_the_cache_location():
    assert DemoConfig(home="/a").fingerprint() == DemoConfig(home="/b").fingerprint()
    assert DemoConfig(seed=1).fingerprint() != DemoConfig(seed=2).fingerprint()
