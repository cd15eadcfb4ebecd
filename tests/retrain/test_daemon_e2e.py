"""End to end: scripted feedback crosses the N-new-pairs trigger and the daemon's real dpo job publishes v2;
a domain with too few pairs for the job fails cleanly, with its reason in the metrics and the runs log."""

import shutil

from loraloop.adapters import AdapterStore
from loraloop.config import RetrainConfig, RetrainDaemonConfig
from loraloop.retrain.daemon import RetrainDaemon
from loraloop.retrain.run_log import RunLog
from tests.retrain.scripted import write_scripted_feedback


def test_the_pairs_trigger_runs_a_real_dpo_job_that_publishes_v2(demo_model, tmp_path):
    store = tmp_path / "adapters"
    shutil.copytree(demo_model.adapter_store, store)
    db = tmp_path / "feedback.sqlite"
    pairs = write_scripted_feedback(db, "medical", limit=64)
    few = write_scripted_feedback(db, "finance", limit=5)
    assert pairs >= 48 and few == 5
    retrain = RetrainConfig(db_url=str(db), adapter_store=str(store), demo_home=str(demo_model.root.parent.parent),
                            work_dir=str(tmp_path / "jobs"), device="cpu", min_free_bytes=1)
    config = RetrainDaemonConfig(state_dir=str(tmp_path / "state"), min_new_pairs=48, retrain_on_drift=False,
                                 metrics_port=-1, gpu_slots=1, method="dpo", domain_overrides=("finance.min_new_pairs=5",))
    daemon = RetrainDaemon(config, retrain)

    results = daemon.run_once()

    assert sorted((r.domain, r.method) for r in results) == [("finance", "dpo"), ("medical", "dpo")]
    failed, result = sorted(results, key=lambda r: r.domain)
    # finance: the daemon's trigger (5 pairs) fired, but the dpo job needs min_pairs_dpo=32.
    assert failed.outcome == "too_few_pairs" and "need 32, have 5" in failed.reason
    assert result.outcome == "published", result.reason
    assert result.version == 2 and result.pairs == pairs
    assert AdapterStore(store).versions("medical") == [1, 2]
    assert AdapterStore(store).versions("finance") == [1]
    assert AdapterStore(store).versions("legal") == [1]  # no pairs: not due
    value = daemon.registry.get_sample_value
    assert value("loraloop_retrain_runs_total", {"domain": "medical", "method": "dpo", "outcome": "published"}) == 1
    assert value("loraloop_retrain_runs_total", {"domain": "finance", "method": "dpo", "outcome": "published"}) == 0
    assert value("loraloop_retrain_runs_total", {"domain": "finance", "method": "dpo", "outcome": "too_few_pairs"}) == 1
    assert "need 32, have 5" in RunLog(db).runs("finance")[-1]["reason"]
    assert value("loraloop_retrain_run_duration_seconds_count", {"method": "dpo"}) == 2
    assert value("loraloop_retrain_pairs_pending", {"domain": "medical"}) == pairs
    for name, metric in result.metrics.items():
        assert value("loraloop_retrain_last_eval_value", {"domain": "medical", "metric": name}) == metric
    run = RunLog(db).runs("medical")[-1]
    assert (run["outcome"], run["version"]) == ("published", 2)
    assert run["trigger_reason"] == f"pairs: {pairs} new ≥ 48"

    # v2's watermark covers medical's pairs: the next poll sees none pending; finance is in its failure cooldown.
    assert daemon.run_once() == []
    assert value("loraloop_retrain_pairs_pending", {"domain": "medical"}) == 0
