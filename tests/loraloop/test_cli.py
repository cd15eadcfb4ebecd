"""The `loraloop` parser as a whole: every command documented and handled, the exit-code rule, the admin token."""

from __future__ import annotations

import argparse

import grpc
import pytest

from loraloop.cli import build_parser, exit_code_for, main
from loraloop.cli_args import EXIT_FAILED, EXIT_USAGE, UsageError, admin_token, config_from
from loraloop.config import RouterConfig
from loraloop.errors import AdapterNotFound, FailedPrecondition, InvalidArgument, RouterError


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """(path, parser, help) of every command below `parser`; help is the text `loraloop ... --help` lists."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help for a in action._choices_actions}
            for name, sub in action.choices.items():
                yield (*path, name), sub, helps.get(name)
                yield from _commands(sub, (*path, name))


def _is_leaf(parser: argparse.ArgumentParser) -> bool:
    return not any(isinstance(a, argparse._SubParsersAction) for a in parser._actions)


def test_every_command_has_help_and_every_leaf_a_handler_and_documented_flags():
    commands = list(_commands(build_parser()))
    names = {" ".join(path) for path, _, _ in commands}
    assert {"serve", "demo build", "chat", "adapters publish", "feedback drift", "rollout start", "router train",
            "retrain daemon", "simulate"} <= names
    for path, parser, help_text in commands:
        assert help_text, f"`loraloop {' '.join(path)}` has no help"
        if not _is_leaf(parser):
            assert parser.get_default("handler") is None, path  # a group only says which command comes next
            continue
        assert callable(parser.get_default("handler")), f"`loraloop {' '.join(path)}` has no handler"
        for action in parser._actions:
            if not isinstance(action, argparse._HelpAction):
                assert action.help, f"`loraloop {' '.join(path)}`: {action.option_strings or action.dest} has no help"
        assert parser.format_help().startswith(f"usage: loraloop {' '.join(path)}")


@pytest.mark.parametrize("error, code", [
    (UsageError("--since: 'yesterday' is not an ISO date"), EXIT_USAGE),
    (InvalidArgument("method", "'rlhf' is not a retraining method"), EXIT_USAGE),
    (FailedPrecondition("no drift snapshots yet"), EXIT_FAILED),
    (AdapterNotFound("adapter astrology@v1 not found"), EXIT_FAILED),
    (RouterError("r.joblib: no router file"), EXIT_FAILED),  # a usage error only where a router command names it
    (ValueError("a value a running command met"), EXIT_FAILED),
    (OSError(28, "No space left on device"), EXIT_FAILED),
    (grpc.RpcError(), EXIT_FAILED),
    (RuntimeError("a bug"), None),  # not an expected failure: main lets its traceback through
    (KeyError("x"), None),
])
def test_the_exit_code_rule(error, code):
    assert exit_code_for(error) == code


def test_a_value_a_config_refuses_is_a_usage_error_naming_the_field():
    args = argparse.Namespace(min_confidence=2.0)
    with pytest.raises(UsageError, match=r"^min_confidence=2\.0"):
        config_from(args, RouterConfig)


def test_usage_error_exits_2_with_one_line(capsys, tmp_path):
    code = main(["adapters", "publish", "medical", str(tmp_path), "--store", str(tmp_path / "store")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("loraloop: error: source: ") and err.count("\n") == 1


def test_runtime_failure_exits_1_with_one_line(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("LORALOOP_HOME", str(tmp_path))  # no server has created the default database here
    code = main(["feedback", "stats"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("loraloop: error: no feedback database at ") and err.count("\n") == 1


def test_a_bug_is_not_hidden_behind_one_line(monkeypatch):
    import loraloop.cli_chat as chat

    def broken(_args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(chat, "_run", broken)
    with pytest.raises(RuntimeError, match="a bug"):
        main(["chat", "hello"])


def test_admin_token_flag_then_environment_then_the_servers_token_file(monkeypatch, tmp_path):
    monkeypatch.setenv("LORALOOP_HOME", str(tmp_path))
    monkeypatch.delenv("LORALOOP_ADMIN_TOKEN", raising=False)
    assert admin_token(None) == ""
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "admin_token").write_text("from-the-file\n")
    assert admin_token(None) == "from-the-file"
    monkeypatch.setenv("LORALOOP_ADMIN_TOKEN", "from-the-environment")
    assert admin_token(None) == "from-the-environment"
    assert admin_token("from-the-flag") == "from-the-flag"
    # A command that will not call the server looks nothing up.
    assert admin_token(None, look_up=False) == "" and admin_token("from-the-flag", look_up=False) == "from-the-flag"
