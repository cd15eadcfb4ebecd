"""gRPC servicers: translate messages to calls and errors to statuses; no engine or storage logic here."""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import grpc
from google.protobuf.json_format import MessageToDict

from loraloop.adapters import BASE, AdapterSpec, parse_adapter_name
from loraloop.audit import AuditLog
from loraloop.config import FeedbackConfig, ServeConfig
from loraloop.errors import InvalidArgument, LoraloopError, status_name
from loraloop.feedback.writer import FeedbackWriter
from loraloop.serve.chat import AnswerHeader, ChatService
from loraloop.serve.client_keys import ClientKeys
from loraloop.serve.feedback_ingest import record_signal, record_signals
from loraloop.serve.grpc_messages import (
    adapter_info,
    chat_input,
    feedback_ack,
    feedback_batch_ack,
    feedback_input,
    grpc_status,
    header_fields,
    messages_of,
    rollout_command,
    rollout_message,
    router_reload_message,
    usage,
)
from loraloop.serve.intent_routes import RouterReload
from loraloop.serve.registry import AdapterRegistry
from loraloop.serve.rollouts import RolloutService
from loraloop.serve.validation import ChatInput, SamplingInput, validate_chat
from loraloop.v1 import loraloop_pb2 as pb
from loraloop.v1 import loraloop_pb2_grpc as pb_grpc

__all__ = ["AdminServicer", "ChatServicer"]

log = logging.getLogger(__name__)


async def _abort(context: grpc.aio.ServicerContext, error: BaseException) -> None:
    if not isinstance(error, LoraloopError):
        log.exception("unexpected error", exc_info=error)
        await context.abort(grpc.StatusCode.INTERNAL, f"internal error: {type(error).__name__}: {error}")
    await context.abort(grpc_status(error), str(error))


def _unary(method: Callable) -> Callable:
    """Map exceptions of a unary handler to gRPC statuses (the one place that does it)."""
    @functools.wraps(method)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> Any:
        try:
            return await method(self, request, context)
        except grpc.aio.AbortError:
            raise
        except Exception as e:
            await _abort(context, e)
    return wrapper


def _streaming(method: Callable) -> Callable:
    """The same mapping for server-streaming handlers."""
    @functools.wraps(method)
    async def wrapper(self: Any, request: Any, context: grpc.aio.ServicerContext) -> AsyncIterator[Any]:
        try:
            async for item in method(self, request, context):
                yield item
        except grpc.aio.AbortError:
            raise
        except Exception as e:
            await _abort(context, e)
    return wrapper


OPERATOR_METADATA = "x-loraloop-operator"  # who the caller says it is (the CLI sends the local user); audited as claimed


def _audited(action: Callable[[Any], str], target: Callable[[Any], str],
             arguments: Callable[[Any], dict[str, Any]] | None = None) -> Callable:
    """Record an Admin handler's call in the audit log: who, what, on what, with which arguments, and the result.

    Inside `_unary`, so it sees the handler's own exception (its status name is the row's result). A failed
    audit write is logged and does not fail the action, which has already happened.
    """
    def decorate(method: Callable) -> Callable:
        @functools.wraps(method)
        async def wrapper(self: AdminServicer, request: Any, context: grpc.aio.ServicerContext) -> Any:
            actor = self.actor(context)
            result, detail = "OK", ""
            try:
                return await method(self, request, context)
            except Exception as e:
                result, detail = status_name(e), str(e)
                raise
            finally:
                row = dict(actor=actor, action=action(request), target=target(request), result=result, detail=detail,
                           arguments=(arguments or _fields)(request))
                try:
                    await asyncio.to_thread(self._audit.write, **row)
                except Exception:
                    log.exception("writing the audit row of %s failed", row["action"])
        return wrapper
    return decorate


def _fields(request: Any) -> dict[str, Any]:
    return MessageToDict(request, preserving_proto_field_name=True)


def _named_adapter(text: str, what: str) -> AdapterSpec:
    spec = parse_adapter_name(text, "adapter")
    if spec is None:
        raise InvalidArgument("adapter", f"name an adapter {what}")
    return spec


class ChatServicer(pb_grpc.ChatServicer):
    """loraloop.v1.Chat."""

    def __init__(self, chat: ChatService, registry: AdapterRegistry, config: ServeConfig,
                 feedback: FeedbackWriter, feedback_config: FeedbackConfig, *, keys: ClientKeys,
                 base_quantization: str = "none"):
        self._chat = chat
        self._keys = keys
        self._base_quantization = base_quantization
        self._registry = registry
        self._config = config
        self._feedback = feedback
        self._feedback_config = feedback_config

    def _caller(self, context: grpc.aio.ServicerContext) -> str:
        """The API key's name of this call ("" while keys are off); Unauthenticated or RateLimited otherwise."""
        return self._keys.authenticate(dict(context.invocation_metadata() or ()).get("authorization"))

    @_unary
    async def Chat(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext) -> pb.ChatResponse:
        call = self._chat.validated(dataclasses.replace(chat_input(request, stream=False),
                                                        client_key=self._caller(context)))
        response = pb.ChatResponse()
        parts: list[str] = []
        async for event in self._chat.answer(call):
            if isinstance(event, AnswerHeader):
                response.MergeFrom(pb.ChatResponse(**header_fields(event)))
                continue
            parts.append(event.text)
            if event.finished:
                response.usage.CopyFrom(usage(event))
                response.finish_reason = event.finish_reason or ""
        response.text = "".join(parts)
        return response

    @_streaming
    async def ChatStream(self, request: pb.ChatRequest, context: grpc.aio.ServicerContext) -> AsyncIterator[pb.ChatChunk]:
        call = self._chat.validated(dataclasses.replace(chat_input(request, stream=True),
                                                        client_key=self._caller(context)))
        header: dict[str, Any] = {}
        async for event in self._chat.answer(call):
            if isinstance(event, AnswerHeader):
                header = header_fields(event)
                continue
            chunk = pb.ChatChunk(delta=event.text, **header)
            if event.finished:
                chunk.usage.CopyFrom(usage(event))
                chunk.finish_reason = event.finish_reason or ""
            if chunk.delta or event.finished:
                yield chunk

    @_unary
    async def SendFeedback(self, request: pb.Feedback, context: grpc.aio.ServicerContext) -> pb.FeedbackAck:
        # returns after the commit: the ack is durable
        signal = dataclasses.replace(feedback_input(request), client_key=self._caller(context))
        return feedback_ack(await record_signal(signal, self._feedback, self._feedback_config))

    @_unary
    async def SendFeedbackBatch(self, request: pb.FeedbackBatch,
                                context: grpc.aio.ServicerContext) -> pb.FeedbackBatchAck:
        key = self._caller(context)
        results = await record_signals([dataclasses.replace(feedback_input(f), client_key=key) for f in request.signals],
                                       self._feedback, self._feedback_config)
        return feedback_batch_ack(results)

    @_unary
    async def ListAdapters(self, request: pb.ListAdaptersRequest, context: grpc.aio.ServicerContext) -> pb.ListAdaptersResponse:
        self._caller(context)
        return pb.ListAdaptersResponse(adapters=[adapter_info(s) for s in self._registry.statuses()],
                                       base_quantization=self._base_quantization)


