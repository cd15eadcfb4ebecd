"""Helpers every `loraloop` subcommand shares: flags generated from config dataclasses, the admin token."""

from __future__ import annotations

import argparse
import dataclasses
import os
import types
import typing
from collections.abc import Sequence
from typing import Any

__all__ = ["add_config_flags", "admin_token", "config_from"]


def add_config_flags(parser: argparse.ArgumentParser, config_cls: type, skip: Sequence[str] = (),
                     prefix: str = "") -> None:
    """One `--field-name` flag per config field, typed and documented from the dataclass itself.

    `prefix` ("router_") namespaces the flags (`--router-path`) where one command takes several configs.
    """
    hints = typing.get_type_hints(config_cls)
    for f in dataclasses.fields(config_cls):
        if f.name in skip:
            continue
        dest = prefix + f.name
        flag = "--" + dest.replace("_", "-")
        kind = hints[f.name]
        help_text = f"{f.metadata.get('help', '')} (default: {f.default!r})"
        if kind is bool:
            parser.add_argument(flag, dest=dest, action=argparse.BooleanOptionalAction, default=None, help=help_text)
        elif typing.get_origin(kind) is tuple:
            parser.add_argument(flag, dest=dest, default=None, help=help_text + "; comma-separated",
                                type=lambda s: tuple(x for x in s.split(",") if x))
        else:
            args = [a for a in typing.get_args(kind) if a is not type(None)] if isinstance(kind, types.UnionType) else [kind]
            parser.add_argument(flag, dest=dest, default=None, type=args[0], help=help_text)


def config_from(args: argparse.Namespace, config_cls: type, prefix: str = "", **overrides: Any) -> Any:
    """The config dataclass from the flags that were given, plus overrides; defaults for the rest."""
    values = {f.name: getattr(args, prefix + f.name) for f in dataclasses.fields(config_cls)
              if getattr(args, prefix + f.name, None) is not None}
    return config_cls(**{**values, **overrides})


def admin_token(explicit: str | None) -> str:
    """The Admin bearer token: the flag, else LORALOOP_ADMIN_TOKEN, else the local server's token file."""
    from loraloop.config import ServeConfig
    from loraloop.serve.server import admin_token_path

    if explicit:
        return explicit
    if os.environ.get("LORALOOP_ADMIN_TOKEN"):
        return os.environ["LORALOOP_ADMIN_TOKEN"]
    path = admin_token_path(ServeConfig())
    return path.read_text().strip() if path.exists() else ""
