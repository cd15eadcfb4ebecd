"""The loop closes: `loraloop simulate --fast --sabotage` through a real server, feedback store, retrain daemon
and rollout controller (its own server on a copy of the demo store, as the command runs it; nothing mocked).

One run (concise users of `finance`, seed 0) is shared by the tests: the daemon's DPO job publishes v2,
the server's controller canaries and promotes it, and it measurably suits the users better on held-out
prompts they never asked; then a sabotage version (SFT on the answers the users rejected) is canaried and
the guardrails roll it back at its first (25 %) step while the promoted version keeps serving.
"""

from __future__ import annotations

import pytest

from loraloop.cli import build_parser
from loraloop.simulate.cli import configs_from
from loraloop.simulate.harness import run_with_own_server
from tests.conftest import demo_config

DOMAIN = "finance"
# v2's mean concise score (in [0, 1]) on the held-out prompts must beat v1's by at least this. v1 scores
# about 0.53 there (answers of ~85 characters); --fast runs measured v2 at +0.051 (DPO on 497 pairs),
# +0.063 (1,020 pairs) and +0.071 (952 pairs, at most 4 per chosen answer: the profile and builder now).
MARGIN = 0.04


@pytest.fixture(scope="module")
async def simulation(demo_model, tmp_path_factory):
    work = tmp_path_factory.mktemp("simulate") / "run"
    args = build_parser().parse_args(["simulate", "--fast", "--sabotage", "--domain", DOMAIN, "--preference", "concise",
                                 "--seed", "0", "--work-dir", str(work)])
    config, rollout = configs_from(args)
    return await run_with_own_server(config, rollout, demo=demo_config(), say=print)


def _rollout(report, kind):
    found = [r for r in report.rollouts if r.kind == kind]
    assert found, (kind, report.jobs, report.notes)
    return found[0]


def test_retrained_version_is_promoted_and_suits_the_users_better(simulation):
    report = simulation
    published = [j for j in report.jobs if j["kind"] == "retrain" and j["outcome"] == "published"]
    assert len(published) == 1, report.jobs
    job = published[0]
    assert job["method"] == "dpo" and job["pairs"] >= 800  # the --fast trigger
    rollout = _rollout(report, "retrain")
    assert (rollout.stable_version, rollout.canary_version) == (report.initial_version, job["version"])
    assert rollout.status == "promoted", rollout.events
    decisions = [e["decision"] for e in rollout.events]
    assert decisions[0] == "start" and decisions[-1] == "promote" and "rollback" not in decisions
    assert "not worse" in rollout.events[-1]["reason"]
    old, new = f"{DOMAIN}@v{report.initial_version}", f"{DOMAIN}@v{job['version']}"
    # Measured with the users' own preference on held-out prompts no user asked (seeded samples, same seeds).
    assert report.eval_scores[new] >= report.eval_scores[old] + MARGIN, report.eval_scores
    # And it suited them better while it served them (hidden score of every served answer, rated or not).
    assert report.stats(new).mean_score > report.stats(old).mean_score
    assert report.events_until_promotion and report.events_until_promotion > 0
    assert report.pairs_total >= job["pairs"]
    assert report.chart.endswith(".png")


def test_sabotage_is_rolled_back_at_25_percent_and_the_stable_version_keeps_serving(simulation):
    report = simulation
    promoted = _rollout(report, "retrain").canary_version
    rollout = _rollout(report, "sabotage")
    assert rollout.stable_version == promoted
    assert rollout.status == "rolled_back", rollout.events
    assert max(max(e["from_weight"], e["to_weight"]) for e in rollout.events) <= 25.0
    rollback = next(e for e in rollout.events if e["decision"] == "rollback")
    assert "guardrail" in rollback["reason"] or "sequential test" in rollback["reason"]
    assert 0 < rollout.canary_users < report.config["users"]  # some users saw it, not all
    bad = f"{DOMAIN}@v{rollout.canary_version}"
    assert report.final_version == rollout.stable_version
    # The stable version kept serving: after the rollback no simulated user was answered by the bad version.
    rolled_at = next(p.round for p in report.timeline if p.phase in ("sabotage", "after")
                     and p.rollout_status == "rolled_back")
    assert any(p.round > rolled_at for p in report.timeline)
    assert all(bad not in p.thumbs for p in report.timeline if p.round > rolled_at)
    assert report.eval_scores[bad] < report.eval_scores[f"{DOMAIN}@v{rollout.stable_version}"]
