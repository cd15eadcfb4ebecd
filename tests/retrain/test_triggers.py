"""Trigger decisions (pure) and the daemon config's validation."""

import pytest

from loraloop.config import RetrainDaemonConfig
from loraloop.retrain.triggers import DomainState, DriftEvent, LastRun, TriggerPolicy, decide

NOW = 1_000_000.0


def policy(**overrides) -> TriggerPolicy:
    values = dict(method="dpo", schedule_interval_s=0.0, min_new_pairs=0, retrain_on_drift=False,
                  drift_metrics=("prompt_js", "thumbs_down_rate"), failure_cooldown_s=0.0)
    return TriggerPolicy(**{**values, **overrides})


def state(**overrides) -> DomainState:
    return DomainState(**{**dict(domain="medical", now=NOW, last_run=None), **overrides})


def test_pairs_trigger_fires_at_the_threshold_and_not_below():
    p = policy(min_new_pairs=50)
    assert decide(p, state(pending_pairs=49)).due is False
    at = decide(p, state(pending_pairs=50))
    assert at.due and at.reason == "pairs: 50 new ≥ 50" and at.method == "dpo" and at.domain == "medical"
    assert decide(p, state(pending_pairs=64)).reason == "pairs: 64 new ≥ 50"
    assert "49 new < 50" in decide(p, state(pending_pairs=49)).reason


def test_schedule_counts_from_the_last_run_end():
    p = policy(schedule_interval_s=3600)
    ran = LastRun(outcome="published", started_at=NOW - 5000, finished_at=NOW - 3600)
    due = decide(p, state(last_run=ran))
    assert due.due and due.reason == "schedule: 3600 s since last run"
    early = decide(p, state(last_run=LastRun(outcome="published", started_at=NOW - 5000, finished_at=NOW - 100)))
    assert not early.due and "100 s since last run < 3600 s" in early.reason


def test_schedule_without_a_run_counts_from_the_current_version_or_fires():
    p = policy(schedule_interval_s=3600)
    assert not decide(p, state(baseline_at=NOW - 60)).due
    assert decide(p, state(baseline_at=NOW - 7200)).reason == "schedule: 7200 s since current version"
    assert decide(p, state(baseline_at=None)).reason == "schedule: no previous run"


def test_drift_event_newer_than_the_last_run_start_fires():
    p = policy(retrain_on_drift=True)
    ran = LastRun(outcome="published", started_at=NOW - 1000, finished_at=NOW - 500)
    newer = DriftEvent(metric="prompt_js", value=0.21, threshold=0.10, created_at=NOW - 10)
    decision = decide(p, state(last_run=ran, drift_events=[newer]))
    assert decision.due and decision.reason == "drift: prompt_js 0.21 > 0.10"
    older = DriftEvent(metric="prompt_js", value=0.3, threshold=0.1, created_at=NOW - 2000)
    assert not decide(p, state(last_run=ran, drift_events=[older])).due


def test_lasting_drift_starts_one_run_per_min_interval_not_one_per_event():
    p = policy(retrain_on_drift=True, drift_min_interval_s=3600)
    ran = LastRun(outcome="published", started_at=NOW - 1000, finished_at=NOW - 500)
    newer = DriftEvent(metric="prompt_js", value=0.21, threshold=0.10, created_at=NOW - 10)
    held = decide(p, state(last_run=ran, drift_events=[newer]))
    assert not held.due and held.reason == "drift: prompt_js 0.21 > 0.10 but last run 500 s ago < 3600 s"
    long_ago = LastRun(outcome="published", started_at=NOW - 5000, finished_at=NOW - 3600)
    assert decide(p, state(last_run=long_ago, drift_events=[newer])).due
    assert decide(p, state(drift_events=[newer])).due  # never ran: nothing to wait for
    # The gap holds back drift only: new pairs still start a run.
    both = decide(policy(retrain_on_drift=True, drift_min_interval_s=3600, min_new_pairs=10),
                  state(last_run=ran, drift_events=[newer], pending_pairs=12))
    assert both.due and both.reason == "pairs: 12 new ≥ 10"


