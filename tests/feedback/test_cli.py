"""`loraloop feedback drift|stats`, in-process: the latest snapshot table, and its exit codes."""

from __future__ import annotations

import pytest

from loraloop.cli import main
from loraloop.config import FeedbackConfig
from loraloop.feedback.drift import DriftMonitor, Windows, latest_snapshot
from loraloop.feedback.drift_stats import DRIFT_METRICS
from loraloop.feedback.store import FeedbackStore


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "fb.sqlite"
    FeedbackStore(path).close()  # an empty, migrated database
    return path


def _snapshot(db, adapter: str, value: float, now: float) -> None:
    monitor = DriftMonitor(db, tokenizer=None, config=FeedbackConfig())
    values = dict.fromkeys(DRIFT_METRICS)
    monitor.record(Windows(adapter=adapter, reference=[()] * 3, recent=[()] * 2), {**values, "prompt_js": value}, now)


def test_no_drift_snapshots_is_a_runtime_failure_in_one_line(db, capsys):
    assert main(["feedback", "drift", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"loraloop: error: no drift snapshots in {db} yet") and err.count("\n") == 1


def test_drift_prints_only_the_latest_snapshot(db, capsys):
    _snapshot(db, "medical", 0.01, now=1000.0)
    _snapshot(db, "medical", 0.5, now=2000.0)
    _snapshot(db, "finance", 0.02, now=2000.0)
    store = FeedbackStore(db)
    rows = latest_snapshot(store.db)
    store.close()
    assert [(r["adapter"], r["metric"]) for r in rows][:2] == [("finance", "prompt_js"), ("finance", "prompt_length_psi")]
    assert {r["value"] for r in rows if r["metric"] == "prompt_js"} == {0.02, 0.5}
    assert main(["feedback", "drift", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    js = [line for line in lines if "prompt_js" in line]
    assert len(js) == 2 and js[0].startswith("finance") and "0.0200" in js[0] and "CROSSED" not in js[0]
    assert js[1].startswith("medical") and "0.5000" in js[1] and js[1].endswith("CROSSED")
    assert any(line.startswith("medical") and "no data" in line for line in lines)


def test_a_db_the_user_names_must_exist_but_a_missing_default_is_a_failure(tmp_path, monkeypatch, capsys):
    assert main(["feedback", "drift", "--db", str(tmp_path / "missing.sqlite")]) == 2
    assert "loraloop: error: --db-url: no database file at " in capsys.readouterr().err
    monkeypatch.setenv("LORALOOP_HOME", str(tmp_path))
    assert main(["feedback", "pairs"]) == 1
    assert "no feedback database at " in capsys.readouterr().err


@pytest.mark.parametrize("keys", ["web app", "web-app,../etc"])
def test_pairs_refuse_a_client_key_filter_that_is_not_key_names(db, capsys, keys):
    assert main(["feedback", "pairs", "--db", str(db), "--client-keys", keys]) == 2
    err = capsys.readouterr().err
    assert err.startswith("loraloop: error: --client-keys: ") and "is not a key name" in err and err.count("\n") == 1


def test_pairs_with_a_client_key_filter_report_what_they_built(db, capsys):
    assert main(["feedback", "pairs", "--db", str(db), "--client-keys", "web-app, mobile"]) == 0
    assert "pairs added: 0" in capsys.readouterr().out
