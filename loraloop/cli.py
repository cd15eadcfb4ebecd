"""The `loraloop` command: serve, demo build, chat and adapter administration."""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from loraloop.cli_args import add_config_flags, admin_token, config_from

__all__ = ["main"]

# Packages that add their own subcommands: each has register(subparsers), and the commands it adds
# set `handler` (a function of the parsed args) through set_defaults.
COMMAND_MODULES: tuple[str, ...] = ("loraloop.cli_rollout", "loraloop.router.cli", "loraloop.retrain.cli",
                                   "loraloop.simulate.cli")

EXIT_USAGE = 2
EXIT_FAILED = 1


def _parser() -> argparse.ArgumentParser:
    from loraloop.config import DemoConfig, FeedbackConfig, RolloutConfig, RouterConfig, ServeConfig

    parser = argparse.ArgumentParser(prog="loraloop", description=__doc__)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the gRPC server (the demo model when --model is not given)")
    add_config_flags(serve, ServeConfig)
    add_config_flags(serve, FeedbackConfig)
    add_config_flags(serve, RouterConfig, prefix="router_")
    add_config_flags(serve, RolloutConfig, prefix="rollout_")
    serve.add_argument("--demo-home", default=None, help="cache root of the demo model build")

    demo = sub.add_parser("demo", help="the built-in demo model")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    build = demo_sub.add_parser("build", help="build (or reuse) the demo model and its adapters")
    add_config_flags(build, DemoConfig)
    build.add_argument("--force", action="store_true", help="rebuild even when cached")

    chat = sub.add_parser("chat", help="chat with a running server (one-shot with a message, else interactive)")
    chat.add_argument("message", nargs="?", help="one message to send; omit for an interactive session")
    chat.add_argument("--target", default="127.0.0.1:50051", help="server address host:port")
    chat.add_argument("--adapter", default="", help="'' route, 'base', 'medical' or 'medical@v1'")
    chat.add_argument("--max-tokens", type=int, default=0, help="0 = server default")
    chat.add_argument("--temperature", type=float, default=None, help="0 = greedy")
    chat.add_argument("--seed", type=int, default=None)

    adapters = sub.add_parser("adapters", help="list, load, unload or publish adapter versions")
    adapters_sub = adapters.add_subparsers(dest="adapters_command", required=True)
    for name, help_text in (("list", "versions the server knows"), ("load", "Admin.LoadAdapter"),
                            ("unload", "Admin.UnloadAdapter")):
        cmd = adapters_sub.add_parser(name, help=help_text)
        cmd.add_argument("--target", default="127.0.0.1:50051", help="server address host:port")
        cmd.add_argument("--admin-token", default=None, help="default: LORALOOP_ADMIN_TOKEN or the server's token file")
        if name != "list":
            cmd.add_argument("adapter", help="'medical@v2' (load also takes 'medical': the newest version)")
        if name == "load":
            cmd.add_argument("--keep-active", action="store_true", help="load and pin without making it active")
    publish = adapters_sub.add_parser("publish", help="publish a PEFT adapter folder as a domain's next version")
    publish.add_argument("domain")
    publish.add_argument("source", help="folder with adapter_config.json and adapter_model.safetensors")
    publish.add_argument("--store", required=True, help="adapter store root")
    publish.add_argument("--method", default="manual", help="recorded in loraloop.json")
    feedback = sub.add_parser("feedback", help="preference pairs, exports and stats from the feedback store")
    feedback_sub = feedback.add_subparsers(dest="feedback_command", required=True)
    for name, help_text in (("pairs", "build preference pairs and KTO labels from new signals"),
                            ("export", "write pairs or labels as JSONL for TRL"),
                            ("stats", "per adapter version: answers, signals and rates"),
                            ("drift", "latest drift snapshot per adapter, and a PNG of each metric over time")):
        cmd = feedback_sub.add_parser(name, help=help_text)
        cmd.add_argument("--db", default=None, help="feedback database (default: ~/.cache/loraloop/feedback.sqlite)")
        if name == "export":
            cmd.add_argument("--adapter", required=True, help="domain whose data to export, e.g. medical")
            cmd.add_argument("--format", required=True, choices=("dpo", "kto", "sft"))
            cmd.add_argument("--since", default=None, help="only rows created at or after this ISO date/time")
            cmd.add_argument("--out", required=True, help="JSONL file to write")
        if name == "drift":
            cmd.add_argument("--png", default=None, help="write the history chart here")
            cmd.add_argument("--compute", metavar="MODEL_DIR", default=None,
                             help="take a snapshot now with this base model's tokenizer and log-probs")
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def _feedback(args: argparse.Namespace) -> None:
    import datetime as dt
    import json
    import sqlite3

    from sqlite_utils import Database

    from loraloop.config import FeedbackConfig
    from loraloop.feedback.export import export_rows, stats, write_jsonl
    from loraloop.feedback.pairs import PairBuilder
    from loraloop.feedback.schema import migrate

    path = Path(args.db) if args.db else FeedbackConfig().db_file()
    if not path.is_file():
        raise ValueError(f"--db: no feedback database at {path}")
    db = Database(sqlite3.connect(str(path), timeout=30))
    migrate(db)
    if args.feedback_command == "pairs":
        report = PairBuilder(db).build()
        print(f"groups re-judged: {report.groups}, pairs added: {report.pairs_added}, "
              f"pairs overruled: {report.pairs_removed}, labels: {report.labels}")
    elif args.feedback_command == "export":
        since = 0.0
        if args.since:
            try:
                stamp = dt.datetime.fromisoformat(args.since)
            except ValueError as e:
                raise ValueError(f"--since: {args.since!r} is not an ISO date or date-time") from e
            since = (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).timestamp()
        n = write_jsonl(export_rows(db, domain=args.adapter, fmt=args.format, since=since), Path(args.out))
        print(f"wrote {n} {args.format} rows for {args.adapter!r} to {args.out}")
    elif args.feedback_command == "drift":
        _drift(args, path, db)
    else:
        for row in stats(db):
            print(json.dumps(row, ensure_ascii=False))


