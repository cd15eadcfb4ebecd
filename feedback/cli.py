"""`loraloop feedback pairs|export|stats|drift`: preference pairs, TRL exports, rates and drift from the feedback store.

The queries live in the storage layer (PairBuilder, export, drift); this module parses flags and prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from loraloop.cli_args import UsageError, add_database_flag, given_database, since_flag

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the `feedback` command and its subcommands."""
    feedback = sub.add_parser("feedback", help="preference pairs, exports and stats from the feedback store")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    for name, help_text, handler in (
            ("pairs", "build preference pairs and KTO labels from new signals", _pairs),
            ("export", "write pairs or labels as JSONL for TRL", _export),
            ("stats", "per adapter version: answers, signals and rates", _stats),
            ("drift", "latest drift snapshot per adapter, and a PNG of each metric over time", _drift)):
        cmd = feedback_sub.add_parser(name, help=help_text)
        add_database_flag(cmd)
        if name == "export":
            cmd.add_argument("--adapter", required=True, help="domain whose data to export, e.g. medical")
            cmd.add_argument("--format", required=True, choices=("dpo", "kto", "sft"), help="TRL dataset shape")
            cmd.add_argument("--since", default=None, help="only rows created at or after this ISO date/time")
            cmd.add_argument("--out", required=True, help="JSONL file to write")
        if name == "pairs":
            cmd.add_argument("--client-keys", default="", metavar="NAMES",
                             help="comma-separated API key names: only their answers and feedback become training "
                                  "data (default: every client's); see `loraloop keys list`")
        if name == "drift":
            cmd.add_argument("--png", default=None, help="write the history chart here")
            cmd.add_argument("--compute", metavar="MODEL_DIR", default=None,
                             help="take a snapshot now with this base model's tokenizer and log-probs")
        cmd.set_defaults(handler=handler)


def _open(args: argparse.Namespace) -> Any:
    """The feedback store: --db-url (a usage error when it is not there), else the default (a failure when absent)."""
    from loraloop.config import FeedbackConfig
    from loraloop.errors import FailedPrecondition
    from loraloop.feedback.store import FeedbackStore

    target = given_database(args)
    if target is None:
        path = FeedbackConfig().db_file()
        if not path.is_file():
            raise FailedPrecondition(f"no feedback database at {path} yet (pass --db-url, or let the server create it)")
        target = str(path)
    return FeedbackStore(target, busy_timeout_ms=30_000)  # waits out the server's writes


def _pairs(args: argparse.Namespace) -> None:
    from loraloop.feedback.pairs import PairBuilder

    store = _open(args)
    try:
        report = PairBuilder(store.db, client_keys=_key_names(args.client_keys)).build()
    finally:
        store.close()
    print(f"groups re-judged: {report.groups}, pairs added: {report.pairs_added}, "
          f"pairs overruled: {report.pairs_removed}, labels: {report.labels}")


def _key_names(text: str) -> tuple[str, ...]:
    from loraloop.api_keys import KEY_NAME_PATTERN

    names = tuple(n.strip() for n in text.split(",") if n.strip())
    bad = [n for n in names if not KEY_NAME_PATTERN.fullmatch(n)]
    if bad:
        raise UsageError(f"--client-keys: {bad[0]!r} is not a key name")
    return names


def _export(args: argparse.Namespace) -> None:
    from loraloop.feedback.export import export_rows, write_jsonl

    since = since_flag(args.since)
    store = _open(args)
    try:
        n = write_jsonl(export_rows(store.db, domain=args.adapter, fmt=args.format, since=since), Path(args.out))
    finally:
        store.close()
    print(f"wrote {n} {args.format} rows for {args.adapter!r} to {args.out}")


def _stats(args: argparse.Namespace) -> None:
    from loraloop.feedback.export import stats

    store = _open(args)
    try:
        for row in stats(store.db):
            print(json.dumps(row, ensure_ascii=False))
    finally:
        store.close()


def _drift(args: argparse.Namespace) -> None:
    from loraloop.errors import FailedPrecondition
    from loraloop.feedback.drift import latest_snapshot, plot_history

    store = _open(args)
    try:
        if args.compute:
            _snapshot_now(store.target, args.compute)
        rows = latest_snapshot(store.db)
        if not rows:
            raise FailedPrecondition(f"no drift snapshots in {store.path} yet "
                                     "(run with --compute, or let the server take them)")
        for row in rows:
            shown = "no data" if row["value"] is None else f"{row['value']:.4f}"
            print(f"{row['adapter']:<10} {row['metric']:<20} {shown:>10}  threshold {row['threshold']:<6} "
                  f"{'CROSSED' if row['crossed'] else ''}")
        if args.png:
            plot_history(store.db, Path(args.png))
            print(f"chart: {args.png}")
    finally:
        store.close()


def _snapshot_now(db_url: str, model_dir: str) -> None:
    from transformers import AutoTokenizer

    from loraloop.config import FeedbackConfig
    from loraloop.feedback.drift import DriftMonitor, hf_logprob_scorer

    monitor = DriftMonitor(db_url, AutoTokenizer.from_pretrained(model_dir), FeedbackConfig())
    asyncio.run(monitor.snapshot(hf_logprob_scorer(model_dir)))
