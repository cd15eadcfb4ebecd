"""The served-base gate: pure metrics and judgement, and a deliberately broken adapter through the real server."""

from __future__ import annotations

import asyncio
import sqlite3

import grpc
import pytest
from safetensors.torch import load_file, save_file

from loraloop.adapters import AdapterStore
from loraloop.config import RetrainConfig
from loraloop.demo.data import load_corpus
from loraloop.retrain.notify import notify_server
from loraloop.retrain.served_gate import ProbeSet, agreement, judge, probe_and_judge, repetition_rate, words

CONFIG = RetrainConfig()
# The shared store's medical versions belong to tests/serve and legal's to the retrain jobs: keep out of their way.
DOMAIN = "finance"
HEALTHY = {"served_eos_rate": 0.9, "served_repetition": 0.05, "served_agreement": 0.7}


def test_words_split_chinese_by_character_and_english_by_word():
    assert words("See a doctor, 多喝水") == ["see", "a", "doctor", ",", "多", "喝", "水"]


def test_repetition_rate_is_the_share_of_repeated_trigrams():
    assert repetition_rate("rest and drink water") == 0.0
    assert repetition_rate("the the the the the") == pytest.approx(1 - 1 / 3)  # 3 trigrams, 1 distinct
    assert repetition_rate("hi") == 0.0


def test_agreement_is_one_for_equal_answers_and_falls_with_difference():
    assert agreement("rest and water", "Rest and water") == 1.0
    assert 0 < agreement("rest and water", "rest and sleep") < 1
    assert agreement("", "") == 1.0 and agreement("a b", "") == 0.0


def test_a_version_like_its_parent_passes():
    assert judge(HEALTHY, HEALTHY, CONFIG) == []
    assert judge({**HEALTHY, "served_eos_rate": 0.75}, HEALTHY, CONFIG) == []  # within served_max_eos_drop


@pytest.mark.parametrize("metric, value, limit", [
    ("served_eos_rate", 0.5, "served_max_eos_drop"),
    ("served_repetition", 0.4, "served_max_repetition_increase"),
    ("served_agreement", 0.3, "served_max_agreement_drop"),
])
def test_each_failure_names_the_metric_both_values_and_the_limit(metric, value, limit):
    [failure] = judge({**HEALTHY, metric: value}, HEALTHY, CONFIG)
    assert failure.startswith(f"{metric}: {value:.4f} on the serving engine vs the parent's {HEALTHY[metric]:.4f}")
    assert limit in failure


def test_probe_set_comes_from_the_workers_result():
    assert ProbeSet.from_result({"metrics": {}}) is None
    probe = ProbeSet.from_result({"probe": {"prompts": [[{"role": "user", "content": "hi"}]], "candidate": ["a"],
                                            "parent": ["b"]}})
    assert probe.prompts[0][0]["content"] == "hi" and probe.candidate_training == ("a",)


# ---------------------------------------------------------------- through the real server

def _prompts(n: int = 8) -> list[list[dict[str, str]]]:
    return [r["messages"][:1] for r in load_corpus("heldout") if r["domain"] == DOMAIN][:n]


def _training_base_answers(model_dir, adapter_dir, prompts, max_new_tokens) -> list[str]:
    from peft import PeftModel

    from loraloop.retrain.evaluate import greedy_answers
    from loraloop.retrain.methods import load_tokenizer
    from loraloop.training_base import load_training_base

    tokenizer = load_tokenizer(str(model_dir))
    model = PeftModel.from_pretrained(load_training_base(model_dir, device="cpu", qlora=True), str(adapter_dir)).eval()
    return [text for text, _ in greedy_answers(model, tokenizer, prompts, max_new_tokens=max_new_tokens)]


@pytest.fixture(scope="module")
def broken_version(adapter_store, tmp_path_factory):
    """v1 with its LoRA B matrices scaled 40x: fluent on no base, a stand-in for a degenerate version."""
    store = AdapterStore(adapter_store)
    v1 = store.get(DOMAIN, 1)
    folder = tmp_path_factory.mktemp("broken")
    weights = {k: (v * 40 if "lora_B" in k else v) for k, v in load_file(v1.path / "adapter_model.safetensors").items()}
    save_file(weights, folder / "adapter_model.safetensors")
    (folder / "adapter_config.json").write_text((v1.path / "adapter_config.json").read_text())
    return store.publish(DOMAIN, folder, {"base_model": "loraloop-demo", "method": "sabotage", "parent": v1.key})


