"""The retrain daemon with an injected fake runner: triggers, locks, restarts, crashes and metrics."""

import dataclasses
import logging
import threading
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from loraloop.config import RetrainConfig, RetrainDaemonConfig
from loraloop.feedback.schema import migrate
from loraloop.retrain.daemon import RetrainDaemon
from loraloop.retrain.jobs import JobResult
from loraloop.retrain.run_log import RunLog
from tests.adapter_files import make_store

T0 = 1_800_000_000.0
DOMAINS = ("finance", "legal", "medical")


class FakeRunner:
    """Records calls; returns a scripted outcome, raises, or blocks until released or cancelled."""

    def __init__(self, outcome="published", *, error=None, hold: threading.Event | None = None):
        self.outcome, self.error, self.hold = outcome, error, hold
        self.calls: list[tuple[str, str]] = []
        self.started = threading.Event()
        self.cancel_seen = threading.Event()
        self._lock = threading.Lock()
        self.running = 0
        self.max_running = 0

    def __call__(self, domain, method, config, *, on_progress=None, cancel=None):
        with self._lock:
            self.calls.append((domain, method))
            self.running += 1
            self.max_running = max(self.max_running, self.running)
        self.started.set()
        try:
            if on_progress:
                on_progress(1, 2)
            if self.error:
                raise self.error
            outcome = self.outcome
            if self.hold is not None:
                while not self.hold.wait(0.05):
                    if cancel is not None and cancel.is_set():
                        self.cancel_seen.set()
                        outcome = "killed"
                        break
            published = outcome == "published"
            return JobResult(domain=domain, method=method, outcome=outcome, version=2 if published else None,
                             reason="scripted " + outcome, metrics={"preference_accuracy": 0.75, "eos_rate": 1.0},
                             duration_s=42.0, pairs=60)
        finally:
            with self._lock:
                self.running -= 1


class Clock:
    def __init__(self, now=T0):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def env(tmp_path):
    """Store, feedback DB and lock dir in a temp folder."""
    store = make_store(tmp_path)
    db = tmp_path / "feedback.sqlite"
    return {"retrain": RetrainConfig(db_url=str(db), adapter_store=str(store)), "db": db,
            "state": str(tmp_path / "state"), "store": store}


def daemon_for(env, runner, *, pending=None, clock=None, **settings):
    values = dict(state_dir=env["state"], metrics_port=-1, min_new_pairs=50, retrain_on_drift=False,
                  failure_cooldown_s=600, poll_interval_s=0.05, gpu_slots=1)
    config = RetrainDaemonConfig(**{**values, **settings})
    counts = pending or {}
    return RetrainDaemon(config, env["retrain"], runner=runner, pending=lambda _cfg, d: counts.get(d, 0),
                         clock=clock or Clock())


def sample(daemon, name, **labels):
    return daemon.registry.get_sample_value(name, labels or None)


def test_the_pairs_trigger_runs_only_the_domain_over_it(env):
    runner = FakeRunner()
    daemon = daemon_for(env, runner, pending={"medical": 64, "finance": 10})
    results = daemon.run_once()
    assert runner.calls == [("medical", "dpo")]
    assert [(r.domain, r.outcome, r.version) for r in results] == [("medical", "published", 2)]
    runs = RunLog(env["db"]).runs()
    assert len(runs) == 1 and runs[0]["domain"] == "medical" and runs[0]["outcome"] == "published"
    assert runs[0]["trigger_reason"] == "pairs: 64 new ≥ 50" and runs[0]["reason"] == "scripted published"
    assert runs[0]["version"] == 2 and runs[0]["metrics"]["preference_accuracy"] == 0.75
    assert runs[0]["finished_at"] == T0


def test_metrics_read_back_from_the_registry(env):
    daemon = daemon_for(env, FakeRunner(), pending={"medical": 64, "finance": 10})
    daemon.run_once()
    runs = "loraloop_retrain_runs_total"
    assert sample(daemon, runs, domain="medical", method="dpo", outcome="published") == 1
    assert sample(daemon, runs, domain="finance", method="dpo", outcome="published") == 0  # declared, not run
    assert sample(daemon, "loraloop_retrain_run_duration_seconds_count", method="dpo") == 1
    assert sample(daemon, "loraloop_retrain_run_duration_seconds_sum", method="dpo") == 42.0
    assert sample(daemon, "loraloop_retrain_last_eval_value", domain="medical", metric="preference_accuracy") == 0.75
    assert sample(daemon, "loraloop_retrain_pairs_pending", domain="finance") == 10
    assert sample(daemon, "loraloop_retrain_pairs_pending", domain="medical") == 64
    assert sample(daemon, "loraloop_retrain_jobs_running") == 0
    assert sample(daemon, "loraloop_retrain_last_run_timestamp_seconds", domain="medical", outcome="published") == T0


