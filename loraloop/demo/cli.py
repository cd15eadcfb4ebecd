"""`loraloop demo build`: build (or reuse) the built-in demo model and its adapters."""

from __future__ import annotations

import argparse
from typing import Any

from loraloop.cli_args import add_config_flags, config_from

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the `demo` command and its `build` subcommand."""
    from loraloop.config import DemoConfig

    demo = sub.add_parser("demo", help="the built-in demo model")
    demo_sub = demo.add_subparsers(dest="demo_command", required=True)
    build = demo_sub.add_parser("build", help="build (or reuse) the demo model and its adapters")
    add_config_flags(build, DemoConfig)
    build.add_argument("--force", action="store_true", help="rebuild even when cached")
    build.set_defaults(handler=_build)


def _build(args: argparse.Namespace) -> None:
    from loraloop.config import DemoConfig
    from loraloop.demo.build import build_demo

    built = build_demo(config_from(args, DemoConfig), force=args.force)
    print(f"model: {built.model_dir}\nadapters: {built.adapter_store}")
