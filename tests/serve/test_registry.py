"""Registry logic against a recording fake engine; the real engine is exercised in test_server.py."""

import asyncio

import pytest

from loraloop.adapters import AdapterSpec, AdapterStore
from loraloop.errors import AdapterBusy, AdapterNotFound, Overloaded
from loraloop.serve.registry import AdapterRegistry
from tests.adapter_files import make_adapter_dir


class FakeEngine:
    def __init__(self):
        self.loaded: dict[int, str] = {}
        self.pinned: set[int] = set()
        self.calls: list[tuple] = []

    async def add_lora(self, name, lora_id, path):
        await asyncio.sleep(0)
        self.calls.append(("add", name, lora_id))
        self.loaded[lora_id] = name
        return True

    async def remove_lora(self, lora_id):
        self.calls.append(("remove", self.loaded.get(lora_id), lora_id))
        self.pinned.discard(lora_id)
        return self.loaded.pop(lora_id, None) is not None

    async def pin_lora(self, lora_id):
        self.pinned.add(lora_id)
        return True


@pytest.fixture
def store(tmp_path):
    store = AdapterStore(tmp_path / "store")
    for domain in ("medical", "finance"):
        store.publish(domain, make_adapter_dir(tmp_path / "src"))
    return store


async def test_start_preloads_and_pins_each_domains_newest_version(store):
    engine = FakeEngine()
    registry = AdapterRegistry(store, engine, max_loaded=4)
    await registry.start()
    assert sorted(engine.loaded.values()) == ["finance@v1", "medical@v1"]
    assert engine.pinned == set(engine.loaded)
    assert {s.ref.key for s in registry.statuses() if s.active} == {"finance@v1", "medical@v1"}


async def test_ids_are_stable_and_never_reused(store, tmp_path):
    registry = AdapterRegistry(store, FakeEngine(), max_loaded=4)
    await registry.start()
    first = {s.ref.key: s.lora_id for s in registry.statuses()}
    store.publish("medical", make_adapter_dir(tmp_path / "src"))
    await registry.load(AdapterSpec(domain="medical"))
    after = {s.ref.key: s.lora_id for s in registry.statuses()}
    assert {k: after[k] for k in first} == first
    assert len(set(after.values())) == len(after)


async def test_hot_swap_keeps_in_flight_requests_on_the_old_version(store, tmp_path):
    engine = FakeEngine()
    registry = AdapterRegistry(store, engine, max_loaded=4)
    await registry.start()
    store.publish("medical", make_adapter_dir(tmp_path / "src", fill=1.0))
    async with registry.lease(AdapterSpec(domain="medical")) as old:
        await registry.load(AdapterSpec(domain="medical"))
        assert old.ref.key == "medical@v1"
        assert "medical@v1" in engine.loaded.values()  # still serving the request in flight
        async with registry.lease(AdapterSpec(domain="medical")) as new:
            assert new.ref.key == "medical@v2"
    await asyncio.sleep(0.01)  # the drained version is unloaded in the background
    assert "medical@v1" not in engine.loaded.values()
    assert "medical@v2" in engine.loaded.values()


async def test_the_active_version_cannot_be_unloaded(store):
    registry = AdapterRegistry(store, FakeEngine(), max_loaded=4)
    await registry.start()
    with pytest.raises(AdapterBusy, match="active version"):
        await registry.unload(AdapterSpec(domain="medical", version=1))


async def test_unknown_adapters_are_not_found(store):
    registry = AdapterRegistry(store, FakeEngine(), max_loaded=4)
    await registry.start()
    with pytest.raises(AdapterNotFound):
        async with registry.lease(AdapterSpec(domain="legal")):
            pass
    with pytest.raises(AdapterNotFound):
        async with registry.lease(AdapterSpec(domain="medical", version=9)):
            pass


async def test_cache_limit_evicts_idle_versions_and_refuses_when_all_are_busy(store, tmp_path):
    for _ in range(3):
        store.publish("medical", make_adapter_dir(tmp_path / "src"))  # v2..v4
    engine = FakeEngine()
    registry = AdapterRegistry(store, engine, max_loaded=3)
    await registry.start()  # medical@v4, finance@v1 active
    async with registry.lease(AdapterSpec(domain="medical", version=1)):
        pass
    async with registry.lease(AdapterSpec(domain="medical", version=2)):
        assert len(engine.loaded) == 3
        assert "medical@v1" not in engine.loaded.values()  # the idle one made room
        with pytest.raises(Overloaded, match="max_cpu_loras=3"):
            async with registry.lease(AdapterSpec(domain="medical", version=3)):
                pass
    assert len(engine.loaded) <= 3


async def test_a_version_corrupted_after_publish_is_refused_and_the_previous_keeps_serving(store, tmp_path):
    from loraloop.errors import StoreError

    engine = FakeEngine()
    registry = AdapterRegistry(store, engine, max_loaded=4)
    await registry.start()
    ref = store.publish("medical", make_adapter_dir(tmp_path / "src2", fill=1.0))
    weights = ref.path / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:-8] + b"\x00" * 8)  # bit rot / a bad copy after publish
    with pytest.raises(StoreError) as info:
        await registry.load(AdapterSpec(domain="medical"))
    assert str(weights) in str(info.value) and "sha256" in str(info.value)
    assert registry.active("medical").key == "medical@v1"
    assert "medical@v2" not in engine.loaded.values()
    async with registry.lease(AdapterSpec(domain="medical")) as lease:
        assert lease.ref.key == "medical@v1"
