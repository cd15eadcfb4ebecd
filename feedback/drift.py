"""Drift snapshots per adapter: the adapter's recent answers against its reference (first) answers.

Metrics: prompt-token JS divergence above sampling noise (serving tokenizer), PSI of prompt and
answer lengths, router low-confidence rate, the drop in mean prompt log-probability under the base
model (sampled, scored by the engine), thumbs-down and regenerate rates. Every snapshot is stored;
a metric over its threshold also becomes a drift event (a retraining trigger) and sets a gauge.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.config import FeedbackConfig
from loraloop.feedback.drift_stats import DRIFT_METRICS, DriftThresholds, crossed, js_excess, psi, rate, threshold_for
from loraloop.feedback.metrics import FeedbackMetrics
from loraloop.feedback.schema import write_transaction

__all__ = ["DriftMonitor", "Windows", "hf_logprob_scorer", "latest_snapshot", "plot_history"]

# Scores token-id prompts under the base model: one mean log-probability per prompt.
LogprobScorer = Callable[[Sequence[Sequence[int]]], Awaitable[list[float]]]
_SQL = (
    "SELECT r.messages, r.prompt_tokens, r.completion_tokens, r.route_confidence, "
    "COUNT(s.id) FILTER (WHERE s.kind = 'THUMBS_UP'), COUNT(s.id) FILTER (WHERE s.kind = 'THUMBS_DOWN'), "
    "COUNT(s.id) FILTER (WHERE s.kind = 'REGENERATE') "
    "FROM responses r LEFT JOIN signals s ON s.response_id = r.id WHERE r.domain = ? GROUP BY r.id "
)


@dataclass(frozen=True, kw_only=True)
class Windows:
    """One adapter's reference and recent answers (rows of _SQL)."""

    adapter: str
    reference: list[tuple]
    recent: list[tuple]


def _last_user_text(messages_json: str) -> str:
    return next((m["content"] for m in reversed(json.loads(messages_json)) if m["role"] == "user"), "")


