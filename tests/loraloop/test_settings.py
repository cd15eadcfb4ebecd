"""loraloop.settings: constraints declared on a field, one check that names field and value, ConfigError's attributes."""

from __future__ import annotations

import dataclasses
import math

import pytest

from loraloop.config import FeedbackConfig, RetrainDaemonConfig, RouterConfig, ServeConfig
from loraloop.settings import ConfigError, Constraint, check_fields, constraint_of, setting


def test_config_error_carries_field_value_and_reason():
    with pytest.raises(ConfigError) as info:
        ServeConfig(max_loras=0)
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.field, error.value, error.expected) == ("max_loras", 0, "expected >= 1")
    assert str(error) == "max_loras=0: expected >= 1"


def test_a_cross_field_check_names_the_field_it_refuses():
    with pytest.raises(ConfigError) as info:
        ServeConfig(max_loras=8, max_cpu_loras=4)
    assert (info.value.field, info.value.value) == ("max_cpu_loras", 4)
    assert info.value.expected == "must be >= max_loras=8 (vLLM requires it)"


def test_a_bad_domain_override_is_a_config_error_on_domain_overrides():
    with pytest.raises(ConfigError) as info:
        RetrainDaemonConfig(domain_overrides=("legal.min_new_pairs=many",))
    assert (info.value.field, info.value.value) == ("domain_overrides", "legal.min_new_pairs=many")
    assert info.value.expected == "min_new_pairs: 'many' is not a number"


@pytest.mark.parametrize("constraint, expected", [
    (Constraint(ge=1), "expected >= 1"),
    (Constraint(gt=0), "expected > 0"),
    (Constraint(ge=0, integer=True), "expected an integer >= 0"),
    (Constraint(gt=0, finite=True), "expected a finite number > 0"),
    (Constraint(ge=1, finite=True, what="ratio"), "expected a finite ratio >= 1"),
    (Constraint(ge=0, le=1, what="share"), "expected a share in [0, 1]"),
    (Constraint(gt=0, lt=1, what="probability"), "expected a probability in (0, 1)"),
    (Constraint(gt=0, le=1), "expected a number in (0, 1]"),
    (Constraint(ge=2, note="one to train on, one to hold out"), "expected >= 2 (one to train on, one to hold out)"),
    (Constraint(choices=("cpu", "cuda")), "expected one of ('cpu', 'cuda')"),
    (Constraint(choices=("awq",), optional=True), "expected one of ('awq',) or unset"),
])
def test_the_reason_is_written_from_the_constraint(constraint, expected):
    assert constraint.expected == expected


@pytest.mark.parametrize("constraint, good, bad", [
    (Constraint(ge=1), [1, 2.5, True], [0, 0.5, math.nan, "1", None]),
    (Constraint(ge=0, integer=True), [0, 7], [1.0, -1, "3"]),
    (Constraint(gt=0, finite=True), [1e-9, 5], [0, math.inf, math.nan]),
    (Constraint(ge=0, lt=1), [0, 0.999], [1, -0.1, math.nan]),
    (Constraint(choices=("a", "b")), ["a", "b"], ["c", None, ("a",)]),
    (Constraint(choices=("a",), optional=True), ["a", None], ["b"]),
])
def test_accepts_what_the_bounds_allow_and_nothing_else(constraint, good, bad):
    assert all(constraint.accepts(v) for v in good)
    assert not any(constraint.accepts(v) for v in bad)


def test_setting_stores_help_and_constraint_in_the_field_metadata():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class Toy:
        """A config for the test."""

        size: int = setting(4, "How many.", ge=1, integer=True)
        name: str = setting("x", "Free text.")

        def __post_init__(self) -> None:
            check_fields(self)

    size, name = dataclasses.fields(Toy)
    assert size.metadata["help"] == "How many." and constraint_of(size) == Constraint(ge=1, integer=True)
    assert name.metadata["help"] == "Free text." and constraint_of(name) is None
    with pytest.raises(ConfigError, match=r"^size=0: expected an integer >= 1$"):
        Toy(size=0)


def test_todays_messages_are_kept_where_they_carry_meaning():
    with pytest.raises(ValueError, match=r"^drift_psi_threshold=0: expected > 0$"):
        FeedbackConfig(drift_psi_threshold=0)
    with pytest.raises(ValueError, match=r"^context_weight=1.0: expected a weight in \[0, 1\) \(1 would ignore"):
        RouterConfig(context_weight=1.0)
    with pytest.raises(ValueError, match=r"^quantization='int3': expected one of \('bitsandbytes', 'awq', 'gptq'\) or unset$"):
        ServeConfig(quantization="int3")
