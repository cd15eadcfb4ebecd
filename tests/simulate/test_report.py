"""Report math: Wilson intervals against published values, per-version stats, the text and the chart."""

from __future__ import annotations

import pytest

from loraloop.simulate.report import RolloutRecord, RoundPoint, SimReport, format_report, save_chart, version_stats, wilson_interval


@pytest.mark.parametrize("successes, trials, low, high", [
    # Newcombe (1998), Statistics in Medicine 17:857, table I (95 %, Wilson score without continuity correction)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
    # and the textbook 8 of 10
    (8, 10, 0.4902, 0.9433),
])
def test_wilson_interval_matches_published_values(successes, trials, low, high):
    got = wilson_interval(successes, trials)
    assert got == pytest.approx((low, high), abs=6e-5)


def test_wilson_interval_edges_and_bad_input():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    assert wilson_interval(10, 10)[1] == pytest.approx(1.0) and wilson_interval(0, 10)[0] == 0.0
    for bad in ((3, 2), (-1, 5), (1, -1)):
        with pytest.raises(ValueError, match="successes"):
            wilson_interval(*bad)


def _answers():
    rows = [dict(adapter="finance@v1", user=f"u{i % 4}", thumbs=t, score=0.25) for i, t in enumerate([1, -1, -1, 0, 0, 1])]
    rows += [dict(adapter="finance@v2", user="u9", thumbs=1, score=0.75) for _ in range(3)]
    return rows


def test_version_stats_count_rated_answers_and_distinct_users():
    v1, v2 = version_stats(_answers())
    assert (v1.adapter, v1.answers, v1.users, v1.rated, v1.thumbs_up) == ("finance@v1", 6, 4, 4, 2)
    assert v1.thumbs_up_rate == 0.5 and v1.mean_score == pytest.approx(0.25)
    assert (v2.users, v2.rated, v2.thumbs_up_rate) == (1, 3, 1.0)


def test_report_text_and_chart(tmp_path):
    timeline = [RoundPoint(round=i, phase="collect" if i < 2 else "canary", elapsed_s=10.0 * i, answers_total=10 * i,
                           events_total=5 * i, thumbs={"finance@v1": (2, 5), "finance@v2": (4, 5)} if i >= 2
                           else {"finance@v1": (2, 5)}, canary_weight=[0, 0, 25, 50, 0][i],
                           rollout_status="running") for i in range(5)]
    rollout = RolloutRecord(id="finance-v2-x", kind="retrain", stable_version=1, canary_version=2, status="promoted",
                            schedule=(25.0, 50.0, 100.0), canary_users=7, canary_answers=30,
                            events=({"decision": "start", "from_weight": 0.0, "to_weight": 25.0, "reason": "operator",
                                     "created_at": 1000.0},
                                    {"decision": "promote", "from_weight": 50.0, "to_weight": 100.0,
                                     "reason": "not worse", "created_at": 1040.0}))
    report = SimReport(config={"_started_at": 1000.0}, domain="finance", preference="concise", initial_version=1,
                       final_version=2, wall_s=50.0, rounds=5, versions=version_stats(_answers()), timeline=timeline,
                       rollouts=[rollout], jobs=[{"kind": "retrain", "method": "dpo", "outcome": "published",
                                                  "version": 2, "pairs": 40, "reason": "published finance@v2",
                                                  "duration_s": 60.0}],
                       pairs_total=55, eval_scores={"finance@v1": 0.3, "finance@v2": 0.6}, eval_prompts=13,
                       events_until_promotion=123, answers_until_promotion=300)
    text = format_report(report)
    assert "finance@v1" in text and "[" in text and "promote" in text and "7 users saw the canary" in text
    assert "123 feedback events" in text and "on 40 pairs" in text and "55" in text
    png = save_chart(report, tmp_path / "chart.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5000
    assert '"thumbs_up_rate": 0.5' in report.to_json()