class DriftMonitor:
    """Computes, stores and exports drift snapshots from one feedback database."""

    def __init__(self, db_url: str | Path, tokenizer: Any, config: FeedbackConfig,
                 metrics: FeedbackMetrics | None = None):
        self.db_url = storage.check_database(db_url)
        self._tokenizer = tokenizer
        self._config = config
        self._metrics = metrics
        self.thresholds = DriftThresholds(js=config.drift_js_threshold, psi=config.drift_psi_threshold)

    def _db(self) -> storage.Connection:
        return storage.connect(self.db_url, busy_timeout_ms=30_000, autocommit=True)

    def windows(self) -> list[Windows]:
        """Per adapter with enough answers: its first and last `drift_window` answers (disjoint)."""
        db = self._db()
        try:
            out = []
            for (domain,) in db.execute("SELECT DISTINCT domain FROM responses ORDER BY domain").fetchall():
                total = db.execute("SELECT COUNT(*) FROM responses WHERE domain = ?", [domain]).fetchone()[0]
                size = min(self._config.drift_window, total // 2)
                if size < self._config.drift_min_answers:
                    continue
                first = db.execute(_SQL + "ORDER BY r.created_at, r.rowid LIMIT ?", [domain, size]).fetchall()
                last = db.execute(_SQL + "ORDER BY r.created_at DESC, r.rowid DESC LIMIT ?", [domain, size]).fetchall()
                out.append(Windows(adapter=domain or "base", reference=first, recent=last[::-1]))
            return out
        finally:
            db.close()

    def measure(self, w: Windows, logprobs: tuple[float, float] | None = None) -> dict[str, float | None]:
        """The drift metrics of one adapter's windows (logprobs: reference and recent means, if scored)."""
        encode = self._tokenizer.encode
        ref_tokens = [encode(_last_user_text(r[0]), add_special_tokens=False) for r in w.reference]
        cur_tokens = [encode(_last_user_text(r[0]), add_special_tokens=False) for r in w.recent]
        ups, downs = sum(r[4] or 0 for r in w.recent), sum(r[5] or 0 for r in w.recent)
        regenerated = sum(1 for r in w.recent if r[6])
        return {
            "prompt_js": js_excess(ref_tokens, cur_tokens, len(self._tokenizer)),
            "prompt_length_psi": psi([r[1] for r in w.reference], [r[1] for r in w.recent]),
            "answer_length_psi": psi([r[2] for r in w.reference], [r[2] for r in w.recent]),
            # Needs routed requests (the router issue); until then the metric exists with no data.
            "low_confidence_rate": None,
            "thumbs_down_rate": rate(downs, ups + downs),
            "regenerate_rate": rate(regenerated, len(w.recent)),
            "logprob_drop": (logprobs[0] - logprobs[1]) if logprobs else None,
        }

    def record(self, w: Windows, values: dict[str, float | None], now: float | None = None) -> list[str]:
        """Store a snapshot (and an event per crossed metric), update the gauges; returns the crossed names."""
        now = now or time.time()
        over = crossed(values, self.thresholds)
        db = self._db()
        try:
            with write_transaction(db):
                storage.insert_rows(db, "drift_snapshots", [
                    {"adapter": w.adapter, "metric": m, "value": values[m], "threshold": threshold_for(m, self.thresholds),
                     "crossed": int(m in over), "reference_answers": len(w.reference),
                     "recent_answers": len(w.recent), "created_at": now} for m in DRIFT_METRICS])
                storage.insert_rows(db, "drift_events", [
                    {"adapter": w.adapter, "metric": m, "value": values[m],
                     "threshold": threshold_for(m, self.thresholds), "created_at": now} for m in over])
        finally:
            db.close()
        if self._metrics:
            self._metrics.observe_drift(w.adapter, values, over)
        return over

    async def snapshot(self, score: LogprobScorer | None = None) -> dict[str, dict[str, float | None]]:
        """Measure and record every adapter with enough data; the engine scores log-probs when given."""
        results = {}
        for w in await asyncio.to_thread(self.windows):
            logprobs = None
            if score and self._config.drift_logprob_samples:
                k = self._config.drift_logprob_samples
                prompts = [[self._tokenizer.encode(_last_user_text(r[0]), add_special_tokens=False) or [0]
                            for r in rows[:k]] for rows in (w.reference, w.recent)]
                ref, cur = await score(prompts[0]), await score(prompts[1])
                logprobs = (sum(ref) / len(ref), sum(cur) / len(cur))
            values = await asyncio.to_thread(self.measure, w, logprobs)
            await asyncio.to_thread(self.record, w, values)
            results[w.adapter] = values
        return results


def hf_logprob_scorer(model_dir: str | Path) -> LogprobScorer:
    """Scores prompts under the base model with transformers, on a worker thread (for offline snapshots)."""
    import torch
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32).eval()

    def score_all(prompts: Sequence[Sequence[int]]) -> list[float]:
        out = []
        with torch.inference_mode():
            for ids in prompts:
                if len(ids) < 2:
                    continue
                x = torch.tensor([list(ids)])
                logprobs = model(input_ids=x).logits[0, :-1].log_softmax(-1)
                out.append(logprobs.gather(1, x[0, 1:, None]).mean().item())
        return out or [0.0]

    async def score(prompts: Sequence[Sequence[int]]) -> list[float]:
        return await asyncio.to_thread(score_all, prompts)

    return score


def plot_history(db: storage.Connection, path: Path) -> int:
    """A PNG with one panel per drift metric: each adapter's value over time, the threshold dashed."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = db.execute("SELECT adapter, metric, value, threshold, created_at FROM drift_snapshots "
                      "WHERE value IS NOT NULL ORDER BY created_at").fetchall()
    fig, axes = plt.subplots(len(DRIFT_METRICS), 1, figsize=(8, 2.2 * len(DRIFT_METRICS)), sharex=True)
    for ax, metric in zip(axes, DRIFT_METRICS):
        series = [r for r in rows if r[1] == metric]
        for adapter in sorted({r[0] for r in series}):
            points = [r for r in series if r[0] == adapter]
            ax.plot([(r[4] - rows[0][4]) / 60 for r in points], [r[2] for r in points], marker="o", label=adapter)
        if series:
            ax.axhline(series[-1][3], linestyle="--", color="grey", linewidth=1)
            ax.legend(fontsize=7, loc="upper left")
        else:
            ax.text(0.5, 0.5, "no data", ha="center", va="center", transform=ax.transAxes, color="grey")
            ax.set_yticks([])
        ax.set_ylabel(metric, fontsize=8)
    axes[-1].set_xlabel("minutes since the first snapshot")
    fig.suptitle("loraloop drift (dashed: threshold)")
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    return len(rows)


def latest_snapshot(db: storage.Connection) -> list[dict[str, Any]]:
    """The newest snapshot's rows (adapter, metric, value, threshold, crossed) by adapter; [] before the first."""
    latest = db.execute("SELECT MAX(created_at) FROM drift_snapshots").fetchone()[0]
    if latest is None:
        return []
    rows = db.execute("SELECT adapter, metric, value, threshold, crossed FROM drift_snapshots WHERE created_at = ? "
                      "ORDER BY adapter, id", [latest]).fetchall()
    return [dict(zip(("adapter", "metric", "value", "threshold", "crossed"), row)) for row in rows]
