"""A real Prometheus scrapes the real server on the demo model; its HTTP API shows the series, with sane values.

Prometheus (Debian's package) runs as a subprocess on loopback with a temporary data folder, a config
written here (1 s scrape and rule intervals, the repo's alert and recording rules), and is stopped at the end.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import socket
import time
import urllib.parse
import urllib.request
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from loraloop.v1 import loraloop_pb2 as pb
from tests.deploy.promql import DEPLOY, find_tool

PROMETHEUS = find_tool("prometheus")
pytestmark = pytest.mark.skipif(PROMETHEUS is None, reason="prometheus not installed: run "
                                "scripts/install-ops-tools.sh (Debian's prometheus package; .ci/run does)")
WAIT_S = 30.0
PROMPTS = {
    "medical": "I have had a headache since this morning. What should I do?",
    "finance": "How should I start saving for retirement?",
    "base": "Hello, how are you today?",
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=5) as reply:
        return json.loads(reply.read())


async def _eventually(probe: Callable[[], Awaitable[Any]], what: str) -> Any:
    """Poll until probe() returns something truthy (bounded); fail saying what never came."""
    deadline, last = time.monotonic() + WAIT_S, None
    while time.monotonic() < deadline:
        try:
            last = await probe()
        except (OSError, ValueError) as e:  # not listening yet, or an answer that is not JSON yet
            last = e
        if last and not isinstance(last, Exception):
            return last
        await asyncio.sleep(0.5)
    raise AssertionError(f"within {WAIT_S:.0f}s: {what} (last: {last!r})")


class PrometheusAPI:
    """The few calls of Prometheus's HTTP API the test needs."""

    def __init__(self, base: str):
        self.base = base

    async def query(self, promql: str) -> list[dict]:
        url = f"{self.base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
        body = await asyncio.to_thread(_get_json, url)
        assert body["status"] == "success", body
        return body["data"]["result"]

    async def value(self, promql: str) -> float | None:
        """The single value of an instant query, None when it has no result."""
        result = await self.query(promql)
        assert len(result) <= 1, f"{promql}: expected one series, got {result}"
        return float(result[0]["value"][1]) if result else None

    async def rules(self) -> list[dict]:
        body = await asyncio.to_thread(_get_json, f"{self.base}/api/v1/rules")
        return [rule for group in body["data"]["groups"] for rule in group["rules"]]


async def _send_traffic(client) -> tuple[dict[tuple[str, str], int], int, dict[tuple[str, str], int], str]:
    """Answers per (adapter, version) label pair, completion tokens, and the rated (adapter, version)."""
    answered: dict[tuple[str, str], int] = {}
    tokens: dict[tuple[str, str], int] = {}
    replies = []
    for adapter, prompt in PROMPTS.items():
        reply = await client.chat(prompt, adapter=adapter, max_tokens=8, temperature=0.0, user_id="deploy-test")
        replies.append(reply)
    chunks = [c async for c in client.stream(PROMPTS["medical"], adapter="medical", max_tokens=8, temperature=0.0)]
    rated = replies[0]
    await client.send_feedback(rated.response_id, pb.THUMBS_DOWN)
    regenerated = await client.chat(PROMPTS["medical"], adapter="medical", max_tokens=8, temperature=0.7,
                                    regenerate_of=rated.response_id)
    for used, completion in [*((r.adapter, r.usage.completion_tokens) for r in [*replies, regenerated]),
                             (chunks[0].adapter, chunks[-1].usage.completion_tokens)]:
        domain, _, version = used.partition("@")
        labels = (domain, version)  # "medical@v1" -> ("medical", "v1"); "base" -> ("base", "")
        answered[labels] = answered.get(labels, 0) + 1
        tokens[labels] = tokens.get(labels, 0) + completion
    arm = rated.arm
    return answered, sum(answered.values()), tokens, arm


