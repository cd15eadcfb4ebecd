"""`loraloop retrain run|pending|daemon`: one job now, the pairs waiting, or the daemon that runs jobs on triggers."""

from __future__ import annotations

import argparse
import sys
import threading
from typing import Any

from loraloop.cli_args import add_config_flags, admin_token, config_from
from loraloop.config import RETRAIN_METHODS, RetrainConfig

__all__ = ["EXIT_JOB_FAILED", "register"]

EXIT_JOB_FAILED = 1  # the job ran and published nothing (gate, too few pairs, crash, kill); bad input exits 2


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
    pending.add_argument("--domain", required=True)
    add_config_flags(pending, RetrainConfig)
    pending.set_defaults(handler=_pending)
    try:  # the daemon is its own module; leave the subcommand out if it is not installed
        from loraloop.retrain.daemon import add_daemon_flags
    except ImportError:
        return
    daemon = sub.add_parser("daemon", help="run jobs when a domain's trigger fires (schedule, new pairs, drift)")
    add_daemon_flags(daemon)
    daemon.set_defaults(handler=_daemon)


def _config(args: argparse.Namespace) -> RetrainConfig:
    # Like `loraloop adapters load`: the flag, else LORALOOP_ADMIN_TOKEN, else the local server's token file.
    token = admin_token(args.admin_token) if getattr(args, "server_target", None) else (args.admin_token or "")
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
    return 0 if result.outcome == "published" else EXIT_JOB_FAILED


def _pending(args: argparse.Namespace) -> int:
    from loraloop.retrain.jobs import pending_pairs

    print(pending_pairs(_config(args), args.domain))
    return 0


def _daemon(args: argparse.Namespace) -> Any:
    from loraloop.retrain.daemon import run_daemon_command

    return run_daemon_command(args)
