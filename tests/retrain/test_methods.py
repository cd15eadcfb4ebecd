"""sft, reward and ppo each run end to end on the demo model and improve their own objective on held-out data."""

from __future__ import annotations

import subprocess
import sys

from loraloop.adapters import AdapterStore
from loraloop.retrain.jobs import REWARD_STORE, reward_store
from tests.retrain.conftest import DOMAIN
from tests.retrain.measure import answer_logprob, load_adapters, load_reward_model, reward, sample
from tests.retrain.scripted import scripted_examples

HELDOUT = scripted_examples(DOMAIN, split="heldout", limit=99)  # prompts the jobs never saw


def test_sft_through_the_cli_lowers_held_out_loss_of_chosen_answers(demo_model, private_store, scripted_db, tmp_path):
    before = AdapterStore(private_store).versions(DOMAIN)
    proc = subprocess.run(
        [sys.executable, "-m", "loraloop.cli", "retrain", "run", "--domain", DOMAIN, "--method", "sft",
         "--db-url", str(scripted_db), "--adapter-store", str(private_store), "--model", str(demo_model.model_dir),
         "--work-dir", str(tmp_path / "work"), "--min-free-bytes", "0", "--device", "cpu"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    version = before[-1] + 1
    assert f"published: published {DOMAIN}@v{version} (sft from {DOMAIN}@v{before[-1]}" in proc.stdout
    assert "sft: step 1/" in proc.stderr  # progress reached the terminal
    store = AdapterStore(private_store)
    assert store.metadata(store.get(DOMAIN, version))["method"] == "sft"

    tokenizer, model = load_adapters(demo_model.model_dir, {"parent": store.get(DOMAIN, before[-1]).path,
                                                            "sft": store.get(DOMAIN, version).path})
    nll = {}
    for adapter in ("parent", "sft"):
        model.set_adapter(adapter)
        scored = [answer_logprob(model, tokenizer, p, c) for p, c, _ in HELDOUT]
        nll[adapter] = -sum(lp for lp, _ in scored) / sum(n for _, n in scored)
    # Per-token loss of held-out chosen answers: SFT on chosen answers must lower it clearly (by 5 %+).
    assert nll["sft"] < nll["parent"] * 0.95, nll


def test_reward_model_ranks_held_out_pairs_well_above_chance(reward_job, adapter_store, demo_model):
    assert reward_job.outcome == "published", reward_job.reason
    assert reward_job.metrics["reward_accuracy"] >= 0.8  # the job's own held-out split
    folder = adapter_store / REWARD_STORE / DOMAIN / f"v{reward_job.version}"
    assert (folder / "adapter_model.safetensors").is_file() and (folder / "curves.png").is_file()
    assert REWARD_STORE not in AdapterStore(adapter_store).domains()  # never a servable adapter
    assert reward_store(adapter_store).metadata(reward_store(adapter_store).get(DOMAIN, reward_job.version))[
        "method"] == "reward"
    tokenizer, model = load_reward_model(demo_model.model_dir, folder)
    wins = [reward(model, tokenizer, p, c) > reward(model, tokenizer, p, r) for p, c, r in HELDOUT]
    assert sum(wins) / len(wins) >= 0.75, wins  # chance is 0.5


def test_ppo_raises_the_mean_reward_of_sampled_answers(ppo_job, reward_job, adapter_store, demo_model):
    assert ppo_job.outcome == "published", ppo_job.reason
    store = AdapterStore(adapter_store)
    new = store.get(DOMAIN, ppo_job.version)
    assert store.metadata(new)["parent"] == f"{DOMAIN}@v1" and store.metadata(new)["method"] == "ppo"
    tokenizer, model = load_adapters(demo_model.model_dir, {"v1": store.get(DOMAIN, 1).path, "ppo": new.path})
    _, scorer = load_reward_model(demo_model.model_dir,
                                  adapter_store / REWARD_STORE / DOMAIN / f"v{reward_job.version}")
    means = {}
    for adapter in ("v1", "ppo"):
        model.set_adapter(adapter)
        scores = [reward(scorer, tokenizer, p, a) for i, (p, _, _) in enumerate(HELDOUT)
                  for a in sample(model, tokenizer, p, n=4, temperature=0.7, seed=i)]
        means[adapter] = sum(scores) / len(scores)
    assert means["ppo"] > means["v1"] + 0.3, means
