"""`loraloop keys create|list|revoke` and `loraloop audit`: chat clients' API keys and the operators' audit log.

Both work on the shared database directly, like every replica does, so a key created or revoked here takes
effect on each server at its next refresh (`--api-key-refresh-s`, 2 s by default) with no server call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
from typing import Any

from loraloop.cli_args import UsageError, add_database_flag, given_database, since_flag

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the `keys` and `audit` commands."""
    keys = sub.add_parser("keys", help="API keys of chat clients: create, list, revoke")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True)
    create = keys_sub.add_parser("create", help="create a key and print its secret (shown this once)")
    create.add_argument("name", help="the key's name, recorded with each answer and signal, e.g. web-app")
    create.add_argument("--rate", default=None, metavar="N/s",
                        help="requests per second per server replica, e.g. 20/s (default: no limit)")
    keys_sub.add_parser("list", help="every key: name, limit, created, revoked")
    revoke = keys_sub.add_parser("revoke", help="revoke a key: servers refuse it within seconds")
    revoke.add_argument("name", help="the key to revoke")
    audit = sub.add_parser("audit", help="the audit log of admin actions: who did what, when, with what result")
    audit.add_argument("--since", default=None, help="only rows at or after this ISO date/time")
    audit.add_argument("--action", default="", help="only actions starting with this, e.g. rollout or key.revoke")
    audit.add_argument("--limit", type=int, default=100, help="newest rows to show (default: %(default)s)")
    audit.add_argument("--json", action="store_true", help="one JSON object per line")
    for cmd in (create, keys_sub.choices["list"], revoke, audit):
        add_database_flag(cmd)
        cmd.set_defaults(handler=_run)


def rate_per_s(text: str | None) -> float | None:
    """`--rate`: "20/s", "20" or "0.5/s" as requests per second; None without the flag."""
    if text is None:
        return None
    number = text.strip().removesuffix("/s")
    try:
        value = float(number)
    except ValueError:
        value = math.nan
    if not (value > 0 and math.isfinite(value)):
        raise UsageError(f"--rate={text!r}: expected a positive number of requests per second, e.g. 20/s")
    return value


def _when(stamp: float | None) -> str:
    return dt.datetime.fromtimestamp(stamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S") if stamp else "-"


def _run(args: argparse.Namespace) -> None:
    from loraloop.config import FeedbackConfig
    from loraloop.feedback.schema import open_database

    if args.command == "audit" and args.limit < 1:
        raise UsageError(f"--limit={args.limit}: expected >= 1")
    rate = rate_per_s(args.rate) if getattr(args, "keys_command", "") == "create" else None
    since = since_flag(args.since) if args.command == "audit" else 0.0
    path = given_database(args, must_exist=False) or FeedbackConfig().database()
    conn = open_database(path, busy_timeout_ms=30_000)  # waits out the servers' writes
    try:
        if args.command == "audit":
            _print_audit(conn, args, since)
        else:
            _keys(conn, args, rate)
    finally:
        conn.close()


def _keys(conn: Any, args: argparse.Namespace, rate: float | None) -> None:
    from loraloop import api_keys, audit

    actor = audit.cli_actor()
    if args.keys_command == "list":
        keys = api_keys.list_keys(conn)
        if not keys:
            print("no keys: the servers on this database accept chat calls without one")
        for key in keys:
            limit = f"{key.rate_per_s:g}/s" if key.rate_per_s else "no limit"
            state = f"revoked {_when(key.revoked_at)}" if key.revoked_at else "active"
            print(f"{key.name:<24} {limit:<10} created {_when(key.created_at)} by {key.created_by:<24} {state}")
        return
    if args.keys_command == "create":
        key, secret = api_keys.create_key(conn, args.name, rate_per_s=rate, created_by=actor)
        audit.record(conn, actor=actor, action="key.create", target=key.name, arguments={"rate_per_s": rate},
                     detail="the first key turns API keys on" if len(api_keys.list_keys(conn)) == 1 else "")
        print(secret)  # stdout carries only the secret, for `KEY=$(loraloop keys create app)`
        import sys

        print(f"created key {key.name!r} ({f'{rate:g}/s' if rate else 'no limit'}); store the secret now, it is not "
              "shown again", file=sys.stderr)
        return
    key = api_keys.revoke_key(conn, args.name)
    audit.record(conn, actor=actor, action="key.revoke", target=key.name, arguments={})
    print(f"revoked key {key.name!r}; servers refuse it after their next refresh")


def _print_audit(conn: Any, args: argparse.Namespace, since: float) -> None:
    from loraloop import audit

    entries = audit.read_entries(conn, since=since, action=args.action, limit=args.limit)
    if args.json:
        for e in entries:
            print(json.dumps({"id": e.id, "created_at": e.created_at, "actor": e.actor, "action": e.action,
                              "target": e.target, "arguments": e.arguments, "result": e.result, "detail": e.detail},
                             ensure_ascii=False))
        return
    if not entries:
        print("no audit rows" + (f" for {args.action!r}" if args.action else ""))
    for e in entries:
        detail = f"  {e.detail}" if e.detail else ""
        print(f"{_when(e.created_at)}  {e.actor:<36} {e.action:<18} {e.target:<16} {e.result:<20}"
              f"{json.dumps(e.arguments, ensure_ascii=False, sort_keys=True)}{detail}")