async def test_real_prometheus_scrapes_the_server(server, client, feedback_config, tmp_path: Path):
    answered, total, tokens, arm = await _send_traffic(client)
    medical = next(k for k in answered if k[0] == "medical")
    port = _free_port()
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "rule_files": [str(p) for p in sorted((DEPLOY / "prometheus" / "rules").glob("*.yml"))],
        "scrape_configs": [{"job_name": "loraloop-server",
                            "static_configs": [{"targets": [f"127.0.0.1:{server.metrics_port}"]}]}],
    }
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    log = (tmp_path / "prometheus.log").open("wb")
    proc = await asyncio.create_subprocess_exec(
        PROMETHEUS, f"--config.file={tmp_path / 'prometheus.yml'}", f"--storage.tsdb.path={tmp_path / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}", stdout=log, stderr=log)
    api = PrometheusAPI(f"http://127.0.0.1:{port}")
    try:
        await _eventually(lambda: api.value('up{job="loraloop-server"} == 1'), "the server target is up")
        ok = 'status="OK"'
        await _eventually(lambda: api.value(f"sum(loraloop_serve_requests_total{{{ok}}}) >= {total}"),
                          f"at least the {total} answers sent are counted")
        for (adapter, version), n in answered.items():
            sel = f'adapter="{adapter}",version="{version}"'
            count = await api.value(f"sum(loraloop_serve_requests_total{{{sel},{ok}}})")
            assert count is not None and count >= n, (adapter, version, count)
            completion = await api.value(f"sum(loraloop_serve_completion_tokens_total{{{sel}}})")
            assert completion is not None and completion >= tokens[(adapter, version)]
        arms = {r["metric"].get("arm") for r in await api.query("loraloop_serve_requests_total")}
        assert arm in arms, f"the arm that answered ({arm!r}) has no series: {arms}"

        # Histograms: cumulative buckets up to +Inf, which equals _count; latency sums are positive.
        sel = f'adapter="{medical[0]}",version="{medical[1]}"'
        for family in ("loraloop_serve_time_to_first_token_seconds", "loraloop_serve_request_duration_seconds"):
            buckets = await api.query(f"sum by (le) ({family}_bucket{{{sel}}})")
            assert len(buckets) >= 3, buckets
            by_le = sorted((float(b["metric"]["le"]), float(b["value"][1])) for b in buckets)
            assert by_le[-1][0] == float("inf")
            assert all(a[1] <= b[1] for a, b in itertools.pairwise(by_le)), f"{family}: buckets not cumulative"
            # TTFT is observed for streamed answers only (a unary answer arrives whole): one stream went to medical.
            expected = 1 if family.endswith("first_token_seconds") else answered[medical]
            assert by_le[-1][1] == await api.value(f"sum({family}_count{{{sel}}})") >= expected
            assert await api.value(f"sum({family}_sum{{{sel}}})") > 0
        ttft = await api.value(f"sum(loraloop_serve_time_to_first_token_seconds_sum{{{sel}}})")
        duration = await api.value(f"sum(loraloop_serve_request_duration_seconds_sum{{{sel}}})")
        assert duration >= ttft, "a request cannot end before its first token"

        in_flight = await api.value("loraloop_serve_requests_in_flight")
        assert in_flight is not None and 0 <= in_flight <= 16
        assert (await api.value("loraloop_serve_adapters_loaded") or 0) >= 1

        # Feedback: the thumbs-down and the regeneration of the rated answer, by its adapter version.
        rated = f'adapter="{medical[0]}",version="{medical[1]}"'
        for kind in ("thumbs_down", "regenerate"):
            await _eventually(lambda k=kind: api.value(f'sum(loraloop_feedback_signals_total{{{rated},kind="{k}"}}) >= 1'),
                              f"a {kind} signal for {medical}")
        capacity = await api.value("loraloop_feedback_write_queue_capacity")
        assert capacity == feedback_config.queue_size
        assert 0 <= await api.value("loraloop_feedback_write_queue_depth") <= capacity

        # The repo's rules load and evaluate against real data: recording rules produce series. A rate
        # needs the counter to move while Prometheus watches, so one more answer now.
        await client.chat(PROMPTS["medical"], adapter="medical", max_tokens=4, temperature=0.0)
        await _eventually(lambda: api.value(f'sum(loraloop:serve_requests:rate5m{{adapter="{medical[0]}"}}) > 0'),
                          "the request-rate recording rule has a value")
        await _eventually(lambda: api.query("loraloop:feedback_write_queue:saturation_ratio"),
                          "the queue saturation recording rule has a value")
        rules = await _eventually(api.rules, "the rules are loaded")
        assert len(rules) >= 10
        bad = [(r["name"], r.get("lastError")) for r in rules if r["health"] not in ("ok", "unknown")]
        assert not bad, f"rules failing on real data: {bad}"
    finally:
        if proc.returncode is None:
            proc.terminate()
            try:
                await asyncio.wait_for(proc.wait(), 10)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        log.close()
