"""`loraloop serve`: the gRPC server on the demo model or a local base, every config field a flag."""

from __future__ import annotations

import argparse
import asyncio
from typing import Any

from loraloop.cli_args import add_config_flags, config_from, usage_errors

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the `serve` command."""
    from loraloop.config import FeedbackConfig, RolloutConfig, RouterConfig, ServeConfig

    serve = sub.add_parser("serve", help="run the gRPC server (the demo model when --model is not given)")
    add_config_flags(serve, ServeConfig)
    add_config_flags(serve, FeedbackConfig)
    add_config_flags(serve, RouterConfig, prefix="router_")
    add_config_flags(serve, RolloutConfig, prefix="rollout_")
    serve.add_argument("--demo-home", default=None, help="cache root of the demo model build")
    serve.set_defaults(handler=_serve)


def _check_machine(config: Any, demo: Any) -> None:
    """Refuse what the flags ask and this machine cannot do as usage errors, before the slow start."""
    from loraloop.model_paths import resolve_model
    from loraloop.serve.engine import check_servable, resolve_device
    from loraloop.tls import load_server_tls

    with usage_errors():
        load_server_tls(config.tls_cert, config.tls_key, config.tls_client_ca)  # create_server checks again at start
        device = resolve_device(config)
        if config.model:  # the demo's bases (int8, fp32) run anywhere; a named base may need a GPU or AVX-512
            model_dir, _store = resolve_model(config.model, config.adapter_store, demo, demo_base=config.demo_base)
            check_servable(config, model_dir, device)


def _serve(args: argparse.Namespace) -> None:
    from loraloop.config import DemoConfig, FeedbackConfig, RolloutConfig, RouterConfig, ServeConfig
    from loraloop.serve.server import serve

    config = config_from(args, ServeConfig)
    with usage_errors():
        demo = DemoConfig(home=args.demo_home or "")
    feedback = config_from(args, FeedbackConfig)
    router = config_from(args, RouterConfig, prefix="router_")
    rollout = config_from(args, RolloutConfig, prefix="rollout_")
    _check_machine(config, demo)
    asyncio.run(serve(config, demo, feedback, router, rollout))
