"""The retrain daemon's per-domain overrides: 'domain.field=value' entries (RetrainDaemonConfig.domain_overrides).

Pure parsing: the config passes in the names it accepts, so this module imports no other part of retrain.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from loraloop.settings import ConfigError

__all__ = ["OVERRIDABLE", "parse_overrides"]

# The daemon's trigger fields a domain may override.
OVERRIDABLE = ("method", "schedule_interval_s", "min_new_pairs", "retrain_on_drift", "drift_metrics")
_FIELD = "domain_overrides"


def parse_overrides(entries: Iterable[str], *, methods: Sequence[str],
                    drift_metrics: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each domain's overridden fields, typed, a later entry winning; ConfigError naming domain_overrides when one is bad."""
    parsed: dict[str, dict[str, Any]] = {}
    for entry in entries:
        domain, name, value = _parse_entry(entry, methods=tuple(methods), drift_metrics=tuple(drift_metrics))
        parsed.setdefault(domain, {})[name] = value
    return parsed


def _parse_entry(entry: str, *, methods: tuple[str, ...], drift_metrics: tuple[str, ...]) -> tuple[str, str, Any]:
    target, eq, text = str(entry).partition("=")
    domain, dot, name = target.partition(".")
    if not (eq and dot and domain) or name not in OVERRIDABLE:
        raise ConfigError(_FIELD, entry, f"expected 'domain.field=value' with field one of {OVERRIDABLE}")
    if name == "method":
        if text not in methods:
            raise ConfigError(_FIELD, entry, f"method: expected one of {methods}")
        return domain, name, text
    if name == "retrain_on_drift":
        if text.lower() not in ("true", "false", "1", "0"):
            raise ConfigError(_FIELD, entry, "retrain_on_drift: expected true or false")
        return domain, name, text.lower() in ("true", "1")
    if name == "drift_metrics":
        metrics = tuple(m for m in text.split("+") if m)
        if not set(metrics) <= set(drift_metrics):
            raise ConfigError(_FIELD, entry, f"drift_metrics: expected some of {drift_metrics} joined by '+'")
        return domain, name, metrics
    try:
        number = int(text) if name == "min_new_pairs" else float(text)
    except ValueError as e:
        raise ConfigError(_FIELD, entry, f"{name}: {text!r} is not a number") from e
    if not (number >= 0 and math.isfinite(number)):
        raise ConfigError(_FIELD, entry, f"{name}: expected a number >= 0")
    return domain, name, number
