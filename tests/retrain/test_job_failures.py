"""Jobs that must publish nothing: killed, gated, too few pairs, bad parent, no disk, bad requests."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import threading
from dataclasses import replace
from pathlib import Path

import pytest

from loraloop.cli import main
from loraloop.errors import InvalidArgument
from loraloop.retrain.jobs import run_job
from tests.retrain.conftest import DOMAIN, tiny_config


def tree(root: Path) -> list[str]:
    """Every path under the store (hidden temp folders included), with file sizes."""
    return sorted(f"{p.relative_to(root)}:{p.stat().st_size if p.is_file() else 'd'}" for p in root.rglob("*"))


@pytest.fixture
def store_copy(private_store, tmp_path) -> Path:
    """A private store of its own per test (some tests corrupt it)."""
    root = tmp_path / "adapters"
    shutil.copytree(private_store, root)
    return root


@pytest.fixture
def config(demo_model, store_copy, scripted_db, tmp_path):
    return tiny_config(db=scripted_db, store=store_copy, model_dir=demo_model.model_dir, work=tmp_path / "work")


def _stop_at_first_step(action):
    """An on_progress that runs `action(pid)` once, when training has taken its first step."""
    state: dict = {"pid": None, "seen": []}

    def on_progress(text: str) -> None:
        state["seen"].append(text)
        if text.startswith("worker started (pid "):
            state["pid"] = int(text.split("pid ")[1].rstrip(")"))
        elif ": step 1/" in text and not state.get("fired"):
            state["fired"] = True
            action(state["pid"])

    return on_progress, state


def test_cancelling_mid_training_leaves_the_store_unchanged(config, store_copy):
    before = tree(store_copy)
    cancel = threading.Event()
    on_progress, state = _stop_at_first_step(lambda pid: cancel.set())
    # Hundreds of epochs: training would run for minutes, so the cancel lands mid-training.
    result = run_job(DOMAIN, "dpo", replace(config, num_train_epochs=300), on_progress=on_progress, cancel=cancel)
    assert result.outcome == "killed" and result.version is None, result.reason
    assert "cancelled" in result.reason
    assert tree(store_copy) == before
    with pytest.raises(ProcessLookupError):
        os.kill(state["pid"], 0)  # the worker is gone


def test_sigkill_of_the_worker_leaves_the_store_unchanged(config, store_copy):
    before = tree(store_copy)
    on_progress, _ = _stop_at_first_step(lambda pid: os.kill(pid, signal.SIGKILL))
    result = run_job(DOMAIN, "sft", replace(config, num_train_epochs=300), on_progress=on_progress)
    assert result.outcome == "killed" and "SIGKILL" in result.reason, result.reason
    assert tree(store_copy) == before


def test_a_failing_gate_publishes_nothing_and_names_the_check(config, store_copy):
    before = tree(store_copy)
    # One step at a learning rate of 1e-12: the candidate is its parent, so it cannot beat the parent.
    result = run_job(DOMAIN, "dpo", replace(config, dpo_learning_rate=1e-12, max_steps=1))
    assert result.outcome == "gate_failed" and result.version is None, result.reason
    assert "preference_accuracy" in result.reason and "does not beat the parent's" in result.reason
    ours, parent = result.metrics["preference_accuracy"], result.metrics["parent_preference_accuracy"]
    assert f"{ours:.4f}" in result.reason and f"{parent:.4f}" in result.reason
    assert tree(store_copy) == before


def test_too_few_pairs_says_how_many_are_needed(config, store_copy, tmp_path):
    result = run_job(DOMAIN, "dpo", replace(config, min_pairs_dpo=1000))
    assert result.outcome == "too_few_pairs" and "need 1000, have 64" in result.reason, result.reason
    empty = run_job(DOMAIN, "reward", replace(config, db_url=str(tmp_path / "missing.sqlite")))
    assert empty.outcome == "too_few_pairs" and "need 32, have 0" in empty.reason, empty.reason
    assert not list(store_copy.glob(".*-v*"))


def test_unknown_domain_or_method_is_a_bad_request(config):
    with pytest.raises(InvalidArgument, match="method"):
        run_job(DOMAIN, "rlhf", config)
    with pytest.raises(InvalidArgument, match=r"domain.*'astrology'"):
        run_job("astrology", "dpo", config)


def test_corrupt_or_missing_parent_fails_with_a_reason(config, store_copy):
    weights = store_copy / DOMAIN / "v1" / "adapter_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])  # truncated
    before = tree(store_copy)
    result = run_job(DOMAIN, "dpo", config)
    assert result.outcome == "failed" and "corrupt" in result.reason and f"{DOMAIN}@v1" in result.reason
    missing = run_job(DOMAIN, "dpo", replace(config, parent_version=7))
    assert missing.outcome == "failed" and f"{DOMAIN}@v7 not found" in missing.reason, missing.reason
    assert tree(store_copy) == before


def test_out_of_disk_before_training(config, store_copy):
    result = run_job(DOMAIN, "dpo", replace(config, min_free_bytes=1 << 62))
    assert result.outcome == "failed" and "out of disk" in result.reason and str(1 << 62) in result.reason


def test_out_of_disk_during_publish_leaves_no_partial_version(config, store_copy, monkeypatch):
    """The worker is faked (a finished result, v1's weights as the candidate); the copy into the store hits ENOSPC."""
    from loraloop import adapters
    from loraloop.retrain import launch

    def fake_worker(cfg, spec_file, log_file, **kwargs):
        job = spec_file.parent
        shutil.copytree(store_copy / DOMAIN / "v1", job / "adapter")
        (job / "result.json").write_text(json.dumps({"metrics": {
            "preference_accuracy": 0.9, "parent_preference_accuracy": 0.1, "perplexity_ratio": 1.0,
            "perplexity": 10.0, "parent_perplexity": 10.0, "eos_rate": 1.0}, "train": {}}))
        return launch.WorkerExit(returncode=0)

    real_copy = shutil.copyfile

    def full_disk(src, dst, *args, **kwargs):
        if str(dst).endswith(".safetensors") and Path(dst).resolve().is_relative_to(store_copy.resolve()):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real_copy(src, dst, *args, **kwargs)

    monkeypatch.setattr(launch, "run_worker", fake_worker)
    monkeypatch.setattr(adapters.shutil, "copyfile", full_disk)
    before = [p for p in tree(store_copy) if not p.startswith(f".{DOMAIN}.lock")]
    result = run_job(DOMAIN, "dpo", config)
    assert result.outcome == "failed" and "publish failed" in result.reason and "No space left" in result.reason
    assert [p for p in tree(store_copy) if not p.startswith(f".{DOMAIN}.lock")] == before


def test_ppo_without_a_reward_model_says_to_train_one(config):
    result = run_job(DOMAIN, "ppo", config)
    assert result.outcome == "failed" and "--method reward" in result.reason, result.reason


def test_cli_exit_codes(config, capsys):
    flags = ["--db-url", config.db_url, "--adapter-store", config.adapter_store, "--model", config.model,
             "--work-dir", config.work_dir, "--min-free-bytes", "0"]
    assert main(["retrain", "run", "--domain", DOMAIN, "--method", "rlhf", *flags]) == 2
    assert "loraloop: error: method: 'rlhf'" in capsys.readouterr().err
    assert main(["retrain", "run", "--domain", DOMAIN, "--method", "dpo", "--min-pairs-dpo", "500", *flags]) == 1
    assert "too_few_pairs: too few new preference pairs" in capsys.readouterr().out
    assert main(["retrain", "pending", "--domain", DOMAIN, *flags]) == 0
    assert capsys.readouterr().out.strip() == "64"
