"""Conventions from STYLE.md that a test can keep honest."""

import dataclasses
import importlib
import pkgutil
import re

from prometheus_client import CollectorRegistry

from loraloop import config as config_module
from loraloop.feedback.metrics import FeedbackMetrics
from loraloop.retrain.metrics import RetrainMetrics
from loraloop.router.metrics import RolloutMetrics, RouteMetrics
from loraloop.serve.metrics import ServeMetrics

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


def test_every_config_field_has_help():
    configs = [c for c in vars(config_module).values() if dataclasses.is_dataclass(c)]
    assert len(configs) >= 3
    for cls in configs:
        assert all(f.metadata.get("help") for f in dataclasses.fields(cls)), cls.__name__


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
