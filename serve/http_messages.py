"""The HTTP edge: OpenAI-style JSON bodies to the server's domain values and back, and errors to HTTP statuses.

The JSON shapes follow OpenAI's chat-completions API as vLLM serves it; loraloop's extras (which adapter version
and arm answered, and the route) ride in an extra `loraloop` object, which the openai SDK keeps on its models
(`response.model_extra`), and in `x-loraloop-*` response headers.
"""

from __future__ import annotations

import math
import time
from typing import Any

from loraloop.adapters import BASE
from loraloop.errors import InvalidArgument, LoraloopError, status_name
from loraloop.feedback.store import SignalAck
from loraloop.serve.chat import AnswerHeader
from loraloop.serve.engine import GenerationChunk
from loraloop.serve.rollouts import RolloutView
from loraloop.serve.validation import ChatInput, FeedbackInput, SamplingInput

__all__ = [
    "HTTP_STATUS",
    "chat_input",
    "completion",
    "completion_chunk",
    "error_body",
    "extras",
    "feedback_ack_json",
    "feedback_batch_input",
    "feedback_batch_json",
    "feedback_input",
    "header_values",
    "http_status",
    "rollout_json",
    "usage",
]

# One table from the canonical status names (loraloop/errors.py) to HTTP, as Google's API design guide maps them.
HTTP_STATUS = {
    "INVALID_ARGUMENT": 400, "FAILED_PRECONDITION": 400, "OUT_OF_RANGE": 400, "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403, "NOT_FOUND": 404, "ALREADY_EXISTS": 409, "ABORTED": 409, "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499, "UNAVAILABLE": 503, "DEADLINE_EXCEEDED": 504, "UNIMPLEMENTED": 501, "INTERNAL": 500,
}
# OpenAI's error `type` for each HTTP status class a client may branch on.
_ERROR_TYPE = {400: "invalid_request_error", 401: "authentication_error", 403: "permission_error",
               404: "not_found_error", 429: "rate_limit_error", 503: "service_unavailable"}


def http_status(error: BaseException) -> int:
    """The HTTP status of an exception, from errors.py's one table (500 when it has no entry)."""
    return HTTP_STATUS.get(status_name(error), 500)


def error_body(error: BaseException) -> dict[str, Any]:
    """OpenAI's error object: the same message gRPC sends as its status details."""
    status = http_status(error)
    return {"error": {"message": str(error), "type": _ERROR_TYPE.get(status, "server_error"),
                      "param": getattr(error, "field", None), "code": status_name(error)}}


def _text(body: dict[str, Any], name: str, default: str = "") -> str:
    value = body.get(name, default)
    if value is None:
        return default
    if not isinstance(value, str):
        raise InvalidArgument(name, f"expected a string, got {type(value).__name__}")
    return value


def _number(body: dict[str, Any], name: str, *, integer: bool) -> float | int | None:
    value = body.get(name)
    if value is None:
        return None
    kinds = (int,) if integer else (int, float)
    if isinstance(value, bool) or not isinstance(value, kinds) or (not integer and not math.isfinite(value)):
        raise InvalidArgument(name, f"expected {'an integer' if integer else 'a number'}, got {value!r}")
    return value if integer else float(value)  # 5 and 5.0 read alike, as protobuf's float does


def _content(message: Any, i: int) -> tuple[str, str]:
    if not isinstance(message, dict):
        raise InvalidArgument(f"messages[{i}]", "expected an object with role and content")
    role, content = message.get("role"), message.get("content")
    if not isinstance(role, str):
        raise InvalidArgument(f"messages[{i}].role", "required: a string")
    if isinstance(content, list):  # OpenAI's content parts: text parts only
        texts = [part.get("text") for part in content if isinstance(part, dict) and part.get("type") == "text"]
        if len(texts) != len(content) or not all(isinstance(t, str) for t in texts):
            raise InvalidArgument(f"messages[{i}].content", "only text content parts are supported")
        content = "".join(texts)
    if not isinstance(content, str):
        raise InvalidArgument(f"messages[{i}].content", "required: a string or a list of text parts")
    return role, content


