"""The Grafana dashboard and the alert rules reference only metrics the code exports (scraped for real)."""

from __future__ import annotations

import asyncio
import json
import urllib.request

from prometheus_client import CollectorRegistry, generate_latest

from tests.deploy.promql import DEPLOY, alert_rules, dashboard_exprs, exported_names, metric_names, recording_rules, rule_exprs

DASHBOARD = DEPLOY / "grafana" / "loraloop.json"
# Series Prometheus itself makes, not the code.
PROMETHEUS_SERIES = {"up", "ALERTS", "ALERTS_FOR_STATE", "scrape_duration_seconds"}
HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def test_metric_names_of_promql():
    expr = ('histogram_quantile(0.95, sum by (adapter, le) (rate(loraloop_serve_time_to_first_token_seconds_bucket'
            '{adapter=~"$adapter", status!="loraloop_not_a_metric"}[$__rate_interval])))'
            ' / ignoring (kind) group_left loraloop:serve_answers:increase1h'
            ' and on (domain) (time() - max(loraloop_retrain_last_run_timestamp_seconds offset 30m) > 1e3)')
    assert metric_names(expr) == {"loraloop_serve_time_to_first_token_seconds_bucket",
                                  "loraloop:serve_answers:increase1h", "loraloop_retrain_last_run_timestamp_seconds"}
    assert metric_names('sum without (instance) (up{job=~"loraloop-.*"}) == bool 0') == {"up"}


def test_exported_names_of_an_exposition():
    text = ("# HELP a_total x\n# TYPE a_total counter\n# HELP h_seconds y\n# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"1.0\"} 0.0\n# TYPE g gauge\n")
    assert exported_names(text) == {"a_total", "h_seconds", "h_seconds_bucket", "h_seconds_sum", "h_seconds_count", "g"}


def test_dashboard_is_well_formed():
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    panels = dashboard["panels"]
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), "panel ids must be unique"
    titles = " ".join(p["title"].lower() for p in panels)
    # What the issue asks the dashboard to show.
    for topic in ("adapter version and arm", "canary weight", "feedback", "drift", "retrain runs", "eval metrics"):
        assert topic in titles, topic
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    for panel in panels:
        pos = panel["gridPos"]
        assert pos["x"] >= 0 and pos["x"] + pos["w"] <= 24, panel["title"]
        if panel["type"] == "row":
            continue
        assert panel["datasource"]["uid"] == "${datasource}", panel["title"]
        assert panel["targets"] and all(t["expr"].strip() for t in panel["targets"]), panel["title"]
        for target in panel["targets"]:
            for used in {w for w in target["expr"].split("$")[1:]}:
                name = used.split("}")[0].split("]")[0].split('"')[0].split(",")[0].strip("{")
                assert name.startswith("__") or name in variables, f"{panel['title']}: ${name} is not a variable"


def _raw(names: set[str]) -> set[str]:
    """Names with recording rules replaced by the metrics they are computed from."""
    records = recording_rules()
    while any(n in records for n in names):
        names = set().union(*(metric_names(records[n]) if n in records else {n} for n in names))
    return names - PROMETHEUS_SERIES


def test_dashboard_covers_every_alert_signal():
    shown = _raw(set().union(*(metric_names(e) for e in dashboard_exprs())))
    for alert in alert_rules():
        watched = _raw(metric_names(alert["expr"]))
        assert not watched or watched & shown, f"{alert['alert']}: the dashboard shows none of {sorted(watched)}"


def _referenced_metrics() -> set[str]:
    """Raw metric names the dashboard and the rules select (recording rules resolved)."""
    records = recording_rules()
    names = set().union(*(metric_names(e) for e in [*dashboard_exprs(), *rule_exprs()]))
    unknown_records = {n for n in names if ":" in n} - set(records)
    assert not unknown_records, f"used but not recorded: {sorted(unknown_records)}"
    return {n for n in names if ":" not in n} - PROMETHEUS_SERIES


def _retrain_names() -> set[str]:
    from loraloop.retrain.metrics import RetrainMetrics  # the daemon's own registry, its own /metrics port

    registry = CollectorRegistry()
    RetrainMetrics(registry)
    return exported_names(generate_latest(registry).decode())


async def test_dashboard_and_rules_reference_only_exported_metrics(server):
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    scraped = await asyncio.to_thread(lambda: urllib.request.urlopen(url, timeout=10).read().decode())
    exported = exported_names(scraped) | _retrain_names()
    referenced = _referenced_metrics()
    missing = sorted(referenced - exported)
    assert not missing, f"dashboard/rules use metrics nobody exports: {missing}"
    # And the other way: every loraloop metric has a place on the dashboard or in an alert.
    shown = {n.removesuffix(s) for n in referenced for s in ("", *HISTOGRAM_SUFFIXES) if n.endswith(s)}
    # `_created` series are the client library's creation timestamps of counters and histograms.
    families = {n for n in exported if n.startswith("loraloop_") and not n.endswith((*HISTOGRAM_SUFFIXES, "_created"))}
    unshown = sorted(n for n in families if n not in shown and f"{n}_bucket" not in referenced)
    assert not unshown, f"exported but on no panel and in no rule: {unshown}"
