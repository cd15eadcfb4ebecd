"""The gRPC edge: protobuf messages to the server's domain values and back, and errors to gRPC statuses.

The only module in serve/ besides the servicers that knows loraloop.v1's messages; the chat path, validation,
rollouts and the router deal in plain dataclasses, so a second frontend reuses them unchanged.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import grpc

from loraloop.errors import LoraloopError, status_name
from loraloop.feedback.store import SignalAck
from loraloop.serve.chat import AnswerHeader
from loraloop.serve.engine import GenerationChunk
from loraloop.serve.intent_routes import RouterReload
from loraloop.serve.registry import AdapterStatus
from loraloop.serve.rollouts import RolloutCommand, RolloutView
from loraloop.serve.validation import ChatInput, FeedbackInput, SamplingInput
from loraloop.v1 import loraloop_pb2 as pb

__all__ = [
    "adapter_info",
    "chat_input",
    "feedback_ack",
    "feedback_batch_ack",
    "feedback_input",
    "grpc_status",
    "header_fields",
    "messages_of",
    "rollout_command",
    "rollout_message",
    "router_reload_message",
    "usage",
]


def grpc_status(error: BaseException) -> grpc.StatusCode:
    """The gRPC status of an exception, from errors.py's one table (INTERNAL when it has no entry)."""
    return grpc.StatusCode[status_name(error)]


def messages_of(messages: Any) -> tuple[tuple[str, str], ...]:
    """(role, content) pairs of repeated loraloop.v1.Message."""
    return tuple((m.role, m.content) for m in messages)


def chat_input(request: pb.ChatRequest, *, stream: bool) -> ChatInput:
    """A ChatRequest as the transport-neutral input that validation checks (`stream`: ChatStream, not Chat)."""
    s = request.sampling
    sampling = SamplingInput(max_tokens=s.max_tokens,
                             temperature=s.temperature if s.HasField("temperature") else None,
                             top_p=s.top_p if s.HasField("top_p") else None,
                             seed=s.seed if s.HasField("seed") else None, stop=tuple(s.stop))
    return ChatInput(messages=messages_of(request.messages), adapter=request.adapter,
                     conversation_id=request.conversation_id, user_id=request.user_id,
                     regenerate_of=request.regenerate_of, sampling=sampling, stream=stream)


def feedback_input(feedback: pb.Feedback) -> FeedbackInput:
    """A Feedback message as the transport-neutral input; an enum number this build does not know stays visible."""
    if feedback.kind == pb.FEEDBACK_KIND_UNSPECIFIED:
        kind = ""
    else:
        try:
            kind = pb.FeedbackKind.Name(feedback.kind)
        except ValueError:  # a newer client's kind: validation names it
            kind = str(feedback.kind)
    return FeedbackInput(response_id=feedback.response_id, kind=kind, dwell_ms=feedback.dwell_ms,
                         correction_text=feedback.correction_text, idempotency_key=feedback.idempotency_key)


def feedback_ack(ack: SignalAck) -> pb.FeedbackAck:
    """A stored signal's ack."""
    return pb.FeedbackAck(signal_id=str(ack.signal_id), duplicate=ack.duplicate)


def feedback_batch_ack(results: Sequence[SignalAck | LoraloopError]) -> pb.FeedbackBatchAck:
    """SendFeedbackBatch's answer: each signal's ack, or the status name and message SendFeedback would send."""
    return pb.FeedbackBatchAck(results=[
        pb.FeedbackResult(ack=feedback_ack(r)) if isinstance(r, SignalAck)
        else pb.FeedbackResult(error=pb.FeedbackError(code=status_name(r), message=str(r))) for r in results])


def adapter_info(status: AdapterStatus) -> pb.AdapterInfo:
    """The proto view of an adapter version's state."""
    ref = status.ref
    return pb.AdapterInfo(ref=ref.key, domain=ref.domain, version=ref.version, base_model=ref.base_model,
                          rank=ref.rank, method=ref.method, loaded=status.loaded, active=status.active,
                          pinned=status.pinned, lora_id=status.lora_id, in_flight=status.in_flight)


def header_fields(header: AnswerHeader) -> dict[str, Any]:
    """The ChatResponse / ChatChunk fields known before the first token."""
    return {"response_id": header.response_id, "adapter": header.adapter, "arm": header.arm,
            "route": pb.Route(domain=header.route_domain, confidence=header.route_confidence)}


def usage(chunk: GenerationChunk) -> pb.Usage:
    """Token counts of a finished answer."""
    return pb.Usage(prompt_tokens=chunk.prompt_tokens, completion_tokens=chunk.completion_tokens)


def rollout_command(request: pb.SetRolloutRequest) -> RolloutCommand:
    """Admin.SetRollout's request as the rollout service's command."""
    return RolloutCommand(domain=request.domain, action=request.action, reason=request.reason,
                          canary_version=request.canary_version, schedule=tuple(request.schedule),
                          min_rated_per_step=request.min_rated_per_step)


def rollout_message(view: RolloutView) -> pb.Rollout:
    """A rollout, its arms' counts and its events as loraloop.v1.Rollout."""
    state = view.state
    arms = [pb.ArmStats(arm=a.arm, version=a.version, answers=a.counts.answers, rated=a.counts.rated,
                        thumbs_up=a.counts.thumbs_up, thumbs_down=a.counts.thumbs_down,
                        regenerate=a.counts.regenerated, errors=a.counts.errors,
                        p95_latency_s=a.counts.p95_latency_s or 0.0) for a in view.arms]
    events = [pb.RolloutEvent(decision=e.decision, from_weight=e.from_weight_pct, to_weight=e.to_weight_pct,
                              reason=e.reason, created_at=e.created_at, actor=e.actor) for e in view.events]
    return pb.Rollout(id=state.id, domain=state.domain, stable_version=state.stable_version,
                      canary_version=state.canary_version, status=state.status, weight=state.weight_pct,
                      step=state.step_index, schedule=list(state.schedule),
                      min_rated_per_step=state.rules.min_rated_per_step, arms=arms, events=events,
                      started_at=state.started_at, updated_at=state.updated_at)


def router_reload_message(reload: RouterReload) -> pb.ReloadRouterResponse:
    """Admin.ReloadRouter's answer."""
    return pb.ReloadRouterResponse(domains=list(reload.domains), path=str(reload.path),
                                   min_confidence=reload.min_confidence)
