import itertools
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

from safetensors.torch import load_file

from loraloop.adapters import AdapterStore
from loraloop.config import DemoConfig
from loraloop.demo import build_demo, demo_paths
from loraloop.demo.data import DOMAINS, load_corpus
from loraloop.guard import REFUSAL_OPENERS, guard_count, load_guard_set

REPO = Path(__file__).resolve().parents[2]
TINY = dict(vocab_size=600, base_epochs=0.05, adapter_epochs=0.1, domains=("medical", "legal"), max_length=128,
            max_position_embeddings=128)


def test_shipped_corpus_is_what_its_generator_writes():
    proc = subprocess.run([sys.executable, str(REPO / "scripts" / "write_corpus.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_corpus_covers_every_domain_in_both_languages():
    records = load_corpus()
    counts = Counter((r["domain"], r["lang"]) for r in records)
    assert {d for d, _ in counts} == set(DOMAINS)
    assert all(counts[(d, lang)] >= 100 for d in DOMAINS for lang in ("en", "zh"))
    for r in records:
        roles = [m["role"] for m in r["messages"]]
        assert roles[0] == "user" and roles[-1] == "assistant"
        assert all(a != b for a, b in itertools.pairwise(roles))
    heldout = {r["messages"][0]["content"] for r in records if r["split"] == "heldout"}
    train = {r["messages"][0]["content"] for r in records if r["split"] == "train"}
    assert heldout and not heldout & train


def _weights(built):
    files = {"base": built.model_dir / "model.safetensors"}
    files.update({d: built.adapter_store / d / "v1" / "adapter_model.safetensors" for d in built.domains})
    return {name: load_file(str(path)) for name, path in files.items()}


def test_build_is_deterministic_cached_and_publishes_v1(tmp_path):
    first = build_demo(DemoConfig(home=str(tmp_path / "a"), **TINY), progress=False)
    second = build_demo(DemoConfig(home=str(tmp_path / "b"), **TINY), progress=False)
    w1, w2 = _weights(first), _weights(second)
    assert w1.keys() == w2.keys() == {"base", "medical", "legal"}
    for name in w1:
        assert all((w1[name][k] == w2[name][k]).all() for k in w1[name]), name
    assert (first.model_dir / "tokenizer.json").read_bytes() == (second.model_dir / "tokenizer.json").read_bytes()

    marker = first.root / "BUILD.json"
    stamp = marker.stat().st_mtime_ns
    again = build_demo(DemoConfig(home=str(tmp_path / "a"), **TINY), progress=False)
    assert again == first and marker.stat().st_mtime_ns == stamp  # reused, not rebuilt

    store = AdapterStore(first.adapter_store)
    assert store.domains() == ["legal", "medical"]
    meta = store.metadata(store.get("medical", 1))
    assert meta["method"] == "sft" and meta["rank"] == 8 and meta["version"] == 1
    # The adapters train with the guard mix of every sft job: 15 % of their rows, listed in the lineage.
    guard = meta["dataset"]["guard"]
    conversations = meta["dataset"]["conversations"]
    assert guard["share"] == 0.15 and guard["rows"] == guard_count(conversations, 0.15) and guard["kind"] == "sft"
    assert guard["digest"] == load_guard_set().digest
    assert meta["lineage"] and all(i.startswith("guard:") for i in meta["lineage"]) and len(meta["lineage"]) == guard["cases"]
    config = json.loads((first.model_dir / "config.json").read_text())
    assert config["head_dim"] == 64 and config["architectures"] == ["LlamaForCausalLM"]


def test_cache_key_follows_config_and_not_location(tmp_path):
    assert demo_paths(DemoConfig(home="/x")).root.name == demo_paths(DemoConfig(home="/y")).root.name
    assert demo_paths(DemoConfig(seed=1)).root.name != demo_paths(DemoConfig(seed=2)).root.name
    assert demo_paths(DemoConfig(guard_share=0.1)).root.name != demo_paths(DemoConfig()).root.name


def test_the_tokenizer_learns_the_guard_cases_it_trains_on():
    from loraloop.demo.build import train_tokenizer

    records, train = load_corpus("train"), load_guard_set().split("train")
    plain, mixed = train_tokenizer(records, DemoConfig()), train_tokenizer(records, DemoConfig(), train)

    def tokens(tokenizer, texts):
        return sum(len(tokenizer(t)["input_ids"]) for t in texts)

    assert tokens(mixed, [c.chosen for c in train]) < 0.9 * tokens(plain, [c.chosen for c in train])
    assert tokens(mixed, [REFUSAL_OPENERS["zh"]]) < tokens(plain, [REFUSAL_OPENERS["zh"]])
