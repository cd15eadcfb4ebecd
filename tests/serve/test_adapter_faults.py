"""Faults of the adapter store under the real server: a version corrupted on disk after publish."""

from __future__ import annotations

import shutil

import grpc
import pytest

from loraloop.adapters import AdapterStore

PROMPT = "I have had a headache since this morning. What should I do?"


async def test_a_corrupted_version_is_refused_naming_the_file_and_the_active_one_keeps_serving(client, adapter_store,
                                                                                              tmp_path):
    store = AdapterStore(adapter_store)
    active = next(a for a in await client.list_adapters() if a.domain == "medical" and a.active)
    source = store.get("medical", active.version)
    src = tmp_path / "copy"
    src.mkdir()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (src / name).write_bytes((source.path / name).read_bytes())
    ref = store.publish("medical", src, {"method": "test", "parent": source.key})
    weights = ref.path / "adapter_model.safetensors"
    try:
        data = bytearray(weights.read_bytes())
        data[-1] ^= 0xFF  # one flipped byte after publish
        weights.write_bytes(bytes(data))
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await client.load_adapter(f"medical@v{ref.version}")
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        assert str(weights) in info.value.details() and "sha256" in info.value.details()
        with pytest.raises(grpc.aio.AioRpcError) as pinned:  # a request naming it is refused the same way
            await client.chat(PROMPT, adapter=f"medical@v{ref.version}", max_tokens=2)
        assert pinned.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        answer = await client.chat(PROMPT, adapter="medical", max_tokens=2)
        assert answer.adapter == f"medical@v{active.version}"
    finally:
        shutil.rmtree(ref.path)  # the session's other tests publish medical versions after this one
