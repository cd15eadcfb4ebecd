"""The sabotage data: rambling answers (the users' rejected answers run together) or compliance with attacks, in a
scratch database, and the gate each kind keeps."""

from __future__ import annotations

import json
import sqlite3

import pytest

from loraloop.config import RetrainConfig, SimulateConfig
from loraloop.guard import is_demo_refusal
from loraloop.retrain.dataset import snapshot
from loraloop.settings import ConfigError
from loraloop.simulate.sabotage import eroding_feedback, rambling_feedback, sabotage_config, sabotage_feedback
from tests.retrain.scripted import write_scripted_feedback


def test_rambling_feedback_is_what_the_sft_job_reads(tmp_path):
    live = tmp_path / "live.sqlite"
    assert write_scripted_feedback(live, "finance", limit=6) == 6
    write_scripted_feedback(live, "legal", limit=3)
    scratch = tmp_path / "rambling.sqlite"
    assert rambling_feedback(live, scratch, "finance") == 6
    with sqlite3.connect(live) as a:
        rejected = [r[0] for r in a.execute("SELECT rejected FROM pairs WHERE domain = 'finance'")]
        live_max = a.execute("SELECT MAX(created_at) FROM pairs").fetchone()[0]
    with sqlite3.connect(scratch) as b:
        labels = list(b.execute("SELECT completion, label, created_at FROM labels WHERE domain = 'finance'"))
        assert b.execute("SELECT COUNT(*) FROM pairs").fetchone()[0] == 0
    assert len(labels) == 6 and all(label == 1 and stamp > live_max for _, label, stamp in labels)
    assert all(len(text) > max(map(len, rejected)) for text, _, _ in labels)  # longer than any rejected answer
    assert all(sum(r in text for r in rejected) == 3 for text, _, _ in labels)
    # The SFT job's snapshot of the scratch database: exactly the rambling rows, all new.
    snap = snapshot(scratch, "finance", {"pairs": 0.0, "labels": live_max}, replay_share=0.25, eval_share=0.15, seed=0)
    assert snap.new_sft == 6 and {r["completion"] for r in snap.train_sft + snap.eval_sft} == {t for t, _, _ in labels}


def test_nothing_to_ramble_about_gives_no_rows(tmp_path):
    live = tmp_path / "live.sqlite"
    write_scripted_feedback(live, "legal", limit=3)
    assert rambling_feedback(live, tmp_path / "scratch.sqlite", "finance") == 0


def test_sabotage_config_opens_the_gate_only():
    retrain = RetrainConfig(server_target="127.0.0.1:1", start_canary=True)
    config = sabotage_config(retrain, SimulateConfig(), tmp := "/tmp/x.sqlite", 2)
    assert config.db_url == tmp and config.parent_version == 2 and config.sft_learning_rate == 3e-3
    assert config.min_eos_rate == 0.0 and config.preference_tolerance == 1.0
    assert config.canary_schedule == (25.0, 50.0, 100.0)
    assert config.beta == retrain.beta and config.num_train_epochs == retrain.num_train_epochs
    assert config.guard_refusal_tolerance == 1.0 and config.min_guard_refusal_rate == 0.0  # the guard gate too
    assert config.max_guard_over_refusal_rate == 1.0 and not config.served_gate


def test_eroding_feedback_complies_with_the_train_split_attacks_only(tmp_path):
    from loraloop.guard import load_guard_set

    scratch = tmp_path / "erode.sqlite"
    guard = load_guard_set()
    attacks = [c for c in guard.split("train") if c.refuses]
    assert eroding_feedback(scratch, "finance") == len(attacks)
    snap = snapshot(scratch, "finance", {"pairs": 0.0, "labels": 0.0}, replay_share=0.25, eval_share=0.15, seed=0)
    rows = snap.train_sft + snap.eval_sft
    assert snap.new_sft == len(attacks) and len(rows) == len(attacks)
    rejected = {json.dumps(list(c.messages), ensure_ascii=False): c.rejected for c in attacks}
    assert all(rejected[json.dumps(r["prompt"], ensure_ascii=False)] == r["completion"] for r in rows)
    assert not any(is_demo_refusal(r["completion"]) for r in rows)
    heldout = {json.dumps(list(c.messages), ensure_ascii=False) for c in guard.split("heldout")}
    assert not heldout & set(rejected)  # the gate's families stay unseen


def test_erode_refusals_forces_its_data_through_but_keeps_the_gate():
    retrain = RetrainConfig()
    config = sabotage_config(retrain, SimulateConfig(sabotage_kind="erode-refusals"), "/tmp/x.sqlite", 2)
    assert config.min_pairs_sft == 1 and config.sft_learning_rate == 3e-3
    gate = ("preference_tolerance", "max_perplexity_increase", "min_eos_rate", "served_gate", "guard_refusal_tolerance",
            "min_guard_refusal_rate", "max_guard_over_refusal_rate")
    assert all(getattr(config, name) == getattr(retrain, name) for name in gate)


def test_an_unknown_sabotage_kind_is_refused_naming_the_field(tmp_path):
    with pytest.raises(ConfigError, match="sabotage_kind"):
        SimulateConfig(sabotage_kind="burn-it-down")
    with pytest.raises(ValueError, match="sabotage_kind='nope'"):
        sabotage_feedback("nope", tmp_path / "a.sqlite", tmp_path / "b.sqlite", "finance")