def test_metrics_scraped_over_http(env):
    daemon = daemon_for(env, FakeRunner(), pending={"legal": 51}, metrics_port=0)
    port = daemon.serve_metrics()
    try:
        daemon.run_once()
        body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=30).read().decode()
    finally:
        daemon.close()
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(body) for s in family.samples}
    key = (("domain", "legal"), ("method", "dpo"), ("outcome", "published"))
    assert samples[("loraloop_retrain_runs_total", key)] == 1
    assert samples[("loraloop_retrain_pairs_pending", (("domain", "legal"),))] == 51
    assert samples[("loraloop_retrain_jobs_running", ())] == 0
    assert samples[("loraloop_retrain_run_duration_seconds_count", (("method", "dpo"),))] == 1


def test_jobs_running_gauge_counts_a_job_in_flight(env):
    hold = threading.Event()
    runner = FakeRunner(hold=hold)
    daemon = daemon_for(env, runner, pending={"medical": 64})
    worker = threading.Thread(target=daemon.run_once)
    worker.start()
    try:
        assert runner.started.wait(60)
        assert sample(daemon, "loraloop_retrain_jobs_running") == 1
    finally:
        hold.set()
        worker.join(60)
    assert sample(daemon, "loraloop_retrain_jobs_running") == 0


def test_per_domain_method_override_reaches_the_runner(env):
    runner = FakeRunner()
    daemon = daemon_for(env, runner, pending={"legal": 100, "medical": 100},
                        domain_overrides=("legal.method=sft", "medical.min_new_pairs=500"))
    daemon.run_once()
    assert runner.calls == [("legal", "sft")]


def test_two_daemons_on_one_domain_only_one_trains(env, caplog):
    hold = threading.Event()
    first_runner, second_runner = FakeRunner(hold=hold), FakeRunner()
    first = daemon_for(env, first_runner, pending={"medical": 64}, gpu_slots=2)
    second = daemon_for(env, second_runner, pending={"medical": 64}, gpu_slots=2)
    worker = threading.Thread(target=first.run_once)
    worker.start()
    try:
        assert first_runner.started.wait(60)
        with caplog.at_level(logging.INFO, logger="loraloop.retrain.daemon"):
            assert second.run_once() == []
    finally:
        hold.set()
        worker.join(60)
    assert second_runner.calls == [] and first_runner.calls == [("medical", "dpo")]
    assert any("medical: locked" in r.getMessage() for r in caplog.records)


def test_one_gpu_slot_runs_one_job_at_a_time_and_two_run_two(env):
    one = FakeRunner()
    daemon_for(env, one, pending={d: 100 for d in DOMAINS}, gpu_slots=1).run_once()
    assert sorted(d for d, _ in one.calls) == list(DOMAINS) and one.max_running == 1

    barrier = threading.Barrier(2, timeout=60)

    class Together(FakeRunner):
        def __call__(self, domain, method, config, **kwargs):
            barrier.wait()  # both jobs must be in flight at once, or this breaks
            return super().__call__(domain, method, config, **kwargs)

    two = Together()
    results = daemon_for(env, two, pending={"finance": 100, "legal": 100}, gpu_slots=2,
                         domains=("finance", "legal"), failure_cooldown_s=0, min_new_pairs=1,
                         clock=Clock(T0 + 10)).run_once()
    assert sorted(r.domain for r in results) == ["finance", "legal"] and not barrier.broken


