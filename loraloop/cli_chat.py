"""`loraloop chat`: one message, or an interactive conversation, with a running server."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from loraloop.cli_args import add_client_flags, client_for

__all__ = ["register"]


def register(sub: Any) -> None:
    """Add the `chat` command."""
    chat = sub.add_parser("chat", help="chat with a running server (one-shot with a message, else interactive)")
    chat.add_argument("message", nargs="?", help="one message to send; omit for an interactive session")
    chat.add_argument("--adapter", default="", help="'' route, 'base', 'medical' or 'medical@v1'")
    chat.add_argument("--max-tokens", type=int, default=0, help="0 = server default")
    chat.add_argument("--temperature", type=float, default=None, help="0 = greedy")
    chat.add_argument("--seed", type=int, default=None, help="sampling seed (default: none)")
    add_client_flags(chat, admin=False)
    chat.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> None:
    asyncio.run(_chat(args))


async def _chat(args: argparse.Namespace) -> None:
    async with client_for(args) as client:
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
