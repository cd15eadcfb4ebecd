"""The `loraloop` command: one parser built from every command module's `register`, and the exit-code rule.

Each module in COMMAND_MODULES has `register(subparsers)`, which adds its commands and sets `handler` (a
function of the parsed args that returns an exit code or None) on each one; main() runs the chosen handler.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from loraloop.cli_args import EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["COMMAND_MODULES", "build_parser", "exit_code_for", "main"]

log = logging.getLogger(__name__)

# In `loraloop --help` order.
COMMAND_MODULES: tuple[str, ...] = (
    "loraloop.cli_serve", "loraloop.demo.cli", "loraloop.cli_chat", "loraloop.cli_adapters", "loraloop.feedback.cli",
    "loraloop.cli_rollout", "loraloop.router.cli", "loraloop.retrain.cli", "loraloop.simulate.cli",
    "loraloop.cli_access",
)
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def build_parser() -> argparse.ArgumentParser:
    """The `loraloop` parser with every command module's subcommands registered."""
    parser = argparse.ArgumentParser(prog="loraloop", description="Serve LoRA adapters with vLLM, collect feedback, "
                                                                  "retrain and roll out new versions.")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging (and the traceback of an error)")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    return parser


def exit_code_for(error: BaseException) -> int | None:
    """2 for a usage error, 1 for a runtime failure, None for anything else (a bug: its traceback is shown).

    Usage: the command line is wrong (UsageError, which config and flag checks raise, and InvalidArgument).
    Runtime: the command was right but failed (a server refused, no data yet, a file or database unreadable).
    """
    import grpc

    from loraloop.errors import InvalidArgument, LoraloopError

    if isinstance(error, UsageError | InvalidArgument):
        return EXIT_USAGE
    if isinstance(error, LoraloopError | grpc.RpcError | ValueError | OSError):
        return EXIT_FAILED
    return None


def _one_line(error: BaseException) -> str:
    import grpc

    if isinstance(error, grpc.RpcError) and hasattr(error, "code"):  # the status name and the server's message
        text = f"{error.code().name}: {error.details() or ''}"
    else:
        text = str(error) or type(error).__name__
    return " ".join(text.splitlines())


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `loraloop` console script; returns the exit code."""
    args = build_parser().parse_args(argv)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return args.handler(args) or EXIT_OK
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as e:
        code = exit_code_for(e)
        if code is None:
            raise
        log.debug("%s:", type(e).__name__, exc_info=True)
        print(f"loraloop: error: {_one_line(e)}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
