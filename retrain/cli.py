"""`loraloop retrain run|pending|daemon|guard-check`: one job now, the pairs waiting, the daemon that runs jobs on
triggers, or a check of guard files before a job mixes them in."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import sys
import threading
from typing import Any

from loraloop.cli_args import EXIT_FAILED, add_config_flags, admin_token, config_from, usage_errors
from loraloop.config import RETRAIN_METHODS, RetrainConfig, RetrainDaemonConfig
from loraloop.retrain.outcomes import PUBLISHED

__all__ = ["EXIT_JOB_FAILED", "add_daemon_flags", "register", "run_daemon_command"]

log = logging.getLogger(__name__)

EXIT_JOB_FAILED = EXIT_FAILED  # the job ran and published nothing (gate, too few pairs, crash, kill); bad input exits 2


def register(subparsers: Any) -> None:
    """Add `retrain` and its subcommands to the `loraloop` parser."""
    retrain = subparsers.add_parser("retrain", help="train, evaluate and publish new adapter versions from feedback")
    sub = retrain.add_subparsers(dest="retrain_command", required=True)
    run = sub.add_parser("run", help="run one job now: snapshot, train, gate, publish, tell the server")
    run.add_argument("--domain", required=True, help="domain to retrain, e.g. medical")
    run.add_argument("--method", required=True, help=f"one of {', '.join(RETRAIN_METHODS)}")
    add_config_flags(run, RetrainConfig)
    run.set_defaults(handler=_run)
    pending = sub.add_parser("pending", help="new preference pairs since the domain's current version trained")
    pending.add_argument("--domain", required=True, help="domain to count for, e.g. medical")
    add_config_flags(pending, RetrainConfig)
    pending.set_defaults(handler=_pending)
    daemon = sub.add_parser("daemon", help="run jobs when a domain's trigger fires (schedule, new pairs, drift)")
    add_daemon_flags(daemon)
    daemon.set_defaults(handler=run_daemon_command)
    guard = sub.add_parser("guard-check", help="check guard files (loraloop/guard/README.md) beside the shipped set")
    guard.add_argument("files", nargs="*", metavar="FILE", help="JSONL guard files; none = check the shipped set alone")
    guard.set_defaults(handler=_guard_check)


def add_daemon_flags(parser: argparse.ArgumentParser) -> None:
    """Add every RetrainDaemonConfig flag and every RetrainConfig flag whose name the daemon does not use."""
    add_config_flags(parser, RetrainDaemonConfig)
    own = {f.name for f in dataclasses.fields(RetrainDaemonConfig)}
    add_config_flags(parser, RetrainConfig, skip=[f.name for f in dataclasses.fields(RetrainConfig) if f.name in own])


def _config(args: argparse.Namespace) -> RetrainConfig:
    # A job calls the server only to load what it published (--server-target); only then is a token looked up.
    token = admin_token(args.admin_token, look_up=bool(getattr(args, "server_target", None)))
    return config_from(args, RetrainConfig, admin_token=token)


class _Progress:
    """Prints job progress to stderr; step lines overwrite each other on a terminal (a one-line progress bar)."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.open = False
        self.lock = threading.Lock()

    def __call__(self, text: str) -> None:
        with self.lock:
            step = ": step " in text
            if self.tty and step:
                sys.stderr.write("\r\033[K" + text)
                self.open = True
            else:
                sys.stderr.write(("\n" if self.open else "") + text + "\n")
                self.open = False
            sys.stderr.flush()

    def close(self) -> None:
        if self.open:
            sys.stderr.write("\n")


def _run(args: argparse.Namespace) -> int:
    from loraloop.retrain.jobs import run_job

    config = _config(args)
    progress = _Progress()
    cancel = threading.Event()
    try:
        result = run_job(args.domain, args.method, config, on_progress=progress, cancel=cancel)
    except KeyboardInterrupt:
        cancel.set()  # run_job stops the worker group before it re-raises
        raise
    finally:
        progress.close()
    shown = " ".join(f"{k}={v:.4g}" for k, v in sorted(result.metrics.items()))
    print(f"{result.outcome}: {result.reason} [{result.duration_s:.0f}s, {result.pairs} rows]")
    if shown:
        print(f"metrics: {shown}")
    return 0 if result.outcome == PUBLISHED else EXIT_JOB_FAILED


def _pending(args: argparse.Namespace) -> int:
    from loraloop.retrain.jobs import pending_pairs

    print(pending_pairs(_config(args), args.domain))
    return 0


def _guard_check(args: argparse.Namespace) -> int:
    from collections import Counter

    from loraloop.guard import load_guard_set

    with usage_errors():  # a bad file named on the command line: one line naming file, line and field, exit 2
        guard = load_guard_set(args.files)
    by_file = Counter((c.source.rpartition(":")[0], c.split) for c in guard.cases)
    for name in dict.fromkeys(c.source.rpartition(":")[0] for c in guard.cases):
        print(f"{name}: {by_file[(name, 'train')]} train, {by_file[(name, 'heldout')]} held out")
    print(f"ok: {len(guard.cases)} cases, digest {guard.digest[:12]}")
    return 0


def run_daemon_command(args: argparse.Namespace, *, runner: Any = None, pending: Any = None) -> None:
    """Handler of `loraloop retrain daemon`: build both configs from the flags `add_daemon_flags` added, serve
    /metrics, poll until SIGTERM/SIGINT (or max_runs). Bad flags raise UsageError (a ValueError) naming the field."""
    from loraloop.guard import load_guard_set
    from loraloop.guard.refusal import refusal_detector
    from loraloop.retrain.daemon import RetrainDaemon, run_until_signalled

    daemon_config, retrain = config_from(args, RetrainDaemonConfig), _config(args)
    with usage_errors():  # the watched domains and their overrides, checked against the adapter store
        daemon = RetrainDaemon(daemon_config, retrain, runner=runner, pending=pending)
        load_guard_set(retrain.guard_files)  # a bad guard file would fail every job: refuse to start instead
        refusal_detector(retrain.refusal_patterns, retrain.refusal_detector)  # so would a refusal hook that won't import
    port = daemon.serve_metrics()
    if port is not None:
        log.info("retrain daemon: metrics on http://%s:%d/metrics", daemon.config.metrics_host, port)
    try:
        run_until_signalled(daemon)
    finally:
        daemon.close()
    log.info("retrain daemon: stopped after %d job(s) (%d crashed)", daemon.finished, daemon.crashed)
