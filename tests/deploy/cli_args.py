"""Check that the commands written in deploy files parse with the real `loraloop` CLI."""

from __future__ import annotations

import argparse
import contextlib
import io
import re
from collections.abc import Mapping, Sequence

__all__ = ["expand", "parse_loraloop", "parse_retrain_daemon", "subcommands"]


def expand(text: str, values: Mapping[str, str]) -> str:
    """Compose-style ${NAME}, ${NAME:-default}, ${NAME:?error} and $$, and Kubernetes-style $(NAME), from `values`.

    A required (`:?`) variable missing from `values` raises KeyError, as `docker compose` refuses to start.
    """
    def compose(match: re.Match) -> str:
        name, op, rest = match.group(1), match.group(2) or "", match.group(3)
        if name in values:
            return values[name]
        if op.endswith("?"):
            raise KeyError(f"${{{name}}} is required: {rest}")
        return rest if op.endswith("-") else ""

    text = re.sub(r"\$\{(\w+)(?:(:?[-?])([^}]*))?\}", compose, text)
    text = re.sub(r"\$\((\w+)\)", lambda m: values.get(m.group(1), m.group(0)), text)
    return text.replace("$$", "$")


def _parser() -> argparse.ArgumentParser:
    from loraloop import cli

    return cli.build_parser()


def subcommands() -> set[str]:
    """Top-level commands the CLI has."""
    action = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return set(action.choices)


def parse_loraloop(argv: Sequence[str]) -> tuple[argparse.Namespace | None, str]:
    """(namespace, "") when argv parses as `loraloop ARGV`, else (None, argparse's error message)."""
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            return _parser().parse_args(list(argv)), ""
    except SystemExit:
        return None, err.getvalue().strip().splitlines()[-1] if err.getvalue().strip() else "exit"


def parse_retrain_daemon(argv: Sequence[str]) -> tuple[argparse.Namespace | None, str]:
    """Like parse_loraloop, for a `loraloop retrain daemon ARGS` command line."""
    assert list(argv[:2]) == ["retrain", "daemon"], argv
    return parse_loraloop(argv)