def test_last_run_survives_a_restart(env):
    clock = Clock()
    daemon_for(env, FakeRunner(), pending={"medical": 64}, clock=clock).run_once()
    # A new daemon (a restart) on the same database: the schedule counts from the run the first one did.
    runner = FakeRunner()
    clock.now = T0 + 100
    restarted = daemon_for(env, runner, pending={}, clock=clock, schedule_interval_s=3600, domains=("medical",))
    assert restarted.run_once() == [] and runner.calls == []
    clock.now = T0 + 3600
    assert [r.domain for r in restarted.run_once()] == ["medical"]
    assert RunLog(env["db"]).runs("medical")[-1]["trigger_reason"] == "schedule: 3600 s since last run"


def test_a_failed_run_cools_down_across_a_restart(env):
    clock = Clock()
    daemon_for(env, FakeRunner("gate_failed"), pending={"medical": 64}, clock=clock).run_once()
    runner = FakeRunner()
    clock.now = T0 + 10
    assert daemon_for(env, runner, pending={"medical": 64}, clock=clock).run_once() == []
    clock.now = T0 + 601
    assert [r.domain for r in daemon_for(env, runner, pending={"medical": 64}, clock=clock).run_once()] == ["medical"]


def test_a_crashing_runner_is_counted_failed_and_the_daemon_goes_on(env, caplog):
    clock = Clock()
    daemon = daemon_for(env, FakeRunner(error=RuntimeError("CUDA out of memory")),
                        pending={"medical": 64, "legal": 64}, clock=clock)
    with caplog.at_level(logging.ERROR, logger="loraloop.retrain.daemon"):
        results = daemon.run_once()
    assert sorted((r.domain, r.outcome) for r in results) == [("legal", "failed"), ("medical", "failed")]
    assert all("RuntimeError: CUDA out of memory" in r.reason for r in results)
    assert daemon.crashed == 2
    assert sample(daemon, "loraloop_retrain_runs_total", domain="medical", method="dpo", outcome="failed") == 1
    assert sample(daemon, "loraloop_retrain_jobs_running") == 0
    assert RunLog(env["db"]).runs("medical")[0]["outcome"] == "failed"
    # Still alive: after the cooldown the same daemon runs again, and its locks and slots were given back.
    daemon._runner = FakeRunner()
    clock.now = T0 + 601
    assert sorted(r.outcome for r in daemon.run_once()) == ["published", "published"]


def test_a_clean_failure_is_in_the_metrics_and_the_runs_log_with_its_reason(env):
    daemon = daemon_for(env, FakeRunner("too_few_pairs"), pending={"finance": 64})
    daemon.run_once()
    assert sample(daemon, "loraloop_retrain_runs_total", domain="finance", method="dpo", outcome="too_few_pairs") == 1
    row = RunLog(env["db"]).runs("finance")[0]
    assert (row["outcome"], row["reason"], row["version"]) == ("too_few_pairs", "scripted too_few_pairs", None)


def test_an_unknown_outcome_counts_as_failed(env):
    daemon = daemon_for(env, FakeRunner("exploded"), pending={"finance": 64})
    daemon.run_once()
    assert sample(daemon, "loraloop_retrain_runs_total", domain="finance", method="dpo", outcome="failed") == 1


def test_a_drift_event_triggers_a_run(env):
    from sqlite_utils import Database

    clock = Clock(T0 + 10_000)
    db = Database(env["db"])
    migrate(db)
    db["drift_events"].insert({"adapter": "legal", "metric": "prompt_js", "value": 0.21, "threshold": 0.1,
                               "created_at": T0 + 9_000})
    db.conn.close()
    off = FakeRunner()
    daemon_for(env, off, clock=clock).run_once()
    assert off.calls == []  # retrain_on_drift=False
    runner = FakeRunner()
    daemon_for(env, runner, clock=clock, retrain_on_drift=True).run_once()
    assert runner.calls == [("legal", "dpo")]
    assert RunLog(env["db"]).runs("legal")[0]["trigger_reason"] == "drift: prompt_js 0.21 > 0.10"


def test_a_run_left_running_by_a_dead_daemon_is_closed_as_killed(env):
    log = RunLog(env["db"])
    log.start("medical", "dpo", "pairs: 64 new ≥ 50", T0 - 100)
    daemon_for(env, FakeRunner(), pending={"medical": 64}).run_once()
    assert [r["outcome"] for r in log.runs("medical")] == ["killed", "published"]