def test_drift_ignores_unwatched_metrics_and_reports_the_newest_event_per_metric():
    p = policy(retrain_on_drift=True, drift_metrics=("thumbs_down_rate",))
    events = [DriftEvent(metric="prompt_js", value=0.5, threshold=0.1, created_at=NOW - 5)]
    assert not decide(p, state(drift_events=events)).due
    events += [DriftEvent(metric="thumbs_down_rate", value=0.40, threshold=0.30, created_at=NOW - 50),
               DriftEvent(metric="thumbs_down_rate", value=0.55, threshold=0.30, created_at=NOW - 5)]
    assert decide(p, state(drift_events=events)).reason == "drift: thumbs_down_rate 0.55 > 0.30"


def test_drift_switched_off_never_fires():
    events = [DriftEvent(metric="prompt_js", value=0.5, threshold=0.1, created_at=NOW)]
    assert not decide(policy(retrain_on_drift=False), state(drift_events=events)).due


def test_every_trigger_that_fired_is_in_the_reason():
    p = policy(min_new_pairs=10, retrain_on_drift=True)
    events = [DriftEvent(metric="prompt_js", value=0.2, threshold=0.1, created_at=NOW)]
    reason = decide(p, state(pending_pairs=12, drift_events=events)).reason
    assert "pairs: 12 new ≥ 10" in reason and "drift: prompt_js 0.20 > 0.10" in reason


def test_a_failed_run_cools_the_domain_down_whatever_fires():
    p = policy(min_new_pairs=10, failure_cooldown_s=1800)
    failed = LastRun(outcome="gate_failed", started_at=NOW - 700, finished_at=NOW - 600)
    blocked = decide(p, state(last_run=failed, pending_pairs=500))
    assert not blocked.due and blocked.reason.startswith("cooldown: last run gate_failed 600 s ago")
    later = LastRun(outcome="failed", started_at=NOW - 2000, finished_at=NOW - 1900)
    assert decide(p, state(last_run=later, pending_pairs=500)).due
    published = LastRun(outcome="published", started_at=NOW - 20, finished_at=NOW - 10)
    assert decide(p, state(last_run=published, pending_pairs=500)).due


def test_no_trigger_configured_says_so():
    decision = decide(policy(), state(pending_pairs=10_000))
    assert not decision.due and decision.reason == "no trigger configured"


def test_policy_for_a_domain_applies_its_overrides():
    config = RetrainDaemonConfig(min_new_pairs=50, domain_overrides=(
        "legal.method=sft", "legal.min_new_pairs=5", "legal.drift_metrics=prompt_js+regenerate_rate",
        "legal.retrain_on_drift=false", "legal.schedule_interval_s=60"), failure_cooldown_s=10)
    legal, medical = TriggerPolicy.for_domain(config, "legal"), TriggerPolicy.for_domain(config, "medical")
    assert (legal.method, legal.min_new_pairs, legal.retrain_on_drift, legal.schedule_interval_s) == ("sft", 5, False, 60)
    assert legal.drift_metrics == ("prompt_js", "regenerate_rate") and legal.failure_cooldown_s == 10
    assert (medical.method, medical.min_new_pairs, medical.retrain_on_drift) == ("dpo", 50, True)
    assert "logprob_drop" in medical.drift_metrics  # empty drift_metrics = every metric


@pytest.mark.parametrize("field, value", [
    ("method", "rlhf"),
    ("schedule_interval_s", -1.0),
    ("schedule_interval_s", float("nan")),
    ("failure_cooldown_s", float("inf")),
    ("drift_min_interval_s", -1.0),
    ("poll_interval_s", 0.0),
    ("min_new_pairs", -1),
    ("gpu_slots", -1),
    ("max_runs", -2),
    ("metrics_port", 70000),
    ("drift_metrics", ("prompt_js", "vibes")),
    ("domains", ("medical", "medical")),
])
def test_bad_daemon_settings_name_the_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}="):
        RetrainDaemonConfig(**{field: value})


@pytest.mark.parametrize("entry", [
    "legal-method=sft",            # no field
    "legal.colour=red",            # unknown field
    "legal.method=rlhf",           # unknown method
    "legal.min_new_pairs=many",    # not a number
    "legal.schedule_interval_s=-5",
    "legal.retrain_on_drift=maybe",
    "legal.drift_metrics=prompt_js+vibes",
])
def test_bad_domain_overrides_name_the_field(entry):
    with pytest.raises(ValueError, match=r"^domain_overrides="):
        RetrainDaemonConfig(domain_overrides=(entry,))
