"""Helpers of the deploy tests: metric names in PromQL and in a /metrics exposition, the deploy files."""

from __future__ import annotations

import json
import re
import shutil
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import yaml

__all__ = ["DEPLOY", "REPO", "alert_rules", "dashboard_exprs", "exported_names", "find_tool", "load_yaml_docs",
           "metric_names", "recording_rules", "rule_exprs"]

REPO = Path(__file__).resolve().parents[2]
DEPLOY = REPO / "deploy"

# PromQL words that look like identifiers but are not metric names.
_KEYWORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right", "offset", "bool",
    "sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk", "quantile", "count_values", "group",
    "inf", "nan", "atan2",
}
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
_MATCHERS = re.compile(r"\{[^{}]*\}")
_RANGE = re.compile(r"\[[^\[\]]*\]")
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^()]*\)")
# Not preceded by a character that would make it part of a number, a duration or a $variable.
_IDENT = re.compile(r"(?<![A-Za-z0-9_:.$])([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?")


def metric_names(expr: str) -> set[str]:
    """Metric (and recording rule) names an expression selects; functions, keywords and labels excluded."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub("", text)
    text = _RANGE.sub("", text)
    text = _GROUPING.sub("", text)
    names = set()
    for match in _IDENT.finditer(text):
        name, call = match.group(1), match.group(2)
        if call or name.lower() in _KEYWORDS:
            continue  # a function call or an aggregation operator
        names.add(name)
    return names


def exported_names(exposition: str) -> set[str]:
    """Series names a Prometheus text exposition can produce, from its `# TYPE` lines (present even for
    labelled metrics that have no sample yet): histograms add _bucket/_sum/_count, counters _total."""
    names = set()
    for line in exposition.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[:2] == ["#", "TYPE"]:
            name, kind = parts[2], parts[3]
            names.add(name)
            if kind in ("histogram", "summary"):
                names.update(f"{name}{suffix}" for suffix in ("_bucket", "_sum", "_count"))
            if kind in ("histogram", "gaugehistogram"):
                names.add(f"{name}_bucket")
            if kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
    return names


def load_yaml_docs(path: Path) -> list[dict]:
    """Every non-empty YAML document of a file."""
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def _rules() -> Iterator[dict]:
    for path in sorted((DEPLOY / "prometheus" / "rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            yield from group["rules"]


def recording_rules() -> dict[str, str]:
    """Recording rule name -> expression."""
    return {rule["record"]: rule["expr"] for rule in _rules() if "record" in rule}


def alert_rules() -> list[dict]:
    """The alerting rules as written."""
    return [rule for rule in _rules() if "alert" in rule]


def rule_exprs() -> list[str]:
    """Every rule expression, recording and alerting."""
    return [rule["expr"] for rule in _rules()]


def _walk_exprs(node: object) -> Iterable[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "expr" and isinstance(value, str):
                yield value
            elif key == "query" and isinstance(value, str) and "(" in value:
                yield value  # templating: label_values(metric, label)
            else:
                yield from _walk_exprs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _walk_exprs(item)


def dashboard_exprs(path: Path | None = None) -> list[str]:
    """Every PromQL expression of a dashboard: panel targets, annotations and variable queries."""
    dashboard = json.loads((path or DEPLOY / "grafana" / "loraloop.json").read_text())
    exprs = list(_walk_exprs(dashboard))
    # label_values(metric, label): the first argument is a series selector.
    return [re.sub(r"^label_values\((.*),\s*\w+\)$", r"\1", e.strip()) for e in exprs]


def find_tool(name: str) -> str | None:
    """A command next to this Python (the venv's bin, where pip puts hadolint) or on PATH."""
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.is_file() else shutil.which(name)
