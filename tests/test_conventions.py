"""Conventions from STYLE.md that a test can keep honest."""

import dataclasses
import importlib
import pkgutil
import re
import subprocess
import sys

import pytest
from prometheus_client import CollectorRegistry

from loraloop import config as config_module
from loraloop.feedback.metrics import FeedbackMetrics
from loraloop.retrain.metrics import RetrainMetrics
from loraloop.router.metrics import RolloutMetrics, RouteMetrics
from loraloop.serve.metrics import ServeMetrics
from loraloop.settings import ConfigError, Constraint, constraint_of

METRIC = re.compile(r"^loraloop_(serve|router|feedback|retrain)_[a-z][a-z0-9_]*$")
# Base units, and the plural nouns that are the unit of a count gauge (queue depth, answers, pairs pending),
# plus `_state` for state-set gauges (1 for the current state) and `_value` for eval metrics of mixed units.
UNITS = ("_total", "_seconds", "_bytes", "_ratio", "_in_flight", "_loaded", "_depth", "_capacity", "_answers",
         "_state", "_pending", "_running", "_value", "_info")


def test_metric_names_follow_the_pattern():
    registry = CollectorRegistry()
    ServeMetrics(registry)
    FeedbackMetrics(registry)
    RolloutMetrics(registry)
    RouteMetrics(registry)
    RetrainMetrics(registry)
    for family in registry.collect():
        name = family.name + ("_total" if family.type == "counter" else "")
        assert METRIC.match(name), name
        assert name.endswith(UNITS), f"{name}: end with a base unit or _total"
        for sample in family.samples:
            assert not {"user", "user_id", "request_id", "response_id"} & set(sample.labels), sample


# Each config lives beside its owner (STYLE.md 15); loraloop.config re-exports them all.
CONFIG_MODULES = ("loraloop.serve.config", "loraloop.feedback.config", "loraloop.router.config",
                  "loraloop.router.rollout_config", "loraloop.retrain.config", "loraloop.retrain.ppo_config",
                  "loraloop.simulate.config", "loraloop.demo.config")


def _configs():
    found = {c for c in vars(config_module).values() if dataclasses.is_dataclass(c) and isinstance(c, type)}
    for name in CONFIG_MODULES:
        module = importlib.import_module(name)
        found |= {getattr(module, n) for n in module.__all__ if dataclasses.is_dataclass(getattr(module, n))}
    return sorted(found, key=lambda c: c.__name__)


def test_every_config_field_has_help():
    configs = _configs()
    assert len(configs) >= 9
    for cls in configs:
        assert all(f.metadata.get("help") for f in dataclasses.fields(cls)), cls.__name__
        assert getattr(config_module, cls.__name__) is cls, f"{cls.__name__}: re-export it from loraloop.config"


def test_config_modules_import_no_heavy_package():
    # The entry points load configs first; a config that imported torch or grpc would slow every command.
    code = ("import sys, loraloop.config; heavy = {'torch', 'vllm', 'grpc', 'numpy', 'transformers'} & set(sys.modules); "
            "print(sorted(heavy))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def _violations(constraint: Constraint) -> list[object]:
    """Values that break the constraint (one per bound it declares)."""
    if constraint.choices is not None:
        return ["not-one-of-the-choices"]
    bad: list[object] = []
    step = 1 if constraint.integer else 0.5
    if constraint.ge is not None:
        bad.append(constraint.ge - step)
    if constraint.gt is not None:
        bad.append(constraint.gt)
    if constraint.le is not None:
        bad.append(constraint.le + step)
    if constraint.lt is not None:
        bad.append(constraint.lt)
    if constraint.integer:
        bad.append(2.5)
    if constraint.finite:
        bad.append(float("inf"))
    return [*bad, float("nan"), "text"]


def test_every_declared_constraint_is_enforced():
    checked = 0
    for cls in _configs():
        for f in dataclasses.fields(cls):
            constraint = constraint_of(f)
            if constraint is None:
                continue
            assert constraint.accepts(f.default), f"{cls.__name__}.{f.name}: its default breaks its own constraint"
            for value in _violations(constraint):
                with pytest.raises(ConfigError) as info:
                    cls(**{f.name: value})
                assert info.value.field == f.name, f"{cls.__name__}({f.name}={value!r}) raised {info.value}"
                assert str(info.value).startswith(f"{f.name}=") and constraint.expected in str(info.value)
                checked += 1
    assert checked >= 200  # every config declares its constraints; a config that stopped calling check_fields fails


def _modules():
    # The stage packages live in other folders (package-dir mapping), so walk each one.
    for package in ("loraloop", "loraloop.serve", "loraloop.feedback", "loraloop.router", "loraloop.retrain"):
        yield from pkgutil.walk_packages(importlib.import_module(package).__path__, package + ".")


def test_public_modules_declare_all_and_document_public_symbols():
    seen = set()
    for info in _modules():
        seen.add(info.name)
        if info.name.startswith("loraloop.v1."):
            continue  # generated stubs
        module = importlib.import_module(info.name)
        if info.ispkg:
            continue
        assert hasattr(module, "__all__"), info.name
        for name in module.__all__:
            obj = getattr(module, name)
            if callable(obj) or isinstance(obj, type):
                assert (obj.__doc__ or "").strip(), f"{info.name}.{name} has no docstring"
    assert {"loraloop.serve.registry", "loraloop.feedback.store", "loraloop.adapters"} <= seen
