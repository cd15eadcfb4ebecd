"""`loraloop router train|eval|route`: train the intent router, score it on held-out data, try it on a conversation."""

from __future__ import annotations

import argparse
import functools
import json
from collections.abc import Callable
from typing import Any

from loraloop.cli_args import add_config_flags, config_from, usage_errors
from loraloop.config import RouterConfig
from loraloop.errors import RouterError

__all__ = ["register"]


def register(subparsers: Any) -> None:
    """Add the `router` command and its subcommands."""
    router = subparsers.add_parser("router", help="intent router: train, eval, route")
    sub = router.add_subparsers(dest="router_command", required=True)

    train = sub.add_parser("train", help="train on the training split, report on the held-out split, save")
    train.add_argument("--data", default=None, help="labeled JSONL or YAML file (default: the demo corpus)")
    train.add_argument("--out", default=None, help="router file to write (default: <home>/router/router.joblib)")
    train.set_defaults(handler=_input_errors(_train))

    evaluate = sub.add_parser("eval", help="per-domain precision / recall / F1 and the confusion matrix, held-out data")
    evaluate.add_argument("--data", default=None, help="labeled JSONL or YAML file (default: the demo corpus)")
    evaluate.add_argument("--router", default=None, help="router file (default: <home>/router/router.joblib)")
    evaluate.set_defaults(handler=_input_errors(_eval))

    route = sub.add_parser("route", help="route a conversation: each argument is one user turn, oldest first")
    route.add_argument("turns", nargs="+", help="user turns")
    route.add_argument("--router", default=None, help="router file (default: <home>/router/router.joblib)")
    route.set_defaults(handler=_input_errors(_route))

    for cmd in (train, evaluate, route):
        cmd.add_argument("--json", action="store_true", help="print JSON instead of tables")
        add_config_flags(cmd, RouterConfig, skip=("path",))


def _input_errors(handler: Callable[[argparse.Namespace], None]) -> Callable[[argparse.Namespace], None]:
    """The handler, with a RouterError (a router or data file these commands name is missing or bad) a usage error."""
    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> None:
        with usage_errors(RouterError):
            handler(args)
    return run


def _config(args: argparse.Namespace, path: str | None) -> RouterConfig:
    return config_from(args, RouterConfig, path=path or "")


def _data(args: argparse.Namespace, config: RouterConfig):
    from loraloop.router.training_data import demo_data, load_data

    return load_data(args.data, config) if args.data else demo_data(config)


def _train(args: argparse.Namespace) -> None:
    from loraloop.router.evaluation import format_report
    from loraloop.router.training import train_router

    config = _config(args, args.out)
    data = _data(args, config)
    router, report = train_router(data, config)
    path = router.save(config.router_file())
    meta = router.metadata
    if args.json:
        print(json.dumps({"path": str(path), "domains": list(router.domains), "metadata": meta,
                          "heldout": report.to_dict() if report else None}, ensure_ascii=False))
        return
    print(f"trained on {meta['train_examples']} examples from {data.source} "
          f"(domains: {', '.join(router.domains)}) in {meta['train_seconds']:.1f} s")
    if report is None:
        print("no held-out cases: nothing to evaluate")
    else:
        print(format_report(report))
        print(f"held-out macro-F1: {report.macro_f1:.3f}")
    print(f"saved: {path}")


def _eval(args: argparse.Namespace) -> None:
    from loraloop.router.evaluation import evaluate, format_report
    from loraloop.router.intent import IntentRouter

    config = _config(args, args.router)
    router = IntentRouter.load(config.router_file(), config)
    data = _data(args, config)
    if not data.heldout:
        raise RouterError(f"{data.source}: no held-out cases to evaluate on")
    report = evaluate(router, data.heldout)
    if args.json:
        print(json.dumps({"router": str(config.router_file()), "data": data.source, **report.to_dict()},
                         ensure_ascii=False))
        return
    unknown = sorted(set(data.domains) - set(router.domains))
    print(f"router {config.router_file()} on the held-out split of {data.source}")
    if unknown:
        print(f"note: the router has no class for {unknown}; those cases cannot be routed right")
    print(format_report(report))


def _route(args: argparse.Namespace) -> None:
    from loraloop.router.intent import IntentRouter

    config = _config(args, args.router)
    router = IntentRouter.load(config.router_file(), config)
    route = router.route([{"role": "user", "content": turn} for turn in args.turns])
    scores = router.scores(args.turns[-1])
    if args.json:
        print(json.dumps({"domain": route.domain, "confidence": route.confidence, "fallback": route.fallback,
                          "latest_turn_scores": scores}, ensure_ascii=False))
        return
    fallback = ", fallback to the base model" if route.fallback else ""
    print(f"{route.domain} (confidence {route.confidence:.3f}{fallback})")
    print("latest turn alone: " + ", ".join(f"{d} {p:.3f}" for d, p in sorted(scores.items(), key=lambda kv: -kv[1])))

