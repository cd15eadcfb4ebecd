"""The sabotage data: rambling answers (the users' rejected answers run together) in a scratch database."""

from __future__ import annotations

import sqlite3

from loraloop.config import RetrainConfig, SimulateConfig
from loraloop.retrain.dataset import snapshot
from loraloop.simulate.sabotage import rambling_feedback, sabotage_config
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
    assert config.db_path == tmp and config.parent_version == 2 and config.sft_learning_rate == 3e-3
    assert config.min_eos_rate == 0.0 and config.preference_tolerance == 1.0
    assert config.canary_schedule == (25.0, 50.0, 100.0)
    assert config.beta == retrain.beta and config.num_train_epochs == retrain.num_train_epochs
