"""The server's intent router: loaded at start (trained from the demo corpus when missing), reloaded on demand."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.config import RouterConfig
from loraloop.errors import RouterError
from loraloop.router.metrics import RouteMetrics
from loraloop.serve.routing import Decision, IntentRoute

__all__ = ["IntentRoutes", "RouterReload"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class RouterReload:
    """What Admin.ReloadRouter reports: the router now serving and where it came from."""

    domains: tuple[str, ...]
    path: Path
    min_confidence: float


class IntentRoutes:
    """Owns the live IntentRouter: Admin.ReloadRouter swaps it whole, or keeps the old one when loading fails.

    The request router holds this object, not the IntentRouter inside it, so a reload reaches every request
    that starts after it without anyone rewiring the request router.
    """

    def __init__(self, config: RouterConfig, metrics: RouteMetrics):
        self.config = config
        self.router: Any = None
        self._metrics = metrics

    def route(self, messages: Sequence[dict[str, str]]) -> IntentRoute:
        """The live router's route for a conversation."""
        return self.router.route(messages)

    async def load(self) -> None:
        """The router file, or a router trained from the demo corpus and saved there when there is none."""
        from loraloop.router.intent import ensure_router

        self.router = await asyncio.to_thread(ensure_router, self.config)
        log.info("intent router: %s (domains %s)", self.config.router_file(), ", ".join(self.router.domains))

    async def reload(self) -> RouterReload:
        """Load the router file again; a missing or broken file raises RouterError and the old router stays."""
        from loraloop.router.intent import IntentRouter

        path = self.config.router_file()
        try:
            router = await asyncio.to_thread(IntentRouter.load, path, self.config)
        except RouterError:
            raise
        except Exception as e:
            raise RouterError(f"cannot load the router from {path}: {e}") from e
        self.router = router
        log.info("intent router reloaded from %s (domains %s)", path, ", ".join(router.domains))
        return RouterReload(domains=tuple(router.domains), path=path, min_confidence=self.config.min_confidence)

    def observe(self, decision: Decision) -> None:
        """Count a request the router decided (requests that named an adapter are not counted)."""
        if decision.routed:
            self._metrics.observe(decision.route_domain or "general", decision.route_confidence,
                                  decision.low_confidence)
