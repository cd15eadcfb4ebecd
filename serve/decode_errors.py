"""Undecodable request bytes get INVALID_ARGUMENT naming the message type, not grpc's UNKNOWN "DecodeError".

grpc deserializes a request before any handler runs and reports a failure as UNKNOWN, which reads as a server
bug. This interceptor hands the handler raw bytes and parses them itself, so a client that sent something that
is not the RPC's message gets the status the error table gives bad input.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.message import DecodeError

__all__ = ["DecodeErrorInterceptor"]

Continuation = Callable[[grpc.HandlerCallDetails], Awaitable[grpc.RpcMethodHandler]]


class DecodeErrorInterceptor(grpc.aio.ServerInterceptor):
    """Parses unary-request messages itself and answers INVALID_ARGUMENT when the bytes do not decode.

    Only the methods under `prefix` (loraloop's own services, whose streaming handlers are async generators)
    are wrapped; health and reflection keep grpc's handling.
    """

    def __init__(self, prefix: str = "/loraloop.v1."):
        self._prefix = prefix
        # One wrapped handler per method, built on its first call: this runs on every request.
        self._wrapped: dict[str, grpc.RpcMethodHandler] = {}

    async def intercept_service(self, continuation: Continuation,
                                details: grpc.HandlerCallDetails) -> grpc.RpcMethodHandler:
        """Wrap unary-unary and unary-stream handlers; leave the others (and unknown methods) as they are."""
        if details.method in self._wrapped:
            return self._wrapped[details.method]
        handler = await continuation(details)
        ours = details.method.startswith(self._prefix) and handler is not None
        if not ours or handler.request_streaming or handler.request_deserializer is None:
            return handler
        self._wrapped[details.method] = wrapped = _wrap(handler, details.method)
        return wrapped


def _wrap(handler: grpc.RpcMethodHandler, method: str) -> grpc.RpcMethodHandler:
    """The handler, taking raw bytes and parsing them itself."""
    parse = handler.request_deserializer
    if handler.response_streaming:
        stream = handler.unary_stream

        async def unary_stream(raw: bytes, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
            request = await _parsed(parse, raw, context, method)
            async for item in stream(request, context):
                yield item

        return grpc.unary_stream_rpc_method_handler(unary_stream, response_serializer=handler.response_serializer)
    unary = handler.unary_unary

    async def unary_unary(raw: bytes, context: grpc.aio.ServicerContext) -> Any:
        return await unary(await _parsed(parse, raw, context, method), context)

    return grpc.unary_unary_rpc_method_handler(unary_unary, response_serializer=handler.response_serializer)


async def _parsed(parse: Callable[[bytes], Any], raw: bytes, context: grpc.aio.ServicerContext, method: str) -> Any:
    try:
        return parse(raw)
    except DecodeError as e:
        await context.abort(grpc.StatusCode.INVALID_ARGUMENT,
                            f"request: the bytes sent to {method} are not a valid request message ({e})")
