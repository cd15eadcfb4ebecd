"""Drift snapshots on the demo tokenizer, the CLI chart, and the server's engine-scored log-probs."""

from __future__ import annotations

import asyncio
import math
import random
import sys
import time

import pytest
from prometheus_client import CollectorRegistry

from loraloop.config import FeedbackConfig
from loraloop.demo.data import load_corpus
from loraloop.feedback.drift import DriftMonitor
from loraloop.feedback.metrics import FeedbackMetrics
from loraloop.feedback.store import FeedbackStore, ResponseRecord
from tests.db_rows import table_rows

CONFIG = FeedbackConfig(drift_window=120, drift_min_answers=30, drift_logprob_samples=4)


def prompts(domain: str) -> list[str]:
    return [r["messages"][0]["content"] for r in load_corpus() if r["domain"] == domain]


def fill(path, reference: list[str], recent: list[str], domain: str = "medical") -> None:
    store = FeedbackStore(path)
    start = time.time() - 10_000
    records = [ResponseRecord(
        id=f"{domain}-{i}", conversation_id=f"c{i}", user_id="u", messages=({"role": "user", "content": text},),
        text="answer", adapter=f"{domain}@v1", domain=domain, version=1, arm="stable", route_domain=domain,
        route_confidence=1.0, sampling={}, prompt_tokens=len(text) // 3, completion_tokens=20, ttft_s=0.01,
        latency_s=0.1, finish_reason="stop", created_at=start + i) for i, text in enumerate(reference + recent)]
    store.write_batch(records)
    store.close()


@pytest.fixture(scope="module")
def tokenizer(demo_model):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(demo_model.model_dir)


async def test_prompts_from_another_domain_cross_the_js_threshold(db_url, tokenizer):
    fill(db_url, prompts("medical")[::2][:120], prompts("finance")[:120])
    registry = CollectorRegistry()
    monitor = DriftMonitor(db_url, tokenizer, CONFIG, FeedbackMetrics(registry))
    values = (await monitor.snapshot())["medical"]
    assert values["prompt_js"] > CONFIG.drift_js_threshold
    assert registry.get_sample_value("loraloop_feedback_drift_crossed_ratio",
                                     {"adapter": "medical", "metric": "prompt_js"}) == 1.0
    store = FeedbackStore(db_url)
    events = [r["metric"] for r in table_rows(store.db, "drift_events")]
    snapshots = {r["metric"]: r for r in table_rows(store.db, "drift_snapshots")}
    store.close()
    assert "prompt_js" in events
    assert snapshots["low_confidence_rate"]["value"] is None  # exists, no data until the router lands
    assert snapshots["prompt_js"]["reference_answers"] == snapshots["prompt_js"]["recent_answers"] == 120


async def test_prompts_from_the_same_distribution_do_not(tmp_path, tokenizer):
    # A seeded shuffle, not every other record: the corpus is written in template order, so its even and odd
    # records differ systematically (an excess JS of 0.10 on the demo tokenizer; shuffled halves give <= 0.02).
    medical = random.Random(0).sample(prompts("medical"), 240)
    fill(tmp_path / "fb.sqlite", medical[:120], medical[120:])
    values = (await DriftMonitor(tmp_path / "fb.sqlite", tokenizer, CONFIG).snapshot())["medical"]
    assert values["prompt_js"] < CONFIG.drift_js_threshold
    assert values["prompt_length_psi"] < CONFIG.drift_psi_threshold
    assert values["answer_length_psi"] < CONFIG.drift_psi_threshold


async def test_too_few_answers_measure_nothing(db_url, tokenizer):
    fill(db_url, prompts("legal")[:20], prompts("legal")[20:40])
    assert await DriftMonitor(db_url, tokenizer, CONFIG).snapshot() == {}


async def test_cli_prints_the_latest_snapshot_and_draws_the_history(tmp_path, tokenizer, demo_model):
    db = tmp_path / "fb.sqlite"
    fill(db, prompts("medical")[::2][:120], prompts("finance")[:120])
    png = tmp_path / "drift.png"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loraloop.cli", "feedback", "drift", "--db", str(db), "--compute",
        str(demo_model.model_dir), "--png", str(png), stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()[-2000:]
    line = next(row for row in out.decode().splitlines() if "prompt_js" in row)
    assert line.startswith("medical") and "CROSSED" in line
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000


async def test_the_server_takes_snapshots_and_exports_gauges(server, feedback_config):
    fill(feedback_config.db_file(), prompts("medical")[::2][:40], prompts("legal")[:40], domain="driftcheck")
    values = (await server.drift_snapshot())["driftcheck"]
    assert values["prompt_js"] > 0.1  # medical, then legal prompts
    assert values["logprob_drop"] is None  # scored offline only (see RunningServer.drift_snapshot)
    import urllib.request

    text = urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics").read().decode()
    assert 'loraloop_feedback_drift_crossed_ratio{adapter="driftcheck",metric="prompt_js"} 1.0' in text


async def test_offline_snapshot_scores_logprobs_under_the_base_model(tmp_path, tokenizer, demo_model):
    from loraloop.feedback.drift import hf_logprob_scorer

    fill(tmp_path / "fb.sqlite", prompts("medical")[::2][:120], prompts("general")[:120])
    score = hf_logprob_scorer(demo_model.model_dir)
    values = (await DriftMonitor(tmp_path / "fb.sqlite", tokenizer, CONFIG).snapshot(score))["medical"]
    assert values["logprob_drop"] is not None and math.isfinite(values["logprob_drop"])
    same = await score([tokenizer.encode(p, add_special_tokens=False) for p in prompts("medical")[:4]])
    assert all(s < 0 for s in same)