async def test_probe_answers_greedily_on_a_pinned_version_and_records_nothing(server, client, feedback_config):
    def answers() -> int:
        with sqlite3.connect(feedback_config.db_file()) as db:
            return db.execute("SELECT count(*) FROM responses").fetchone()[0]

    await asyncio.sleep(0.5)  # answers of earlier tests are written by the batching writer
    before = answers()
    first = await client.probe_adapter(f"{DOMAIN}@v1", _prompts(4), max_tokens=48)
    again = await client.probe_adapter(f"{DOMAIN}@v1", _prompts(4), max_tokens=48)
    assert first.adapter == f"{DOMAIN}@v1" and len(first.answers) == 4
    assert [a.text for a in first.answers] == [a.text for a in again.answers]  # greedy
    assert all(a.finish_reason in ("stop", "length") and a.completion_tokens > 0 for a in first.answers)
    await asyncio.sleep(0.5)
    assert answers() == before


@pytest.mark.parametrize("adapter, prompts, code, text", [
    (f"{DOMAIN}@v1", [], grpc.StatusCode.INVALID_ARGUMENT, "prompts: empty"),
    (DOMAIN, [[{"role": "user", "content": "hi"}]], grpc.StatusCode.INVALID_ARGUMENT, "name a version"),
    (f"{DOMAIN}@v99", [[{"role": "user", "content": "hi"}]], grpc.StatusCode.NOT_FOUND, DOMAIN),
    (f"{DOMAIN}@v1", [[{"role": "robot", "content": "hi"}]], grpc.StatusCode.INVALID_ARGUMENT, "prompts[0].messages[0].role"),
])
async def test_probe_bad_input_names_the_problem(client, adapter, prompts, code, text):
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await client.probe_adapter(adapter, prompts)
    assert caught.value.code() == code and text in caught.value.details()


async def test_probe_needs_the_admin_token(server):
    from loraloop.client import LoraloopClient

    async with LoraloopClient(f"127.0.0.1:{server.port}") as anonymous:
        with pytest.raises(grpc.aio.AioRpcError) as caught:
            await anonymous.probe_adapter(f"{DOMAIN}@v1", _prompts(1))
    assert caught.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_a_broken_version_is_refused_on_the_serving_engine_unloaded_and_gets_no_canary(
        server, client, demo_model, broken_version):
    from tests.conftest import ADMIN_TOKEN

    config = RetrainConfig(server_target=f"127.0.0.1:{server.port}", admin_token=ADMIN_TOKEN, start_canary=True,
                           eval_max_new_tokens=64)
    prompts = _prompts()
    probe = ProbeSet(prompts=tuple(prompts),
                     candidate_training=tuple(await asyncio.to_thread(
                         _training_base_answers, demo_model.model_dir, broken_version.path, prompts, 64)),
                     parent_training=tuple(await asyncio.to_thread(
                         _training_base_answers, demo_model.model_dir, broken_version.path.parent / "v1", prompts, 64)))
    # The parent against itself passes: the gate does not refuse a healthy version.
    itself = ProbeSet(prompts=probe.prompts, candidate_training=probe.parent_training,
                      parent_training=probe.parent_training)
    _metrics, healthy = await probe_and_judge(client, f"{DOMAIN}@v1", f"{DOMAIN}@v1", itself, config)
    assert healthy == []

    told = await asyncio.to_thread(notify_server, config, DOMAIN, broken_version.version, "test",
                                   parent=f"{DOMAIN}@v1", probe=probe)
    assert told.served_failures, told
    assert all(f.split(":")[0] in ("served_eos_rate", "served_repetition", "served_agreement")
               for f in told.served_failures)
    assert told.served_metrics["served_eos_rate"] < told.served_metrics["parent_served_eos_rate"] or \
        told.served_metrics["served_repetition"] > told.served_metrics["parent_served_repetition"]
    assert f"{broken_version.key} unloaded, no canary" in told.notes
    info = {a.ref: a for a in await client.list_adapters()}[broken_version.key]
    assert not info.loaded and not info.active
    assert all(r.canary_version != broken_version.version for r in await client.get_rollout(DOMAIN))
