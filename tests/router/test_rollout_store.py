"""What the controller counts from the feedback database, and how rollout state is stored."""

import dataclasses

import pytest

from loraloop import storage
from loraloop.feedback.schema import MIGRATIONS
from loraloop.feedback.store import ErrorRecord, FeedbackStore, SignalKind, SignalRecord
from loraloop.router import rollout_store as store
from tests.router.rollout_feedback import controller, write_arm


@pytest.fixture
def fb(db_url):
    s = FeedbackStore(db_url)
    yield s
    s.close()


@pytest.fixture
def ctl(fb):
    c = controller(fb.target)
    yield c
    c.close()


def counts(ctl, state, since=0.0):
    """The step window's counts, the step (and the rollout) starting at `since`."""
    return store.window_counts(ctl._conn, dataclasses.replace(state, started_at=since, step_started_at=since))[0]


def test_the_migration_creates_the_rollout_tables(fb):
    assert "0005_rollouts" in [name for name, _ in MIGRATIONS]
    assert {"rollouts", "rollout_events", "request_errors"} <= storage.table_names(fb.db)


def test_each_answer_counts_its_latest_thumbs_and_one_regenerate(fb, ctl):
    state = ctl.start("medical", 2, stable_version=1)
    write_arm(fb, at=2000.0, arm="canary", version=2, answers=3)
    ids = [r[0] for r in fb.db.execute("SELECT id FROM responses ORDER BY id").fetchall()]
    signals = [(ids[0], SignalKind.THUMBS_UP), (ids[0], SignalKind.THUMBS_DOWN),   # changed their mind: down
               (ids[1], SignalKind.THUMBS_DOWN), (ids[1], SignalKind.THUMBS_UP),   # up
               (ids[1], SignalKind.COPY),                                         # not a rating
               (ids[2], SignalKind.REGENERATE), (ids[2], SignalKind.REGENERATE)]  # regenerated once
    fb.write_batch([SignalRecord(response_id=rid, kind=kind, created_at=2001.0) for rid, kind in signals])
    canary = counts(ctl, state).canary
    assert (canary.answers, canary.rated, canary.thumbs_up, canary.thumbs_down, canary.regenerated) == (3, 2, 1, 1, 1)


def test_only_the_rollouts_arms_versions_and_window_count(fb, ctl):
    state = ctl.start("medical", 2, stable_version=1)
    write_arm(fb, at=2000.0, arm="stable", version=1, answers=4)
    write_arm(fb, at=500.0, arm="stable", version=1, answers=7)             # before the window
    write_arm(fb, at=2000.0, arm="stable", version=3, answers=5)            # another version
    write_arm(fb, at=2000.0, arm="pinned", version=1, answers=6)            # not an arm of the experiment
    write_arm(fb, at=2000.0, arm="stable", version=1, answers=8, domain="finance")
    step, total = store.window_counts(ctl._conn, dataclasses.replace(state, started_at=0.0, step_started_at=1000.0))
    assert (step.stable.answers, total.stable.answers) == (4, 11)
    assert (step.canary.answers, total.canary.answers) == (0, 0)


def test_server_side_errors_count_and_client_side_ones_do_not(fb, ctl):
    state = ctl.start("medical", 2, stable_version=1)
    write_arm(fb, at=2000.0, arm="canary", version=2, answers=0, errors=3, error_status="INTERNAL")
    write_arm(fb, at=2000.0, arm="canary", version=2, answers=0, errors=2, error_status="UNAVAILABLE")
    write_arm(fb, at=2000.0, arm="canary", version=2, answers=0, errors=4, error_status="INVALID_ARGUMENT")
    write_arm(fb, at=2000.0, arm="canary", version=2, answers=0, errors=4, error_status="CANCELLED")
    write_arm(fb, at=2000.0, arm="stable", version=1, answers=0, errors=1)
    pair = counts(ctl, state)
    assert (pair.canary.errors, pair.stable.errors) == (5, 1)
    assert fb.count("request_errors") == 14  # all stored for the record


@pytest.mark.parametrize("status", ["", "internal", None])
def test_a_malformed_error_status_is_refused(fb, status):
    with pytest.raises(ValueError, match="status"):
        ErrorRecord(domain="medical", version=1, arm="stable", status=status)


def test_p95_latency_is_the_nearest_rank(fb, ctl):
    state = ctl.start("medical", 2, stable_version=1)
    for i in range(1, 101):  # latencies 0.01 .. 1.00 s: the 95th smallest is 0.95
        write_arm(fb, at=2000.0, arm="stable", version=1, answers=1, latency_s=i / 100)
    for i in range(1, 21):   # 20 answers: rank ceil(0.95 * 20) = 19 -> 0.19
        write_arm(fb, at=2000.0, arm="canary", version=2, answers=1, latency_s=i / 100)
    pair = counts(ctl, state)
    assert pair.stable.p95_latency_s == pytest.approx(0.95)
    assert pair.canary.p95_latency_s == pytest.approx(0.19)
    assert counts(ctl, dataclasses.replace(state, domain="legal")).stable.p95_latency_s is None


def test_a_stale_revision_does_not_overwrite_a_newer_change(ctl):
    state = ctl.start("medical", 2, stable_version=1)
    ctl.pause("medical")  # revision 1
    stale = dataclasses.replace(state, status="rolled_back", revision=state.revision + 1)
    with store.write_transaction(ctl._conn):
        assert store.update_rollout(ctl._conn, stale) is False
    assert ctl.status("medical")[0].status == "paused"


def test_rules_survive_a_round_trip_through_the_database(ctl):
    state = ctl.start("medical", 2, stable_version=1, schedule=(1, 2.5, 100), min_rated_per_step=321)
    [stored] = ctl.status("medical")
    assert stored == state
    assert stored.rules.schedule == (1.0, 2.5, 100.0) and stored.rules.min_rated_per_step == 321