def test_a_domain_whose_state_cannot_be_read_is_skipped(env, caplog):
    runner = FakeRunner()

    def pending(_config, domain):
        if domain == "finance":
            raise OSError("database disk image is malformed")
        return 64

    config = RetrainDaemonConfig(state_dir=env["state"], metrics_port=-1, min_new_pairs=50, gpu_slots=1)
    daemon = RetrainDaemon(config, env["retrain"], runner=runner, pending=pending, clock=Clock())
    with caplog.at_level(logging.WARNING, logger="loraloop.retrain.daemon"):
        daemon.run_once()
    assert sorted(d for d, _ in runner.calls) == ["legal", "medical"]
    assert any("finance: skipped" in r.getMessage() for r in caplog.records)


def test_an_unknown_domain_names_the_field(env):
    with pytest.raises(ValueError, match=r"^domains: unknown domain.*'cooking'"):
        daemon_for(env, FakeRunner(), domains=("medical", "cooking"))


def test_overrides_for_an_unwatched_domain_name_the_field(env):
    with pytest.raises(ValueError, match=r"^domain_overrides: "):
        daemon_for(env, FakeRunner(), domains=("medical",), domain_overrides=("legal.method=sft",))


def test_an_empty_store_is_refused(env, tmp_path):
    empty = RetrainConfig(db_url=str(env["db"]), adapter_store=str(tmp_path / "empty"))
    with pytest.raises(ValueError, match=r"^domains: "):
        RetrainDaemon(RetrainDaemonConfig(state_dir=env["state"]), empty, runner=FakeRunner(), pending=lambda c, d: 0)


def test_run_forever_stops_after_max_runs(env):
    runner = FakeRunner()
    daemon = daemon_for(env, runner, pending={d: 100 for d in DOMAINS}, max_runs=2)
    stop = threading.Event()
    daemon.run_forever(stop)
    assert len(runner.calls) == 2 and daemon.finished == 2


def test_stop_cancels_the_running_job(env):
    runner = FakeRunner(hold=threading.Event())
    daemon = daemon_for(env, runner, pending={"medical": 64})
    stop = threading.Event()
    worker = threading.Thread(target=daemon.run_forever, args=(stop,))
    worker.start()
    assert runner.started.wait(60)
    stop.set()
    worker.join(60)
    assert not worker.is_alive() and runner.cancel_seen.is_set()
    assert sample(daemon, "loraloop_retrain_runs_total", domain="medical", method="dpo", outcome="killed") == 1
    assert RunLog(env["db"]).runs("medical")[0]["outcome"] == "killed"


def test_a_domain_is_judged_again_under_its_lock(env, caplog):
    # Another daemon trained it between our first look and our lock: the second look sees no new pairs.
    looks = []

    def pending(_config, domain):
        looks.append(domain)
        return 64 if looks.count(domain) == 1 else 0

    runner = FakeRunner()
    config = RetrainDaemonConfig(state_dir=env["state"], metrics_port=-1, min_new_pairs=50, gpu_slots=1,
                                 domains=("medical",), retrain_on_drift=False)
    daemon = RetrainDaemon(config, env["retrain"], runner=runner, pending=pending, clock=Clock())
    with caplog.at_level(logging.INFO, logger="loraloop.retrain.daemon"):
        assert daemon.run_once() == []
    assert runner.calls == [] and looks == ["medical", "medical"]
    assert any("no longer due under the lock" in r.getMessage() for r in caplog.records)


def test_detected_gpus_run_one_job_at_a_time_until_gpu_slots_says_more(env, monkeypatch, caplog):
    # Jobs are not pinned to one GPU each, so several detected GPUs would all be used through the first one.
    import loraloop.retrain.daemon as daemon_module

    monkeypatch.setattr(daemon_module, "detect_gpu_slots", lambda: 4)
    detected = RetrainDaemonConfig(state_dir=env["state"], metrics_port=-1, gpu_slots=0)
    with caplog.at_level(logging.WARNING, logger="loraloop.retrain.daemon"):
        assert RetrainDaemon(detected, env["retrain"], runner=FakeRunner(), pending=lambda c, d: 0).slots.count == 1
    assert any("4 GPUs, but jobs are not pinned" in r.getMessage() for r in caplog.records)
    configured = dataclasses.replace(detected, gpu_slots=3)
    assert RetrainDaemon(configured, env["retrain"], runner=FakeRunner(), pending=lambda c, d: 0).slots.count == 3