def chat_input(body: Any, base_model_name: str) -> tuple[ChatInput, bool, bool]:
    """(the chat input, stream?, include usage in the stream?) from a /v1/chat/completions body."""
    if not isinstance(body, dict):
        raise InvalidArgument("body", "expected a JSON object")
    model = _text(body, "model")
    adapter = "" if model == base_model_name else model  # the base model's own name routes, like ""
    messages = body.get("messages")
    if not isinstance(messages, list):
        raise InvalidArgument("messages", "required: a list of {role, content} objects")
    if body.get("n", 1) != 1:
        raise InvalidArgument("n", f"{body.get('n')!r}: only n=1 is supported")
    max_tokens = _number(body, "max_completion_tokens", integer=True)
    if max_tokens is None:
        max_tokens = _number(body, "max_tokens", integer=True)
    if max_tokens is not None and max_tokens < 1:
        raise InvalidArgument("max_tokens", f"{max_tokens} must be at least 1")
    stop = body.get("stop")
    stop = (stop,) if isinstance(stop, str) else stop
    if stop is not None and (not isinstance(stop, list | tuple) or not all(isinstance(s, str) for s in stop)):
        raise InvalidArgument("stop", "expected a string or a list of strings")
    sampling = SamplingInput(max_tokens=max_tokens or 0, temperature=_number(body, "temperature", integer=False),
                             top_p=_number(body, "top_p", integer=False), seed=_number(body, "seed", integer=True),
                             stop=tuple(stop or ()))
    stream = body.get("stream", False)
    if not isinstance(stream, bool):
        raise InvalidArgument("stream", f"expected true or false, got {stream!r}")
    options = body.get("stream_options")
    options = {} if options is None else options
    if not isinstance(options, dict):
        raise InvalidArgument("stream_options", "expected an object")
    call = ChatInput(messages=tuple(_content(m, i) for i, m in enumerate(messages)), adapter=adapter,
                     conversation_id=_text(body, "conversation_id"), user_id=_text(body, "user"),
                     regenerate_of=_text(body, "regenerate_of"), sampling=sampling, frontend="http", stream=stream)
    return call, stream, bool(options.get("include_usage"))


def feedback_input(body: Any) -> FeedbackInput:
    """A /v1/feedback body as the transport-neutral input; `kind` is matched without regard to case."""
    if not isinstance(body, dict):
        raise InvalidArgument("body", "expected a JSON object")
    dwell = _number(body, "dwell_ms", integer=True)
    return FeedbackInput(response_id=_text(body, "response_id"), kind=_text(body, "kind").upper(),
                         dwell_ms=int(dwell or 0), correction_text=_text(body, "correction_text"),
                         idempotency_key=_text(body, "idempotency_key"))


def feedback_batch_input(body: Any) -> list[FeedbackInput | InvalidArgument]:
    """A /v1/feedback/batch body, `{"signals": [...]}`, as inputs; an item that cannot be read is its own error."""
    if not isinstance(body, dict):
        raise InvalidArgument("body", "expected a JSON object")
    signals = body.get("signals")
    if not isinstance(signals, list):
        raise InvalidArgument("signals", "required: a list of feedback objects")
    items: list[FeedbackInput | InvalidArgument] = []
    for i, item in enumerate(signals):
        try:
            if not isinstance(item, dict):
                raise InvalidArgument(f"signals[{i}]", "expected a JSON object")
            items.append(feedback_input(item))
        except InvalidArgument as e:
            items.append(e)
    return items


def feedback_ack_json(ack: SignalAck) -> dict[str, Any]:
    """A stored signal's ack, as /v1/feedback answers it."""
    return {"signal_id": str(ack.signal_id), "duplicate": ack.duplicate}


