"""Every class of bad rollout input gets its own error, and leaves the stored state as it was."""


import grpc
import pytest

from loraloop import storage
from loraloop.errors import AdapterNotFound, FailedPrecondition, InvalidArgument, status_name
from tests.router.rollout_feedback import controller


@pytest.fixture
def ctl(db_url):
    c = controller(db_url, published=lambda d: {"medical": [1, 2, 3]}.get(d, []))
    yield c
    c.close()


def snapshot(ctl):
    return [s.as_dict() for s in ctl.status()], [(e.id, e.decision) for e in ctl.events(limit=1000)]


def refused(ctl, error, call):
    before = snapshot(ctl)
    with pytest.raises(error) as info:
        call()
    assert snapshot(ctl) == before
    return info.value


@pytest.mark.parametrize("schedule,problem", [
    ((5.0, 5.0, 100.0), "increasing"),
    ((50.0, 25.0, 100.0), "increasing"),
    ((0.0, 50.0, 100.0), "(0, 100]"),
    ((-5.0, 100.0), "(0, 100]"),
    ((5.0, 150.0), "(0, 100]"),
    ((5.0, 50.0), "last step to be 100"),
    ((100.0,), "below 100"),
    (("five", 100.0), "percentages"),
])
def test_a_bad_schedule_is_refused(ctl, schedule, problem):
    error = refused(ctl, InvalidArgument, lambda: ctl.start("medical", 2, stable_version=1, schedule=schedule))
    assert error.field == "schedule" and problem in str(error)
    assert str(error).startswith("schedule: (")


def test_a_bad_step_sample_is_refused(ctl):
    error = refused(ctl, InvalidArgument, lambda: ctl.start("medical", 2, stable_version=1, min_rated_per_step=0))
    assert error.field == "min_rated_per_step"


def test_a_canary_equal_to_the_stable_version_is_refused(ctl):
    error = refused(ctl, InvalidArgument, lambda: ctl.start("medical", 2, stable_version=2))
    assert error.field == "canary_version" and "stable" in str(error)


@pytest.mark.parametrize("field,kwargs", [
    ("canary_version", dict(canary_version=0, stable_version=1)),
    ("canary_version", dict(canary_version="2", stable_version=1)),
    ("canary_version", dict(canary_version=True, stable_version=2)),
    ("stable_version", dict(canary_version=2, stable_version=-1)),
])
def test_a_malformed_version_is_refused(ctl, field, kwargs):
    error = refused(ctl, InvalidArgument, lambda: ctl.start("medical", **kwargs))
    assert error.field == field


@pytest.mark.parametrize("domain", ["", "Medical", "general", "base", "medical@v2", "x" * 80])
def test_a_malformed_domain_is_refused(ctl, domain):
    assert refused(ctl, InvalidArgument, lambda: ctl.start(domain, 2, stable_version=1)).field == "domain"


def test_an_unpublished_version_or_domain_is_not_found(ctl):
    error = refused(ctl, AdapterNotFound, lambda: ctl.start("medical", 7, stable_version=1))
    assert "medical@v7" in str(error) and "v1, v2, v3" in str(error)
    assert "finance" in str(refused(ctl, AdapterNotFound, lambda: ctl.start("finance", 2, stable_version=1)))
    assert status_name(error) == grpc.StatusCode.NOT_FOUND.name


def test_a_too_long_reason_is_refused(ctl):
    error = refused(ctl, InvalidArgument, lambda: ctl.start("medical", 2, stable_version=1, reason="x" * 1001))
    assert error.field == "reason"


@pytest.mark.parametrize("hold", [None, "pause"])
def test_a_second_concurrent_canary_for_a_domain_is_refused(ctl, hold):
    first = ctl.start("medical", 2, stable_version=1)
    if hold:
        ctl.pause("medical")
    error = refused(ctl, FailedPrecondition, lambda: ctl.start("medical", 3, stable_version=1))
    assert first.id in str(error)
    assert status_name(error) == grpc.StatusCode.FAILED_PRECONDITION.name
    assert ctl.arm_for("medical", "user:a")[1] in (1, 2)  # still the first rollout's versions


def test_a_second_controller_cannot_start_a_concurrent_canary_either(ctl, db_url):
    ctl.start("medical", 2, stable_version=1)
    other = controller(db_url)
    with pytest.raises(FailedPrecondition):
        other.start("medical", 3, stable_version=1)


def test_the_database_itself_refuses_two_active_rollouts_for_a_domain(ctl, db_url):
    state = ctl.start("medical", 2, stable_version=1)
    conn = storage.connect(db_url, autocommit=True)
    with pytest.raises(storage.IntegrityError):
        conn.execute("INSERT INTO rollouts SELECT 'other', domain, stable_version, 3, schedule, step_index, "
                     "weight_pct, 'paused', spec, revision, started_at, step_started_at, updated_at FROM rollouts "
                     "WHERE id = ?",
                     [state.id])


def test_commands_without_an_active_rollout_are_refused(ctl):
    for command in (ctl.pause, ctl.resume, ctl.promote, ctl.rollback):
        assert "no active rollout" in str(refused(ctl, FailedPrecondition, lambda command=command: command("medical")))
    ctl.start("medical", 2, stable_version=1)
    ctl.rollback("medical")
    refused(ctl, FailedPrecondition, lambda: ctl.promote("medical"))


def test_commands_in_the_wrong_state_are_refused(ctl):
    ctl.start("medical", 2, stable_version=1)
    assert "resume needs paused or inconclusive" in str(refused(ctl, FailedPrecondition, lambda: ctl.resume("medical")))
    ctl.pause("medical")
    refused(ctl, FailedPrecondition, lambda: ctl.pause("medical"))


def test_bad_command_arguments_are_refused(ctl):
    ctl.start("medical", 2, stable_version=1)
    assert refused(ctl, InvalidArgument, lambda: ctl.pause("Medical")).field == "domain"
    assert refused(ctl, InvalidArgument, lambda: ctl.rollback("medical", "x" * 1001)).field == "reason"
    with pytest.raises(InvalidArgument):
        ctl.events("medical", limit=0)
