"""Which adapter version answers a request: the client's choice, else the intent router, then the A/B arm."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from loraloop.adapters import AdapterSpec
from loraloop.router.arms import unit_for
from loraloop.serve.validation import ChatCall

__all__ = ["ARM_PINNED", "ARM_STABLE", "Decision", "IntentRoute", "IntentRouterLike", "RequestRouter"]

log = logging.getLogger(__name__)

ARM_STABLE = "stable"
# A client that names a version ("medical@v3") is outside the experiment: its answers must not count for either arm.
ARM_PINNED = "pinned"


class IntentRoute(Protocol):
    """What the intent router says about a conversation."""

    domain: str
    confidence: float
    fallback: bool


class IntentRouterLike(Protocol):
    """Anything that routes a conversation to a domain (the server passes IntentRoutes, which follows reloads)."""

    def route(self, messages: Sequence[dict[str, str]]) -> IntentRoute: ...


class ArmSource(Protocol):
    def arm_for(self, domain: str, unit_id: str) -> tuple[str, int] | None: ...


@dataclass(frozen=True, kw_only=True)
class Decision:
    """The adapter a request gets and why: its arm and the route behind it."""

    spec: AdapterSpec | None   # None = the base model
    arm: str                   # "stable", "canary" or "pinned"
    route_domain: str          # "" when the client named the base model
    route_confidence: float
    routed: bool               # the intent router chose the domain
    low_confidence: bool = False


class RequestRouter:
    """Client choice first; otherwise the intent router; a domain request then gets its user's arm."""

    def __init__(self, *, intent: IntentRouterLike | None, arms: ArmSource | None, serves: Callable[[str], bool]):
        self.intent = intent
        self._arms = arms
        self._serves = serves  # domain -> whether an adapter version serves it (in memory: no disk per request)

    def decide(self, call: ChatCall) -> Decision:
        """The decision for one validated call (pure CPU work: no I/O on the request path)."""
        if call.adapter is not None and call.adapter.version is not None:
            return Decision(spec=call.adapter, arm=ARM_PINNED, route_domain=call.adapter.domain,
                            route_confidence=1.0, routed=False)
        if call.adapter is not None:
            return self._with_arm(call, call.adapter.domain, 1.0, routed=False)
        if not call.routed or self.intent is None:
            return Decision(spec=None, arm=ARM_STABLE, route_domain="", route_confidence=0.0, routed=False)
        route = self.intent.route(call.messages)
        if route.fallback or not self._serves(route.domain):
            # "general", a low-confidence guess, or a domain without an adapter: the base model answers.
            return Decision(spec=None, arm=ARM_STABLE, route_domain=route.domain, route_confidence=route.confidence,
                            routed=True, low_confidence=route.fallback)
        return self._with_arm(call, route.domain, route.confidence, routed=True)

    def _with_arm(self, call: ChatCall, domain: str, confidence: float, *, routed: bool) -> Decision:
        assigned = self._arms.arm_for(domain, unit_for(call.user_id, call.conversation_id)) if self._arms else None
        if assigned is None:
            return Decision(spec=AdapterSpec(domain=domain), arm=ARM_STABLE, route_domain=domain,
                            route_confidence=confidence, routed=routed)
        arm, version = assigned
        return Decision(spec=AdapterSpec(domain=domain, version=version), arm=arm, route_domain=domain,
                        route_confidence=confidence, routed=routed)
