"""Health that tells the truth: the engine core's liveness, polled, turns the server's health NOT_SERVING.

vLLM's `AsyncLLM.check_health()` only reads a flag its output handler sets when the engine core process
dies, so polling it every second or two costs nothing. Without this, gRPC health keeps answering SERVING
while every chat fails, and a supervisor (Kubernetes) never restarts the pod.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

__all__ = ["watch_engine"]

log = logging.getLogger(__name__)


async def watch_engine(check: Callable[[], Awaitable[None]], on_dead: Callable[[BaseException], Awaitable[None]],
                       *, interval_s: float) -> None:
    """Await `check` every `interval_s`; on its first failure await `on_dead(error)` once and return."""
    while True:
        try:
            await check()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.error("the engine core is dead: %s", e)
            await on_dead(e)
            return
        await asyncio.sleep(interval_s)