def feedback_batch_json(results: list[SignalAck | LoraloopError]) -> dict[str, Any]:
    """The batch's answer: per signal, in order, its ack (as /v1/feedback answers) or its error object."""
    return {"results": [feedback_ack_json(r) if isinstance(r, SignalAck) else error_body(r) for r in results]}


def extras(header: AnswerHeader) -> dict[str, Any]:
    """loraloop's extra field on completions and chunks: who answered and why."""
    return {"adapter": header.adapter, "arm": header.arm,
            "route": {"domain": header.route_domain, "confidence": header.route_confidence}}


def header_values(header: AnswerHeader) -> dict[str, str]:
    """The same facts as response headers, for clients that keep only the standard body."""
    return {"x-loraloop-response-id": header.response_id, "x-loraloop-adapter": header.adapter,
            "x-loraloop-arm": header.arm, "x-loraloop-route-domain": header.route_domain,
            "x-loraloop-route-confidence": f"{header.route_confidence:.6g}"}


def _model(header: AnswerHeader, base_model_name: str) -> str:
    return base_model_name if header.adapter == BASE else header.adapter


def usage(chunk: GenerationChunk) -> dict[str, int]:
    """OpenAI's usage object of a finished answer."""
    return {"prompt_tokens": chunk.prompt_tokens, "completion_tokens": chunk.completion_tokens,
            "total_tokens": chunk.prompt_tokens + chunk.completion_tokens}


def completion(header: AnswerHeader, text: str, last: GenerationChunk, base_model_name: str,
               created: int | None = None) -> dict[str, Any]:
    """A chat.completion object."""
    return {"id": header.response_id, "object": "chat.completion", "created": created or int(time.time()),
            "model": _model(header, base_model_name),
            "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                         "finish_reason": last.finish_reason or "stop", "logprobs": None}],
            "usage": usage(last), "loraloop": extras(header)}


def completion_chunk(header: AnswerHeader, base_model_name: str, created: int, *, delta: dict[str, str] | None = None,
                     finish_reason: str | None = None, usage_of: GenerationChunk | None = None) -> dict[str, Any]:
    """A chat.completion.chunk: a delta, the finish, or (usage_of given) the usage chunk with no choices."""
    chunk: dict[str, Any] = {"id": header.response_id, "object": "chat.completion.chunk", "created": created,
                             "model": _model(header, base_model_name), "loraloop": extras(header)}
    if usage_of is not None:
        chunk["choices"], chunk["usage"] = [], usage(usage_of)
    else:
        chunk["choices"] = [{"index": 0, "delta": delta or {}, "finish_reason": finish_reason, "logprobs": None}]
    return chunk


def rollout_json(view: RolloutView) -> dict[str, Any]:
    """A rollout as JSON, with the field names of loraloop.v1.Rollout (what `loraloop rollout status --json` shows)."""
    state = view.state
    return {"id": state.id, "domain": state.domain, "status": state.status, "stable_version": state.stable_version,
            "canary_version": state.canary_version, "weight": state.weight_pct, "step": state.step_index,
            "schedule": list(state.schedule), "min_rated_per_step": state.rules.min_rated_per_step,
            "arms": [{"arm": a.arm, "version": a.version, "answers": a.counts.answers, "rated": a.counts.rated,
                      "thumbs_up": a.counts.thumbs_up, "thumbs_down": a.counts.thumbs_down,
                      "regenerate": a.counts.regenerated, "errors": a.counts.errors,
                      "p95_latency_s": a.counts.p95_latency_s or 0.0} for a in view.arms],
            "events": [{"decision": e.decision, "from_weight": e.from_weight_pct, "to_weight": e.to_weight_pct,
                        "reason": e.reason, "created_at": e.created_at, "actor": e.actor} for e in view.events],
            "started_at": state.started_at, "updated_at": state.updated_at}
