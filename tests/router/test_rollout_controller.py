"""The rollout controller driven by scripted per-arm outcomes in a real feedback database."""

import asyncio
import sqlite3

import pytest
from prometheus_client import CollectorRegistry

from loraloop.feedback.store import FeedbackStore
from loraloop.router import rollout_store
from loraloop.router.arms import unit_for
from tests.router.rollout_feedback import Clock, controller, rules, write_arm

UNITS = [unit_for(f"user-{i}", "") for i in range(2000)]


@pytest.fixture
def db(db_url):
    """The shared database, on SQLite and on Postgres."""
    return db_url


@pytest.fixture
def store(db):
    s = FeedbackStore(db)
    yield s
    s.close()


@pytest.fixture
def clock():
    return Clock()


def canary_share(ctl, domain="medical"):
    arms = [ctl.arm_for(domain, u) for u in UNITS]
    return sum(a == ("canary", 2) for a in arms) / len(arms)


def test_a_good_canary_advances_through_the_steps_and_is_promoted(db, store, clock):
    ctl = controller(db, clock=clock)
    assert ctl.arm_for("medical", "user:a") is None  # no rollout ever: the server uses its registry
    state = ctl.start("medical", 2, stable_version=1, reason="v2 passed eval")
    assert (state.status, state.weight_pct, state.step_index) == ("running", 10.0, 0)
    assert ctl.tick() == []  # no answers yet
    assert canary_share(ctl) == pytest.approx(0.10, abs=0.02)

    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=200, up=120, down=80)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=150, up=105, down=45)
    clock.tick()
    [advance] = ctl.tick()
    assert (advance.decision, advance.effect, advance.from_weight_pct, advance.to_weight_pct) == (
        "advance", "none", 10, 50)
    assert "step 1" in advance.reason and "no guardrail fired" in advance.reason
    assert canary_share(ctl) == pytest.approx(0.50, abs=0.04)
    assert ctl.tick() == []  # the new step counts only answers since it started

    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=300, up=180, down=120)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=300, up=210, down=90)
    [promote] = ctl.tick()
    assert (promote.decision, promote.effect, promote.to_weight_pct) == ("promote", "promote", 100)
    assert (promote.stable_version, promote.canary_version) == (1, 2)
    assert "not worse" in promote.reason
    [latest] = ctl.status("medical")
    assert (latest.status, latest.serving_version, latest.active) == ("promoted", 2, False)
    assert {ctl.arm_for("medical", u) for u in UNITS[:200]} == {("stable", 2)}
    assert ctl.tick() == []

    decisions = [e.decision for e in ctl.events("medical")]
    assert decisions == ["promote", "advance", "start"]
    promote_event = ctl.events("medical", limit=1)[0]
    assert promote_event.counts["total"]["canary"]["thumbs_up"] == 315
    assert promote_event.counts["verdict"] == "not_worse" and promote_event.counts["test"]["lower"] > -0.1


def test_an_error_guardrail_rolls_back_at_once_but_one_error_does_not(db, store, clock):
    ctl = controller(db, clock=clock)
    ctl.start("medical", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=100)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=60, errors=1)
    assert ctl.tick() == []  # 1 error is below min_errors
    write_arm(store, at=clock.tick(), arm="canary", version=2, answers=0, errors=9)
    [rollback] = ctl.tick()
    assert (rollback.decision, rollback.effect, rollback.to_weight_pct) == ("rollback", "unload_canary", 0)
    assert "error_rate guardrail" in rollback.reason
    assert "canary 0.143 vs stable 0.000" in rollback.reason  # 10 errors of 70 requests vs 0 of 100
    assert {ctl.arm_for("medical", u) for u in UNITS} == {("stable", 1)}
    assert ctl.status("medical")[0].status == "rolled_back"
    assert ctl.events("medical")[0].reason == rollback.reason


@pytest.mark.parametrize("guardrail,stable_outcome,canary_outcome", [
    ("thumbs_down_rate", dict(answers=60, up=50, down=10), dict(answers=60, up=20, down=40)),
    ("regenerate_rate", dict(answers=60, regenerated=1), dict(answers=60, regenerated=20)),
    ("p95_latency", dict(answers=60, latency_s=0.2), dict(answers=60, latency_s=1.0)),
])
def test_each_guardrail_rolls_back_and_is_named(db, store, clock, guardrail, stable_outcome, canary_outcome):
    ctl = controller(db, clock=clock)
    ctl.start("medical", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, **stable_outcome)
    write_arm(store, at=clock.now, arm="canary", version=2, **canary_outcome)
    [rollback] = ctl.tick()
    assert rollback.decision == "rollback"
    assert rollback.reason.startswith(f"{guardrail} guardrail: canary ")


