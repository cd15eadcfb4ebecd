"""`loraloop simulate` bad input: one line on stderr, exit 2, nothing started."""

from __future__ import annotations

import pytest

from loraloop.cli import main


@pytest.mark.parametrize("argv, message", [
    (["--preference", "verbose"], "preference='verbose'"),
    (["--preference", "dislike:"], "preference='dislike:'"),
    (["--users", "0"], "users=0"),
    (["--canary-schedule", "50,20,100"], "canary_schedule="),
    (["--canary-schedule", "5,25"], "canary_schedule="),
    (["--rate-prob", "1.5"], "rate_prob=1.5"),
    (["--domain", "general"], "domain='general'"),
    (["--method", "rlhf"], "method='rlhf'"),
    (["--train-beta", "0"], "train_beta=0"),
    (["--fast", "--rollout-guardrail-min-answers", "0"], "guardrail_min_answers=0"),
    (["--target", "127.0.0.1:1"], "missing --db-url, --adapter-store"),
    (["--target", "127.0.0.1:1", "--feedback-db", "/nonexistent/fb.sqlite", "--adapter-store", "/tmp"],
     "--db-url: '/nonexistent/fb.sqlite' is not a file"),
])
def test_bad_input_exits_2_with_one_line(argv, message, capsys):
    assert main(["simulate", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("loraloop: error: ") and message in err and "\n" not in err


def test_fast_profile_defaults_yield_to_given_flags():
    from loraloop.cli import build_parser
    from loraloop.simulate.cli import configs_from

    config, rollout = configs_from(build_parser().parse_args(["simulate", "--fast", "--users", "7"]))
    assert config.users == 7 and config.canary_schedule == (25.0, 50.0, 100.0) and rollout.tick_interval_s == 0.5
    config, rollout = configs_from(build_parser().parse_args(["simulate"]))
    assert config.users == 160 and rollout.tick_interval_s == 30.0
