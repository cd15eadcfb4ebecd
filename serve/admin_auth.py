"""Admin authentication as one gRPC server interceptor: every loraloop.v1.Admin call needs the bearer token.

The check runs before the request is even deserialized, so no Admin handler can forget it; the other
services (Chat, health, reflection) pass through untouched. grpc's own `SignatureValidationInterceptor`
example is the model.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

import grpc

from loraloop.v1 import loraloop_pb2 as pb

__all__ = ["ADMIN_SERVICE", "AdminAuthInterceptor", "bearer_problem"]

ADMIN_SERVICE = pb.DESCRIPTOR.services_by_name["Admin"].full_name


def bearer_problem(metadata: dict[str, str], token: bytes) -> str | None:
    """Why a call's `authorization` metadata does not carry the token, or None when it does."""
    scheme, _, given = metadata.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return "admin calls need 'authorization: Bearer <token>' metadata"
    if not hmac.compare_digest(given.encode(), token):
        return "admin token rejected"
    return None


class AdminAuthInterceptor(grpc.aio.ServerInterceptor):
    """Refuses Admin calls without `authorization: Bearer <token>` with UNAUTHENTICATED."""

    def __init__(self, token: str, service: str = ADMIN_SERVICE):
        if not token:
            raise ValueError("admin token must not be empty")
        self._token = token.encode()
        self._prefix = f"/{service}/"

    async def intercept_service(self, continuation: Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]],
                                details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        """Pass the call on, or answer it with UNAUTHENTICATED before its handler runs."""
        if not details.method.startswith(self._prefix):
            return await continuation(details)
        problem = bearer_problem(dict(details.invocation_metadata or ()), self._token)
        if problem is None:
            return await continuation(details)
        return _refusal(problem)


def _refusal(problem: str) -> grpc.RpcMethodHandler:
    # Every Admin RPC is unary-unary; the request stays raw bytes, it is never parsed.
    async def refuse(_request: bytes, context: grpc.aio.ServicerContext) -> None:
        await context.abort(grpc.StatusCode.UNAUTHENTICATED, problem)

    return grpc.unary_unary_rpc_method_handler(refuse)