def test_a_canary_the_test_calls_worse_is_rolled_back(db, store, clock):
    # the thumbs-down guardrail is set so it cannot fire: the sequential test must catch it
    ctl = controller(db, rules(max_thumbs_down_rate_increase=1.0, non_inferiority_margin=0.05), clock=clock)
    ctl.start("medical", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=300, up=240, down=60)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=300, up=90, down=210)
    [rollback] = ctl.tick()
    assert rollback.decision == "rollback" and rollback.reason.startswith("sequential test: canary worse")


def test_an_indistinguishable_canary_holds_then_concludes_inconclusive(db, store, clock):
    ctl = controller(db, rules(schedule=(20.0, 50.0, 100.0), min_rated_per_step=50, max_rated_at_last_step=150,
                               non_inferiority_margin=0.02), clock=clock)
    ctl.start("medical", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=60, up=30, down=30)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=60, up=30, down=30)
    clock.tick()
    assert [t.decision for t in ctl.tick()] == ["advance"]
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=60, up=30, down=30)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=60, up=30, down=30)
    assert ctl.tick() == []  # sample met, test undecided, below the cap: keep collecting at 50 %
    assert ctl.status("medical")[0].status == "running"
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=100, up=50, down=50)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=100, up=50, down=50)
    [hold] = ctl.tick()
    assert (hold.decision, hold.effect, hold.from_weight_pct, hold.to_weight_pct) == ("inconclusive", "none", 50, 50)
    assert "holding" in hold.reason
    state = ctl.status("medical")[0]
    assert (state.status, state.weight_pct, state.active) == ("inconclusive", 50.0, True)
    assert canary_share(ctl) == pytest.approx(0.5, abs=0.04)  # holding keeps the split
    assert ctl.tick() == []
    # the operator decides: resume restarts the step's sample, or promote / rollback
    assert ctl.resume("medical", "collect more").state.status == "running"
    assert ctl.tick() == []


def test_a_new_controller_on_the_same_database_resumes_at_the_same_step(db, store, clock):
    first = controller(db, clock=clock)
    started = first.start("medical", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=150, up=90, down=60)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=150, up=100, down=50)
    clock.tick()
    assert [t.decision for t in first.tick()] == ["advance"]
    arms_before = [first.arm_for("medical", u) for u in UNITS]
    first.close()

    second = controller(db, clock=clock)  # "restart"
    [state] = second.status("medical")
    assert (state.id, state.step_index, state.weight_pct, state.status) == (started.id, 1, 50.0, "running")
    assert state.rules == rules()  # the rules the rollout started with
    assert [second.arm_for("medical", u) for u in UNITS] == arms_before
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=400, up=240, down=160)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=400, up=280, down=120)
    assert [t.decision for t in second.tick()] == ["promote"]


def test_a_paused_rollout_holds_its_weight_but_a_guardrail_still_rolls_it_back(db, store, clock):
    ctl = controller(db, clock=clock)
    ctl.start("medical", 2, stable_version=1)
    pause = ctl.pause("medical", "investigating a report")
    assert (pause.decision, pause.effect, pause.state.status, pause.reason) == (
        "pause", "none", "paused", "operator: investigating a report")
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=200, up=120, down=80)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=200, up=130, down=70)
    assert ctl.tick() == []  # the sample is met, yet a paused rollout does not advance
    assert canary_share(ctl) == pytest.approx(0.10, abs=0.02)
    write_arm(store, at=clock.tick(), arm="canary", version=2, answers=0, errors=30)
    assert [t.decision for t in ctl.tick()] == ["rollback"]


def test_operator_promote_and_rollback(db, store, clock):
    ctl = controller(db, clock=clock)
    ctl.start("medical", 2, stable_version=1)
    promote = ctl.promote("medical", "looks fine")
    assert (promote.effect, promote.to_weight_pct, promote.state.serving_version) == ("promote", 100, 2)
    ctl.start("medical", 3, stable_version=2)
    rollback = ctl.rollback("medical")
    assert (rollback.effect, rollback.from_weight_pct, rollback.to_weight_pct) == ("unload_canary", 10, 0)
    assert ctl.arm_for("medical", "user:x") == ("stable", 2)
    assert [s.canary_version for s in ctl.history("medical")] == [3, 2]


