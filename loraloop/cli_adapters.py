"""`loraloop adapters list|load|unload|publish`: a server's adapter versions, and publishing into a store."""

from __future__ import annotations

import argparse
import asyncio
import functools
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from loraloop.cli_args import add_client_flags, client_for

__all__ = ["register"]

AdminCall = Callable[[Any, argparse.Namespace], Awaitable[list[Any]]]  # (client, args) -> the AdapterInfos to print


def register(sub: Any) -> None:
    """Add the `adapters` command and its subcommands."""
    adapters = sub.add_parser("adapters", help="list, load, unload or publish adapter versions")
    adapters_sub = adapters.add_subparsers(dest="adapters_command", required=True)
    for name, help_text, call in (("list", "versions the server knows", _list), ("load", "Admin.LoadAdapter", _load),
                                  ("unload", "Admin.UnloadAdapter", _unload)):
        cmd = adapters_sub.add_parser(name, help=help_text)
        add_client_flags(cmd, admin=name != "list")
        if name != "list":
            cmd.add_argument("adapter", help="'medical@v2' (load also takes 'medical': the newest version)")
        if name == "load":
            cmd.add_argument("--keep-active", action="store_true", help="load and pin without making it active")
        cmd.set_defaults(handler=functools.partial(_admin, call))
    publish = adapters_sub.add_parser("publish", help="publish a PEFT adapter folder as a domain's next version")
    publish.add_argument("domain", help="domain to publish under, e.g. medical")
    publish.add_argument("source", help="folder with adapter_config.json and adapter_model.safetensors")
    publish.add_argument("--store", required=True, help="adapter store root")
    publish.add_argument("--method", default="manual", help="recorded in loraloop.json")
    publish.set_defaults(handler=_publish)


async def _list(client: Any, _args: argparse.Namespace) -> list[Any]:
    listing = await client.list_adapters_response()
    print(f"base quantization: {listing.base_quantization or 'none'}")
    return list(listing.adapters)


async def _load(client: Any, args: argparse.Namespace) -> list[Any]:
    return [await client.load_adapter(args.adapter, keep_active=args.keep_active)]


async def _unload(client: Any, args: argparse.Namespace) -> list[Any]:
    return [await client.unload_adapter(args.adapter)]


def _admin(call: AdminCall, args: argparse.Namespace) -> None:
    asyncio.run(_print_infos(call, args))


async def _print_infos(call: AdminCall, args: argparse.Namespace) -> None:
    async with client_for(args) as client:
        infos = await call(client, args)
    for info in infos:
        flags = ",".join(n for n in ("active", "loaded", "pinned") if getattr(info, n)) or "-"
        print(f"{info.ref:<20} {flags:<22} rank={info.rank:<3} method={info.method or '-':<8} "
              f"lora_id={info.lora_id} in_flight={info.in_flight}")


def _publish(args: argparse.Namespace) -> None:
    from loraloop.adapters import AdapterStore

    ref = AdapterStore(args.store).publish(args.domain, Path(args.source), {"method": args.method})
    print(f"published {ref.key} at {ref.path}")
