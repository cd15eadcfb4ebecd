"""uvicorn serving the HTTP frontend on the gRPC server's own asyncio loop (one process, one loop, one core).

`uvicorn.Server.serve()` installs its own SIGINT/SIGTERM handlers, which would take shutdown away from
`loraloop serve`; so this runs the same three public steps serve() runs (startup, main_loop, shutdown) and
leaves signals to the caller.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

__all__ = ["HttpServer"]


class HttpServer:
    """One uvicorn server on an already running loop; `start` returns the bound port (0 picks a free one)."""

    def __init__(self, app: FastAPI, host: str, port: int, *, grace_s: float, tls: dict[str, Any] | None = None):
        # tls: uvicorn's ssl_* options (loraloop.tls.ServerTls.uvicorn_options); None serves plain HTTP.
        self._config = uvicorn.Config(app, host=host, port=port, lifespan="off", access_log=False,
                                      log_level="warning", timeout_graceful_shutdown=max(grace_s, 0.1), **(tls or {}))
        self._server = uvicorn.Server(self._config)
        self._socket: socket.socket | None = None
        self._task: asyncio.Task | None = None

    async def start(self) -> int:
        """Bind, start accepting, and return the port."""
        family = socket.AF_INET6 if ":" in self._config.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self._config.host, self._config.port))
        sock.set_inheritable(True)
        self._socket = sock
        self._config.load()
        self._server.lifespan = self._config.lifespan_class(self._config)
        await self._server.startup(sockets=[sock])
        self._task = asyncio.create_task(self._server.main_loop())
        return sock.getsockname()[1]

    async def stop(self) -> None:
        """Stop accepting, let open responses finish (up to the grace period), close."""
        if self._task is None:
            return
        self._server.should_exit = True
        await self._task
        await self._server.shutdown(sockets=[self._socket] if self._socket else None)
        self._task = None
