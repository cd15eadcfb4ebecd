"""Helpers every `loraloop` subcommand shares: flags generated from config dataclasses, usage errors, the admin token."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import types
import typing
from collections.abc import Iterator, Sequence
from typing import Any

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "UsageError", "add_client_flags", "add_config_flags",
           "add_database_flag", "admin_token", "client_for", "config_from", "given_database", "since_flag", "usage_errors"]

# Exit codes of every `loraloop` command; loraloop.cli.exit_code_for says which error gets which.
EXIT_OK = 0
EXIT_FAILED = 1  # the command ran and failed: a server refused, no data yet, a job published nothing
EXIT_USAGE = 2  # the command line is wrong; argparse exits 2 for its own errors too


class UsageError(ValueError):
    """The command line is wrong (a flag value, a file it names, a config value): `loraloop` exits 2."""


@contextlib.contextmanager
def usage_errors(*kinds: type[BaseException]) -> Iterator[None]:
    """Re-raise the given exceptions (default: ValueError) from the block as UsageError, keeping the message."""
    caught = kinds or (ValueError,)
    try:
        yield
    except UsageError:
        raise
    except caught as e:
        raise UsageError(str(e)) from e


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


def add_database_flag(parser: argparse.ArgumentParser) -> None:
    """`--db-url` (alias `--db`): the shared database a command opens directly."""
    from loraloop.settings import DATABASE_HELP

    parser.add_argument("--db-url", "--db", dest="db", default=None, metavar="DB", help=DATABASE_HELP)


def given_database(args: argparse.Namespace, *, must_exist: bool = True) -> str | None:
    """The database `--db-url` names (None when not given); a SQLite file that is not there is a UsageError
    when `must_exist` (a command that only reads), and is created otherwise.

    A Postgres URL is taken as it is: whether the server answers shows when the command connects.
    """
    if not args.db:
        return None
    from loraloop.storage import database_path, is_postgres

    if is_postgres(args.db):
        return args.db
    with usage_errors(ValueError):
        path = database_path(args.db)
    if must_exist and not path.is_file():
        raise UsageError(f"--db-url: no database file at {path}")
    return str(path)


def config_from(args: argparse.Namespace, config_cls: type, prefix: str = "", **overrides: Any) -> Any:
    """The config dataclass from the flags that were given, plus overrides; defaults for the rest.

    A value the config refuses (its `__post_init__` ValueError) came from the command line: a UsageError.
    """
    values = {f.name: getattr(args, prefix + f.name) for f in dataclasses.fields(config_cls)
              if getattr(args, prefix + f.name, None) is not None}
    with usage_errors(ValueError):
        return config_cls(**{**values, **overrides})


def admin_token(explicit: str | None, *, look_up: bool = True) -> str:
    """The Admin bearer token: the flag, else LORALOOP_ADMIN_TOKEN, else the local server's token file.

    `look_up=False` (a command that will not call the server) takes the flag alone, and "" without one.
    """
    if explicit or not look_up:
        return explicit or ""
    if os.environ.get("LORALOOP_ADMIN_TOKEN"):
        return os.environ["LORALOOP_ADMIN_TOKEN"]
    from loraloop.config import ServeConfig

    path = ServeConfig().admin_token_file()
    return path.read_text().strip() if path.exists() else ""


def add_client_flags(parser: argparse.ArgumentParser, *, admin: bool) -> None:
    """The flags of a command that talks to a server: where, over TLS with which files, and its credentials."""
    parser.add_argument("--target", default="127.0.0.1:50051", help="server address host:port")
    parser.add_argument("--tls-ca", default="", help="PEM CA that signed the server's certificate: connect over TLS "
                                                     "(default: plaintext, unless --tls-cert is given)")
    parser.add_argument("--tls-cert", default="", help="PEM client certificate, for a server that requires mTLS")
    parser.add_argument("--tls-key", default="", help="PEM private key of --tls-cert")
    if admin:
        parser.add_argument("--admin-token", default=None, help="default: LORALOOP_ADMIN_TOKEN or the server's token file")
    else:
        parser.add_argument("--api-key", default=None, help="API key for a server that requires one "
                                                            "(default: LORALOOP_API_KEY)")


def client_for(args: argparse.Namespace, **options: Any) -> Any:
    """A LoraloopClient from `add_client_flags`' flags; bad TLS files are a UsageError naming the file."""
    import getpass

    from loraloop.client import LoraloopClient
    from loraloop.tls import load_client_tls

    with usage_errors():
        tls = load_client_tls(args.tls_ca, args.tls_cert, args.tls_key, prefix="--tls-")
    if tls is None and args.target.startswith("https://"):
        raise UsageError(f"--target={args.target!r}: expected host:port (give --tls-ca for TLS)")
    if hasattr(args, "admin_token"):
        try:
            operator = getpass.getuser()
        except (KeyError, OSError):
            operator = ""
        return LoraloopClient(args.target, admin_token=admin_token(args.admin_token), tls=tls, operator=operator,
                              **options)
    return LoraloopClient(args.target, api_key=args.api_key or os.environ.get("LORALOOP_API_KEY", ""), tls=tls,
                          **options)


def since_flag(text: str | None) -> float:
    """A `--since` value (an ISO date or date-time, UTC unless it says otherwise) as epoch seconds; 0 without one."""
    import datetime as dt

    if not text:
        return 0.0
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError as e:
        raise UsageError(f"--since: {text!r} is not an ISO date or date-time") from e
    return (stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)).timestamp()
