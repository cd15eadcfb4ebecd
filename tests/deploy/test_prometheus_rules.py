"""promtool: the scrape config and the rules check, the rules' unit tests pass; every alert is documented."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.deploy.promql import DEPLOY, alert_rules, find_tool, recording_rules

PROMETHEUS = DEPLOY / "prometheus"
PROMTOOL = find_tool("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool not installed: run scripts/install-ops-tools.sh "
                                                              "(Debian's prometheus package; .ci/run does)")
# Alerts the issue asks for, by what they watch.
REQUIRED = {
    "error rate": "loraloop_serve_requests_total",
    "time to first token": "loraloop_serve_time_to_first_token_seconds_bucket",
    "thumbs-down": 'kind="thumbs_down"',
    "regenerate": 'kind="regenerate"',
    "drift": "loraloop_feedback_drift_crossed_ratio",
    "rollback": 'decision="rollback"',
    "retrain failed": "loraloop_retrain_runs_total",
    "queue saturation": "loraloop_feedback_write_queue_capacity",
}


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=PROMETHEUS, capture_output=True, text=True, timeout=60)


@needs_promtool
def test_promtool_check_rules():
    result = promtool("check", "rules", *sorted(str(p) for p in (PROMETHEUS / "rules").glob("*.yml")))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


@needs_promtool
def test_promtool_check_config():
    result = promtool("check", "config", "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 rule files found" in result.stdout  # the rules glob resolves from the config's folder


@needs_promtool
def test_promtool_rejects_a_broken_rule(tmp_path):
    bad = tmp_path / "bad.yml"
    bad.write_text("groups:\n  - name: x\n    rules:\n      - alert: Broken\n        expr: sum(rate(x[5m])\n")
    result = promtool("check", "rules", str(bad))
    assert result.returncode != 0


@needs_promtool
def test_promtool_unit_tests_of_the_alerts():
    result = promtool("test", "rules", "tests/loraloop.rules.test.yml")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SUCCESS" in result.stdout


def _expanded(expr: str) -> str:
    """The expression with the recording rules it uses replaced by their definitions."""
    records = recording_rules()
    for _ in range(5):
        for name, definition in records.items():
            expr = expr.replace(name, f"({definition})")
    return expr


def test_the_alerts_the_issue_asks_for_exist():
    expressions = {rule["alert"]: _expanded(rule["expr"]) for rule in alert_rules()}
    for what, needle in REQUIRED.items():
        assert any(needle in e for e in expressions.values()), f"no alert on {what} ({needle})"


def test_every_alert_has_severity_summary_and_a_runbook_that_exists():
    readme = (DEPLOY / "README.md").read_text()
    # GitHub-style anchors of the README's headings.
    anchors = {re.sub(r"[^a-z0-9 -]", "", h.strip().lower()).replace(" ", "-")
               for h in re.findall(r"^#+ (.+)$", readme, flags=re.M)}
    for rule in alert_rules():
        assert rule["labels"]["severity"] in ("critical", "warning", "info"), rule["alert"]
        assert rule["annotations"]["summary"] and rule["annotations"]["description"], rule["alert"]
        path, _, anchor = rule["annotations"]["runbook"].partition("#")
        assert path == "deploy/README.md" and anchor in anchors, f"{rule['alert']}: runbook #{anchor} not in README"
