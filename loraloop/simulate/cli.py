"""`loraloop simulate`: simulated users drive feedback -> retrain -> canary -> promotion (or rollback), then a report."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
from typing import Any

from loraloop.cli_args import UsageError, add_config_flags, usage_errors

__all__ = ["register"]

_ATTACH = ("target", "feedback_db", "adapter_store")
_FLAG = {"target": "--target", "feedback_db": "--db-url", "adapter_store": "--adapter-store"}


def register(sub: Any) -> None:
    """Add the `simulate` command."""
    from loraloop.config import RolloutConfig, SimulateConfig

    cmd = sub.add_parser("simulate", help="simulated users close the loop: feedback, retrain, canary, report",
                         description=__doc__)
    cmd.add_argument("--fast", action="store_true", help="CI profile: few users, short answers, short schedule, "
                                                         "fast controller ticks (flags given still win)")
    add_config_flags(cmd, SimulateConfig)
    add_config_flags(cmd, RolloutConfig, prefix="rollout_")
    attach = cmd.add_argument_group("attach to a running server instead of starting one (all three together)")
    attach.add_argument("--target", default=None, help="server host:port")
    attach.add_argument("--db-url", "--feedback-db", dest="feedback_db", default=None,
                        help="the server's database: a SQLite file or a postgresql:// URL (the daemon reads it)")
    attach.add_argument("--adapter-store", default=None, help="the server's adapter store (the jobs publish into it)")
    attach.add_argument("--model", default="", help="the server's base model directory; default: the demo model")
    attach.add_argument("--admin-token", default=None, help="default: LORALOOP_ADMIN_TOKEN or the server's token file")
    cmd.add_argument("--demo-home", default="", help="cache root of the demo model build")
    cmd.set_defaults(handler=_run)


def _given(args: argparse.Namespace, config_cls: type, prefix: str = "") -> dict[str, Any]:
    return {f.name: getattr(args, prefix + f.name) for f in dataclasses.fields(config_cls)
            if getattr(args, prefix + f.name, None) is not None}


def configs_from(args: argparse.Namespace):
    """(SimulateConfig, RolloutConfig) from the flags, on top of the --fast profile when given."""
    from loraloop.config import RolloutConfig, SimulateConfig
    from loraloop.simulate.harness import FAST_PROFILE, FAST_ROLLOUT, profile

    with usage_errors():  # a value either config refuses came from a flag
        config = SimulateConfig(**profile(args.fast, _given(args, SimulateConfig), FAST_PROFILE))
        rollout = RolloutConfig(**profile(args.fast, _given(args, RolloutConfig, "rollout_"), FAST_ROLLOUT))
    return config, rollout


def _run(args: argparse.Namespace) -> int:
    from loraloop.config import DemoConfig
    from loraloop.simulate.report import format_report

    config, rollout = configs_from(args)
    attached = [name for name in _ATTACH if getattr(args, name)]
    if attached and len(attached) != len(_ATTACH):
        missing = ", ".join(_FLAG[n] for n in _ATTACH if n not in attached)
        raise UsageError(f"attaching to a server needs --target, --db-url and --adapter-store; missing {missing}")
    if attached:
        report = asyncio.run(_attached(args, config))
    else:
        from loraloop.simulate.harness import run_with_own_server

        with usage_errors():
            demo = DemoConfig(home=args.demo_home)
        report = asyncio.run(run_with_own_server(config, rollout, demo=demo))
    print(format_report(report))
    return 0


async def _attached(args: argparse.Namespace, config):
    from pathlib import Path

    from loraloop.cli_args import admin_token
    from loraloop.config import DemoConfig
    from loraloop.model_paths import resolve_model
    from loraloop.simulate.harness import run_attached, work_dir_for
    from loraloop.simulate.loop import LoopTarget
    from loraloop.storage import is_postgres

    if not is_postgres(args.feedback_db) and not Path(args.feedback_db).is_file():
        raise UsageError(f"--db-url: {args.feedback_db!r} is not a file (the server's feedback database)")
    if not Path(args.adapter_store).is_dir():
        raise UsageError(f"--adapter-store: {args.adapter_store!r} is not a folder")
    with usage_errors():  # --model names a folder that must hold a model; --demo-home a valid cache root
        model_dir, _store = resolve_model(args.model, args.adapter_store, DemoConfig(home=args.demo_home))
    work = work_dir_for(config)
    target = LoopTarget(address=args.target, admin_token=admin_token(args.admin_token), db_url=args.feedback_db,
                        adapter_store=args.adapter_store, model_dir=model_dir, work_dir=str(work))
    return await run_attached(dataclasses.replace(config, work_dir=str(work)), target)