def _drift(args: argparse.Namespace, path: Path, db) -> None:
    from loraloop.config import FeedbackConfig
    from loraloop.feedback.drift import DriftMonitor, hf_logprob_scorer, plot_history

    if args.compute:
        from transformers import AutoTokenizer

        monitor = DriftMonitor(path, AutoTokenizer.from_pretrained(args.compute), FeedbackConfig())
        asyncio.run(monitor.snapshot(hf_logprob_scorer(args.compute)))
    latest = db.execute("SELECT MAX(created_at) FROM drift_snapshots").fetchone()[0]
    if latest is None:
        raise ValueError(f"no drift snapshots in {path} yet (run with --compute, or let the server take them)")
    for adapter, metric, value, threshold, crossed in db.execute(
            "SELECT adapter, metric, value, threshold, crossed FROM drift_snapshots WHERE created_at = ? "
            "ORDER BY adapter, id", [latest]):
        shown = "no data" if value is None else f"{value:.4f}"
        print(f"{adapter:<10} {metric:<20} {shown:>10}  threshold {threshold:<6} {'CROSSED' if crossed else ''}")
    if args.png:
        plot_history(db, Path(args.png))
        print(f"chart: {args.png}")


async def _chat(args: argparse.Namespace) -> None:
    from loraloop.client import LoraloopClient

    async with LoraloopClient(args.target) as client:
        options = dict(adapter=args.adapter, max_tokens=args.max_tokens, temperature=args.temperature, seed=args.seed)
        if args.message:
            async for chunk in client.stream(args.message, **options):
                print(chunk.delta, end="", flush=True)
            print()
            return
        history: list[tuple[str, str]] = []
        print(f"chatting with {args.target} (adapter {args.adapter or 'routed'}); Ctrl-D to quit", file=sys.stderr)
        while True:
            try:
                line = input("> ")
            except EOFError:
                return
            if not line.strip():
                continue
            history.append(("user", line))
            parts, used = [], ""
            async for chunk in client.stream(history, **options):
                print(chunk.delta, end="", flush=True)
                parts.append(chunk.delta)
                used = chunk.adapter
            print()
            print(f"  [{used}]", file=sys.stderr)
            history.append(("assistant", "".join(parts)))


async def _adapters(args: argparse.Namespace) -> None:
    from loraloop.client import LoraloopClient

    async with LoraloopClient(args.target, admin_token=admin_token(args.admin_token)) as client:
        if args.adapters_command == "list":
            listing = await client.list_adapters_response()
            print(f"base quantization: {listing.base_quantization or 'none'}")
            infos = list(listing.adapters)
        elif args.adapters_command == "load":
            infos = [await client.load_adapter(args.adapter, keep_active=args.keep_active)]
        else:
            infos = [await client.unload_adapter(args.adapter)]
    for info in infos:
        flags = ",".join(n for n in ("active", "loaded", "pinned") if getattr(info, n)) or "-"
        print(f"{info.ref:<20} {flags:<22} rank={info.rank:<3} method={info.method or '-':<8} "
              f"lora_id={info.lora_id} in_flight={info.in_flight}")


def _run(args: argparse.Namespace) -> int | None:
    from loraloop.config import DemoConfig, FeedbackConfig, RolloutConfig, RouterConfig, ServeConfig

    if getattr(args, "handler", None) is not None:
        return args.handler(args)  # a handler may return an exit code (e.g. 1: the job ran and failed)
    elif args.command == "serve":
        from loraloop.serve.server import serve

        config = config_from(args, ServeConfig)
        demo = DemoConfig(home=args.demo_home or "")
        asyncio.run(serve(config, demo, config_from(args, FeedbackConfig),
                          config_from(args, RouterConfig, prefix="router_"),
                          config_from(args, RolloutConfig, prefix="rollout_")))
    elif args.command == "demo":
        from loraloop.demo import build_demo

        built = build_demo(config_from(args, DemoConfig), force=args.force)
        print(f"model: {built.model_dir}\nadapters: {built.adapter_store}")
    elif args.command == "chat":
        asyncio.run(_chat(args))
    elif args.command == "feedback":
        _feedback(args)
    elif args.command == "adapters" and args.adapters_command == "publish":
        from loraloop.adapters import AdapterStore

        ref = AdapterStore(args.store).publish(args.domain, Path(args.source), {"method": args.method})
        print(f"published {ref.key} at {ref.path}")
    else:
        asyncio.run(_adapters(args))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `loraloop` console script; returns the exit code."""
    import grpc

    from loraloop.errors import LoraloopError

    args = _parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        code = _run(args)
    except (ValueError, LoraloopError) as e:
        print(f"loraloop: error: {e}", file=sys.stderr)
        return EXIT_USAGE
    except grpc.RpcError as e:
        print(f"loraloop: error: {e.code().name}: {e.details()}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130
    return code or 0


if __name__ == "__main__":
    sys.exit(main())