def test_metrics_follow_the_transitions(db, store, clock):
    registry = CollectorRegistry()
    ctl = controller(db, clock=clock, registry=registry)

    def value(name, **labels):
        return registry.get_sample_value(name, {"domain": "medical", **labels})

    ctl.start("medical", 2, stable_version=1)
    assert value("loraloop_router_canary_weight_ratio") == pytest.approx(0.10)
    assert value("loraloop_router_rollout_state", state="running") == 1
    assert value("loraloop_router_rollout_transitions_total", decision="start") == 1
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=200, up=120, down=80, regenerated=3)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=150, up=105, down=45, errors=2)
    clock.tick()
    ctl.tick()
    assert value("loraloop_router_canary_weight_ratio") == pytest.approx(0.50)
    assert value("loraloop_router_rollout_transitions_total", decision="advance") == 1
    expected = {("stable", "answers"): 200, ("stable", "rated"): 200, ("stable", "thumbs_up"): 120,
                ("stable", "thumbs_down"): 80, ("stable", "regenerate"): 3, ("stable", "error"): 0,
                ("canary", "answers"): 150, ("canary", "thumbs_up"): 105, ("canary", "error"): 2}
    for (arm, outcome), count in expected.items():
        assert value("loraloop_router_rollout_arm_answers", arm=arm, outcome=outcome) == count, (arm, outcome)
    ctl.rollback("medical", "manual")
    assert value("loraloop_router_canary_weight_ratio") == 0
    assert value("loraloop_router_rollout_state", state="rolled_back") == 1
    assert value("loraloop_router_rollout_state", state="running") == 0
    assert value("loraloop_router_rollout_transitions_total", decision="rollback") == 1


def test_run_ticks_and_hands_transitions_to_the_server(db, store, clock):
    ctl = controller(db, rules(tick_interval_s=0.01), clock=clock)
    ctl.start("medical", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=100)
    write_arm(store, at=clock.now, arm="canary", version=2, answers=60, errors=20)
    applied = []

    async def main():
        done = asyncio.Event()

        async def apply(transition):
            applied.append(transition)
            done.set()

        task = asyncio.create_task(ctl.run(apply))
        await asyncio.wait_for(done.wait(), timeout=30)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert [(t.decision, t.effect) for t in applied] == [("rollback", "unload_canary")]


def test_one_domains_failing_count_does_not_hide_anothers_transition(db, store, clock, monkeypatch):
    ctl = controller(db, clock=clock)
    ctl.start("medical", 2, stable_version=1)
    ctl.start("finance", 2, stable_version=1)
    write_arm(store, at=clock.tick(), arm="stable", version=1, answers=100, domain="finance")
    write_arm(store, at=clock.now, arm="canary", version=2, answers=60, errors=20, domain="finance")
    real = rollout_store.window_counts

    def flaky(conn, state):
        if state.domain == "medical":
            raise sqlite3.OperationalError("database is locked")
        return real(conn, state)

    monkeypatch.setattr(rollout_store, "window_counts", flaky)
    assert [(t.domain, t.decision) for t in ctl.tick()] == [("finance", "rollback")]
    assert ctl.status("medical")[0].status == "running"


def test_rollout_ids_are_deterministic_so_a_replayed_run_splits_users_the_same_way(tmp_path, clock):
    def two_rollouts(db):
        FeedbackStore(db).close()
        ctl = controller(db, clock=clock)
        first = ctl.start("medical", 2, stable_version=1)
        ctl.rollback("medical")
        second = ctl.start("medical", 2, stable_version=1)
        other = ctl.start("legal", 2, stable_version=1)
        return ctl, [first.id, second.id, other.id]

    ctl_a, ids_a = two_rollouts(tmp_path / "a.sqlite")
    ctl_b, ids_b = two_rollouts(tmp_path / "b.sqlite")
    assert ids_a == ids_b == ["medical-v2-r1", "medical-v2-r2", "legal-v2-r1"]
    assert [ctl_a.arm_for("medical", u) for u in UNITS] == [ctl_b.arm_for("medical", u) for u in UNITS]
