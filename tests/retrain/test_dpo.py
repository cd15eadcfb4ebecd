"""dpo on a scripted preference (short answers ending with the domain keyword beat long rambling ones):
the new version beats its parent on held-out pairs, answers move toward the preferred kind, and the server
serves it."""

from __future__ import annotations

import json
import sqlite3

from loraloop.adapters import AdapterStore, sha256_file
from loraloop.retrain.jobs import REWARD_STORE
from tests.retrain.conftest import DOMAIN, unload_if_loaded
from tests.retrain.measure import answer_logprob, greedy, load_adapters
from tests.retrain.scripted import KEYWORDS, scripted_examples

# Held-out corpus prompts: never in the job's data (the scripted feedback uses the corpus train split).
HELDOUT = scripted_examples(DOMAIN, split="heldout", limit=99)


def _published(dpo_job, adapter_store):
    result, _progress, _rollouts = dpo_job
    assert result.outcome == "published", result.reason
    return result, AdapterStore(adapter_store).get(DOMAIN, result.version)


async def test_dpo_publishes_a_version_that_beats_its_parent(dpo_job, adapter_store, scripted_db):
    result, ref = _published(dpo_job, adapter_store)
    assert result.method == "dpo" and result.pairs == 64 and result.version >= 2
    # The job's own gate metrics: held-out preference accuracy (implicit reward vs the base) beats v1's.
    assert result.metrics["preference_accuracy"] > result.metrics["parent_preference_accuracy"]
    assert result.metrics["implicit_reward_accuracy"] > 0.5  # DPO's own accuracy, the parent as reference
    assert result.metrics["eos_rate"] >= 0.8
    meta = AdapterStore(adapter_store).metadata(ref)
    assert meta["method"] == "dpo" and meta["parent"] == f"{DOMAIN}@v1"
    assert meta["sha256"]["adapter_model.safetensors"] == sha256_file(ref.path / "adapter_model.safetensors")
    assert (ref.path / "curves.png").stat().st_size > 1000
    assert meta["eval"]["preference_accuracy"] == result.metrics["preference_accuracy"]
    assert len(meta["dataset"]["digest"]) == 64 and meta["config"]["beta"] == 0.1
    assert "admin_token" not in meta["config"] and "db_url" not in meta["config"]
    # Lineage: exactly the feedback rows of the domain the snapshot read (pairs and desirable labels), and the
    # guard cases mixed in as pairs (15 % of the training pairs).
    with sqlite3.connect(scripted_db) as db:
        pairs = {f"pairs:{i}" for (i,) in db.execute("SELECT id FROM pairs WHERE domain = ?", [DOMAIN])}
    assert pairs <= set(meta["lineage"])
    assert all(item.split(":")[0] in ("pairs", "labels", "guard") for item in meta["lineage"])
    guard = meta["dataset"]["guard"]
    assert (guard["kind"], guard["share"]) == ("pairs", 0.15) and guard["rows"] >= 8
    assert guard["cases"] == sum(item.startswith("guard:") for item in meta["lineage"])


async def test_dpo_held_out_preference_recomputed_from_the_saved_adapters(dpo_job, adapter_store, demo_model):
    _result, ref = _published(dpo_job, adapter_store)
    tokenizer, model = load_adapters(demo_model.model_dir, {"v1": ref.path.parent / "v1", "new": ref.path})

    def margins(adapter: str) -> list[float]:
        model.set_adapter(adapter)
        return [answer_logprob(model, tokenizer, p, c)[0] - answer_logprob(model, tokenizer, p, r)[0]
                for p, c, r in HELDOUT]

    v1, new = margins("v1"), margins("new")
    # DPO's implicit reward with the parent as reference: beta * (log-ratio margin of new - that of v1) > 0.
    wins = sum(n - o > 0 for n, o in zip(new, v1)) / len(HELDOUT)
    assert wins >= 0.75, wins
    # And the plain preference (chosen more likely than rejected) of the new version beats v1's.
    assert sum(m > 0 for m in new) >= sum(m > 0 for m in v1)


async def test_dpo_greedy_answers_move_toward_the_preferred_kind(dpo_job, adapter_store, demo_model):
    _result, ref = _published(dpo_job, adapter_store)
    tokenizer, model = load_adapters(demo_model.model_dir, {"v1": ref.path.parent / "v1", "new": ref.path})
    prompts = [p for p, _, _ in HELDOUT]
    keyword = KEYWORDS[DOMAIN]
    stats = {}
    for adapter in ("v1", "new"):
        model.set_adapter(adapter)
        answers = greedy(model, tokenizer, prompts)
        stats[adapter] = (sum(a.rstrip(" .").endswith(keyword) for a in answers) / len(answers),
                          sum(len(a) for a in answers) / len(answers))
    # v1 ends half to three quarters of its held-out answers with the keyword (the demo build since guard data:
    # 0.75); the preference asks for every answer to. Gain 0.2, or come within 0.1 of every answer.
    assert stats["new"][0] >= min(stats["v1"][0] + 0.2, 0.9), stats
    assert stats["new"][1] <= stats["v1"][1] * 1.1, stats  # and not longer (short answers were preferred)


async def test_the_job_told_the_server_and_it_serves_the_new_version(dpo_job, client, adapter_store):
    result, progress, rollouts = dpo_job
    assert result.outcome == "published", result.reason
    key = f"{DOMAIN}@v{result.version}"
    assert "loaded on 127.0.0.1:" in result.reason and f"canary of v{result.version} started" in result.reason
    assert any("worker started" in p for p in progress)
    # The job's SetRollout("start") made the new version the canary of the configured schedule.
    [rollout] = [r for r in rollouts if r.canary_version == result.version]
    assert (rollout.status, rollout.weight) == ("running", 10.0) and rollout.stable_version < result.version
    info = await client.load_adapter(key, keep_active=True)  # Admin.LoadAdapter: loaded, not made active
    try:
        assert info.ref == key and info.loaded and not info.active
        reply = await client.chat("Can my landlord keep my deposit?", adapter=key, temperature=0, max_tokens=48)
        assert reply.adapter == key and reply.text.strip()
    finally:
        await unload_if_loaded(client, key)  # give the engine's LoRA slot back for the tests after this one
    # Reward models are never served or listed.
    assert not any(REWARD_STORE in i.ref for i in await client.list_adapters())
    assert REWARD_STORE not in AdapterStore(adapter_store).domains()
    json.dumps(result.metrics)  # plain floats: the daemon exports them as gauges
