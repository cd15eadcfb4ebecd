"""`loraloop simulate --target …` attaches to a running server: its users' answers and signals land in that
server's feedback store, and the report counts what the store holds."""

from __future__ import annotations

import asyncio
import json
import sqlite3

from loraloop.cli import build_parser
from loraloop.simulate.cli import _attached, configs_from
from tests.conftest import ADMIN_TOKEN, demo_config

DOMAIN = "legal"


def _stored(db_url: str, prefix: str) -> tuple[int, int]:
    conn = sqlite3.connect(db_url, timeout=30)
    try:
        answers = conn.execute("SELECT COUNT(*) FROM responses WHERE user_id LIKE ?", [prefix + "%"]).fetchone()[0]
        signals = conn.execute("SELECT COUNT(*) FROM signals s JOIN responses r ON r.id = s.response_id "
                               "WHERE r.user_id LIKE ? AND s.kind IN ('THUMBS_UP', 'THUMBS_DOWN')",
                               [prefix + "%"]).fetchone()[0]
        return answers, signals
    finally:
        conn.close()


async def test_attached_run_writes_its_feedback_into_the_servers_store(server, feedback_config, adapter_store,
                                                                       demo_model, tmp_path):
    args = build_parser().parse_args([
        "simulate", "--target", f"127.0.0.1:{server.port}", "--db-url", feedback_config.db_url,
        "--adapter-store", str(adapter_store), "--admin-token", ADMIN_TOKEN, "--model", str(demo_model.model_dir),
        "--demo-home", demo_config().home, "--domain", DOMAIN, "--no-retrain", "--users", "6", "--max-rounds", "2",
        "--rate-prob", "1.0", "--eval-samples", "1", "--seed", "7", "--work-dir", str(tmp_path / "run")])
    config, _rollout = configs_from(args)
    report = await _attached(args, config)

    answers = sum(v.answers for v in report.versions)
    assert report.rounds == 2 and answers >= 2 * 6  # every user asked once a round, some regenerated or followed up
    assert report.jobs == [] and report.rollouts == []  # --no-retrain: nothing trained or canaried
    assert report.initial_version == report.final_version
    rated = sum(v.rated for v in report.versions)
    assert rated == answers  # --rate-prob 1: every answer rated
    prefix = f"sim7-{DOMAIN}-"
    for _ in range(100):  # the server's feedback writer commits in batches
        stored = _stored(feedback_config.db_url, prefix)
        if stored == (answers, rated):
            break
        await asyncio.sleep(0.1)
    assert stored == (answers, rated)
    saved = json.loads((tmp_path / "run" / "report.json").read_text())
    assert saved["rounds"] == 2 and (tmp_path / "run" / "simulate.png").stat().st_size > 0
    assert f"{DOMAIN}@v{report.initial_version}" in report.eval_scores