class AdminServicer(pb_grpc.AdminServicer):
    """loraloop.v1.Admin; the bearer token is checked by serve/admin_auth.py's interceptor before any handler."""

    def __init__(self, registry: AdapterRegistry, *, rollouts: RolloutService,
                 reload_router: Callable[[], Awaitable[RouterReload]], chat: ChatService, config: ServeConfig,
                 audit: AuditLog, admin_actor: str):
        self._audit = audit
        self._admin_actor = admin_actor
        self._chat = chat
        self._config = config
        self._registry = registry
        self._rollouts = rollouts
        self._reload_router = reload_router

    def actor(self, context: grpc.aio.ServicerContext) -> str:
        """Who made this Admin call: the token's fingerprint, and the operator's name when the client sent one."""
        claimed = dict(context.invocation_metadata() or ()).get(OPERATOR_METADATA, "")
        claimed = "".join(c for c in claimed[:64] if c.isprintable())
        return f"{self._admin_actor} ({claimed})" if claimed else self._admin_actor

    @_unary
    @_audited(lambda r: "adapter.load", lambda r: r.adapter)
    async def LoadAdapter(self, request: pb.LoadAdapterRequest, context: grpc.aio.ServicerContext) -> pb.AdapterInfo:
        spec = _named_adapter(request.adapter, "to load, e.g. 'medical' or 'medical@v2'")
        return adapter_info(await self._registry.load(spec, activate=not request.keep_active))

    @_unary
    @_audited(lambda r: "adapter.unload", lambda r: r.adapter)
    async def UnloadAdapter(self, request: pb.UnloadAdapterRequest, context: grpc.aio.ServicerContext) -> pb.AdapterInfo:
        spec = _named_adapter(request.adapter, "version to unload, e.g. 'medical@v1'")
        return adapter_info(await self._registry.unload(spec))

    @_unary
    @_audited(lambda r: "adapter.probe", lambda r: r.adapter,
              lambda r: {"prompts": len(r.prompts), "max_tokens": r.max_tokens})  # prompt text stays out of the log
    async def ProbeAdapter(self, request: pb.ProbeAdapterRequest,
                           context: grpc.aio.ServicerContext) -> pb.ProbeAdapterResponse:
        spec = _named_adapter(request.adapter, "version to probe, e.g. 'medical@v3'") if request.adapter != BASE else None
        if spec is not None and spec.version is None:
            raise InvalidArgument("adapter", f"{request.adapter!r}: name a version to probe, e.g. '{spec.domain}@v1'")
        if not request.prompts:
            raise InvalidArgument("prompts", "empty: send at least one prompt")
        calls = []
        for i, prompt in enumerate(request.prompts):
            probe = ChatInput(messages=messages_of(prompt.messages), adapter=request.adapter,
                              sampling=SamplingInput(max_tokens=request.max_tokens, temperature=0.0))
            try:
                calls.append(validate_chat(probe, self._config))
            except InvalidArgument as e:
                raise InvalidArgument(f"prompts[{i}].{e.field}", e.problem) from e
        adapter, answers = await self._chat.probe(spec, calls)
        return pb.ProbeAdapterResponse(adapter=adapter, answers=[
            pb.ProbeAnswer(text=a.text, finish_reason=a.finish_reason or "", completion_tokens=a.completion_tokens)
            for a in answers])

    @_unary
    async def GetRollout(self, request: pb.GetRolloutRequest, context: grpc.aio.ServicerContext) -> pb.GetRolloutResponse:
        views = await self._rollouts.get(request.domain, request.events)
        return pb.GetRolloutResponse(rollouts=[rollout_message(v) for v in views])

    @_unary
    @_audited(lambda r: f"rollout.{r.action}", lambda r: r.domain)
    async def SetRollout(self, request: pb.SetRolloutRequest, context: grpc.aio.ServicerContext) -> pb.Rollout:
        return rollout_message(await self._rollouts.set(rollout_command(request), actor=self.actor(context)))

    @_unary
    @_audited(lambda r: "router.reload", lambda r: "router")
    async def ReloadRouter(self, request: pb.ReloadRouterRequest,
                           context: grpc.aio.ServicerContext) -> pb.ReloadRouterResponse:
        return router_reload_message(await self._reload_router())
