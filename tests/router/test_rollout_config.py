"""check_schedule: one rule for a canary schedule, the same in the rollout, the retrain job and the simulation."""

from __future__ import annotations

import pytest

from loraloop.config import RetrainConfig, RolloutConfig, SimulateConfig
from loraloop.router.rollout_config import check_schedule
from loraloop.settings import ConfigError

# (config class, the field holding its schedule)
SCHEDULES = [(RolloutConfig, "schedule"), (RetrainConfig, "canary_schedule"), (SimulateConfig, "canary_schedule"),
             (SimulateConfig, "sabotage_schedule")]


@pytest.mark.parametrize("schedule, expected", [
    ((5.0, 5.0, 100.0), "expected strictly increasing weights"),
    ((50, 25, 100), "expected strictly increasing weights"),
    ((0, 50, 100), "expected weights in (0, 100] percent"),
    ((5, 150), "expected weights in (0, 100] percent"),
    ((5, 50), "expected the last step to be 100 (promotion)"),
    ((100,), "expected at least one canary step below 100, then 100"),
    (("five", 100), "expected a sequence of percentages"),
    ("5,100", "expected a sequence of percentages"),
])
def test_every_config_refuses_a_bad_schedule_with_the_same_reason(schedule, expected):
    with pytest.raises(ConfigError) as direct:
        check_schedule("x", schedule)
    assert direct.value.expected == expected
    for cls, field in SCHEDULES:
        with pytest.raises(ConfigError) as info:
            cls(**{field: schedule})
        assert (info.value.field, info.value.expected) == (field, expected), cls.__name__


@pytest.mark.parametrize("schedule", [(10, 100), ["5", "25", "50", "100"], (1, 2.5, 100.0)])
def test_every_config_normalises_a_good_schedule_to_the_same_floats(schedule):
    expected = tuple(float(w) for w in schedule)
    assert check_schedule("x", schedule) == expected
    for cls, field in SCHEDULES:
        assert getattr(cls(**{field: schedule}), field) == expected, cls.__name__


def test_only_the_retrain_job_takes_an_empty_schedule_as_the_servers_default():
    assert RetrainConfig(canary_schedule=()).canary_schedule == ()
    assert check_schedule("x", [], allow_empty=True) == ()
    for cls, field in SCHEDULES:
        if cls is not RetrainConfig:
            with pytest.raises(ConfigError, match=f"^{field}=\\(\\): expected at least one canary step"):
                cls(**{field: ()})
