"""Hot swap under load: publish and load medical@v2 while streams are running; nothing fails."""

from __future__ import annotations

import asyncio
import time

from safetensors.torch import load_file, save_file

from loraloop.adapters import AdapterStore

PROMPTS = [
    "I have had a headache since this morning. What should I do?",
    "Is it safe to exercise with a mild cold?",
    "How much water should I drink every day?",
    "What helps with trouble sleeping?",
]
GREEDY = dict(temperature=0.0, max_tokens=32)
STREAMS = 8


def publish_changed_copy(store_root, tmp_path):
    """medical@v2: v1's weights with lora_B scaled, so v2 answers differently from v1."""
    store = AdapterStore(store_root)
    v1 = store.get("medical", 1)
    src = tmp_path / "medical-v2"
    src.mkdir()
    weights = load_file(str(v1.path / "adapter_model.safetensors"))
    save_file({k: (v * 4.0 if "lora_B" in k else v) for k, v in weights.items()}, str(src / "adapter_model.safetensors"))
    (src / "adapter_config.json").write_bytes((v1.path / "adapter_config.json").read_bytes())
    return store.publish("medical", src, {"method": "test", "parent": "medical@v1"})


async def test_hot_swap_under_load(client, adapter_store, tmp_path):
    reference_v1 = {p: (await client.chat(p, adapter="medical@v1", **GREEDY)).text for p in PROMPTS}
    v2 = publish_changed_copy(adapter_store, tmp_path)
    assert v2.key == "medical@v2"

    results: list[tuple[float, float, str, str, str]] = []  # (start, end, prompt, adapter, text)
    failures: list[BaseException] = []
    stop = asyncio.Event()
    swapped_at: list[float] = []

    async def worker(i: int) -> None:
        n = 0
        while not stop.is_set():
            prompt = PROMPTS[(i + n) % len(PROMPTS)]
            n += 1
            start = time.monotonic()
            try:
                parts, adapter = [], ""
                async for chunk in client.stream(prompt, adapter="medical", **GREEDY):
                    parts.append(chunk.delta)
                    adapter = chunk.adapter
                results.append((start, time.monotonic(), prompt, adapter, "".join(parts)))
            except Exception as e:
                failures.append(e)

    workers = [asyncio.create_task(worker(i)) for i in range(STREAMS)]
    while len(results) < STREAMS:  # every stream is going
        await asyncio.sleep(0.05)
    info = await client.load_adapter("medical")  # newest published = v2
    swapped_at.append(time.monotonic())
    assert info.ref == "medical@v2" and info.active and info.loaded
    while len([r for r in results if r[0] > swapped_at[0]]) < 2 * STREAMS:
        await asyncio.sleep(0.05)
    stop.set()
    await asyncio.gather(*workers)

    assert failures == []
    after = [r for r in results if r[0] > swapped_at[0]]
    before = [r for r in results if r[1] < swapped_at[0]]
    assert before and all(r[3] == "medical@v1" for r in before)
    assert all(r[3] == "medical@v2" for r in after)
    # The reported version is the one that answered: v1 answers match v1's own greedy text.
    for _, _, prompt, adapter, text in results:
        if adapter == "medical@v1":
            assert text == reference_v1[prompt]
    reference_v2 = {p: (await client.chat(p, adapter="medical@v2", **GREEDY)).text for p in PROMPTS}
    assert reference_v2 != reference_v1
    for _, _, prompt, _adapter, text in after:
        assert text == reference_v2[prompt]

    statuses = {a.ref: a for a in await client.list_adapters()}
    assert statuses["medical@v2"].active and not statuses["medical@v1"].active
    for _ in range(50):  # the superseded version leaves the engine once its requests drained
        if not {a.ref: a for a in await client.list_adapters()}["medical@v1"].loaded:
            break
        await asyncio.sleep(0.1)
    assert not {a.ref: a for a in await client.list_adapters()}["medical@v1"].loaded

    # Swap back (what a rollback does): v1 serves "medical" again, with the same answers as before.
    await client.load_adapter("medical@v1")
    again = await client.chat(PROMPTS[0], adapter="medical", **GREEDY)
    assert again.adapter == "medical@v1" and again.text == reference_v1[PROMPTS[0]]
