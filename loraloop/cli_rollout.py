"""`loraloop rollout status|start|pause|resume|promote|rollback`: canary rollouts over Admin.GetRollout/SetRollout."""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
from typing import Any

from loraloop.cli_args import UsageError, add_client_flags, client_for
from loraloop.router.rollout_model import ACTIONS

__all__ = ["format_rollout", "register"]


def register(sub: Any) -> None:
    """Add the `rollout` command and its subcommands."""
    rollout = sub.add_parser("rollout", help="canary rollouts: status, start, pause, resume, promote, rollback")
    rollout_sub = rollout.add_subparsers(dest="rollout_command", required=True)
    status = rollout_sub.add_parser("status", help="each domain's rollout: versions, weight, arm counts, transitions")
    status.add_argument("--domain", default="", help="one domain; default: every domain with a rollout")
    status.add_argument("--events", type=int, default=10, help="recent transitions to show per rollout")
    status.add_argument("--json", action="store_true", help="print JSON instead of a table")
    for action in ACTIONS:
        cmd = rollout_sub.add_parser(action, help=f"{action} a domain's canary")
        cmd.add_argument("domain", help="the domain whose canary this acts on, e.g. medical")
        cmd.add_argument("--reason", default="", help="recorded with the transition")
        if action == "start":
            cmd.add_argument("--version", type=int, default=0, help="canary version; 0 = the newest published")
            cmd.add_argument("--schedule", default="", help="canary weights in percent, e.g. 5,25,50,100")
            cmd.add_argument("--min-rated", type=int, default=0, help="rated answers per arm before a step advances")
    for cmd in [status, *(rollout_sub.choices[a] for a in ACTIONS)]:
        add_client_flags(cmd, admin=True)
        cmd.set_defaults(handler=_run)


def _schedule(text: str) -> list[float]:
    try:
        return [float(x) for x in text.split(",") if x.strip()]
    except ValueError as e:
        raise UsageError(f"--schedule: {text!r} is not a comma-separated list of percentages") from e


def _run(args: argparse.Namespace) -> None:
    asyncio.run(_call(args))


async def _call(args: argparse.Namespace) -> None:
    from google.protobuf.json_format import MessageToDict

    extra = {}
    if args.rollout_command == "start":  # flag errors first, before anything is sent
        extra = dict(canary_version=args.version, schedule=_schedule(args.schedule), min_rated_per_step=args.min_rated)
    async with client_for(args) as client:
        if args.rollout_command == "status":
            rollouts = await client.get_rollout(args.domain, events=args.events)
        else:
            rollouts = [await client.set_rollout(args.domain, args.rollout_command, reason=args.reason, **extra)]
    if getattr(args, "json", False):
        print(json.dumps([MessageToDict(r, preserving_proto_field_name=True) for r in rollouts], indent=2))
        return
    if not rollouts:
        print("no rollouts" + (f" for {args.domain!r}" if args.domain else ""))
    for rollout in rollouts:
        print(format_rollout(rollout))


def _when(stamp: float) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")


def format_rollout(rollout: Any) -> str:
    """A rollout as a few readable lines: versions, weight and step, per-arm counts, recent transitions."""
    schedule = " → ".join(f"{w:g}" for w in rollout.schedule)
    lines = [f"{rollout.domain}: v{rollout.stable_version} (stable) vs v{rollout.canary_version} (canary)  "
             f"{rollout.status}  weight {rollout.weight:g}%  step {rollout.step + 1}/{len(rollout.schedule)} "
             f"[{schedule}]  id {rollout.id}"]
    lines.append(f"  {'arm':<7} {'version':>7} {'answers':>8} {'rated':>6} {'up':>5} {'down':>5} {'regen':>6} "
                 f"{'errors':>6} {'p95 s':>7}")
    for arm in rollout.arms:
        lines.append(f"  {arm.arm:<7} {'v' + str(arm.version):>7} {arm.answers:>8} {arm.rated:>6} {arm.thumbs_up:>5} "
                     f"{arm.thumbs_down:>5} {arm.regenerate:>6} {arm.errors:>6} {arm.p95_latency_s:>7.3f}")
    for event in rollout.events:
        lines.append(f"  {_when(event.created_at)}  {event.decision:<12} {event.from_weight:g}% → "
                     f"{event.to_weight:g}%  by {event.actor or 'controller'}  {event.reason}")
    return "\n".join(lines)
