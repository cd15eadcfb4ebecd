"""Request validation: turns a frontend's chat or feedback input into a typed call, or an error naming the field.

Transport-neutral: the gRPC servicers (serve/grpc_messages.py) and any other frontend convert their wire
messages into `ChatInput` / `FeedbackInput` first, so every frontend gets the same rules and messages.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from loraloop.adapters import AdapterSpec, parse_adapter_name
from loraloop.config import FeedbackConfig, ServeConfig
from loraloop.errors import InvalidArgument
from loraloop.feedback.store import SignalKind, SignalRecord
from loraloop.serve.engine import Sampling

__all__ = ["FRONTENDS", "ROLES", "ChatCall", "ChatInput", "FeedbackInput", "SamplingInput", "validate_chat",
           "validate_feedback", "validate_feedback_batch"]

ROLES = ("system", "user", "assistant")
FRONTENDS = ("grpc", "http")
MAX_ID_CHARS = 128
MAX_STOP_STRINGS = 8


@dataclass(frozen=True, kw_only=True)
class SamplingInput:
    """Sampling settings as a client sent them; None or 0 means "unset": the server's default applies."""

    max_tokens: int = 0
    temperature: float | None = None
    top_p: float | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class ChatInput:
    """A chat request as a frontend received it, not yet validated; messages are (role, content) pairs."""

    messages: tuple[tuple[str, str], ...]
    adapter: str = ""  # "" routes, "base" is the base model, "medical" or "medical@v3" names one
    conversation_id: str = ""
    user_id: str = ""
    regenerate_of: str = ""
    sampling: SamplingInput = field(default_factory=SamplingInput)
    frontend: str = "grpc"  # which API received it: answers and metrics record it
    client_key: str = ""    # the API key's name the frontend authenticated ("" = keys are off)
    stream: bool = True     # the client reads chunks as they come; False: it waits for the whole answer


@dataclass(frozen=True, kw_only=True)
class FeedbackInput:
    """A feedback signal as a frontend received it; `kind` is a SignalKind name, "" when the client sent none."""

    response_id: str
    kind: str
    dwell_ms: int = 0
    correction_text: str = ""
    idempotency_key: str = ""
    client_key: str = ""  # the API key's name the frontend authenticated


@dataclass(frozen=True, kw_only=True)
class ChatCall:
    """A validated chat request."""

    conversation_id: str
    user_id: str
    messages: tuple[dict[str, str], ...]
    adapter: AdapterSpec | None  # None = base model, or routed when `routed`
    routed: bool = False         # the client left `adapter` empty: the intent router picks
    sampling: Sampling
    regenerate_of: str
    frontend: str = "grpc"
    client_key: str = ""
    stream: bool = True


def validate_chat(request: ChatInput, config: ServeConfig, defaults: Mapping[str, float] | None = None) -> ChatCall:
    """Check every field of a chat input; raise InvalidArgument naming the first bad one."""
    for name in ("conversation_id", "user_id", "regenerate_of"):
        if len(getattr(request, name)) > MAX_ID_CHARS:
            raise InvalidArgument(name, f"longer than {MAX_ID_CHARS} characters")
    if not request.messages:
        raise InvalidArgument("messages", "empty: send at least one user message")
    if len(request.messages) > config.max_messages:
        raise InvalidArgument("messages", f"{len(request.messages)} messages, at most {config.max_messages} allowed")
    messages = []
    for i, (role, content) in enumerate(request.messages):
        if role not in ROLES:
            raise InvalidArgument(f"messages[{i}].role", f"{role[:40]!r} is not one of {', '.join(ROLES)}")
        if len(content) > config.max_message_chars:
            raise InvalidArgument(f"messages[{i}].content",
                                  f"{len(content)} characters, at most {config.max_message_chars} allowed")
        if role == "system" and i != 0:
            raise InvalidArgument(f"messages[{i}].role", "a system message may only come first")
        messages.append({"role": role, "content": content})
    if messages[-1]["role"] != "user":
        raise InvalidArgument(f"messages[{len(messages) - 1}].role",
                              f"the last message must be from the user, got {messages[-1]['role']!r}")
    adapter = parse_adapter_name(request.adapter, "adapter")
    return ChatCall(conversation_id=request.conversation_id, user_id=request.user_id, messages=tuple(messages),
                    adapter=adapter, routed=request.adapter == "", sampling=_sampling(request.sampling, config, defaults or {}),
                    regenerate_of=request.regenerate_of, frontend=request.frontend, client_key=request.client_key,
                    stream=request.stream)


def _sampling(sampling: SamplingInput, config: ServeConfig, defaults: Mapping[str, float]) -> Sampling:
    # Unset fields take the model's generation_config.json defaults (as vLLM's own server does), else OpenAI's.
    max_tokens = sampling.max_tokens or config.default_max_tokens
    if max_tokens > config.max_tokens_limit:
        raise InvalidArgument("sampling.max_tokens", f"{max_tokens} is above the limit of {config.max_tokens_limit}")
    temperature = sampling.temperature if sampling.temperature is not None else defaults.get("temperature", 1.0)
    if not math.isfinite(temperature) or not 0.0 <= temperature <= 2.0:
        raise InvalidArgument("sampling.temperature", f"{temperature} is outside [0, 2]")
    top_p = sampling.top_p if sampling.top_p is not None else defaults.get("top_p", 1.0)
    if not math.isfinite(top_p) or not 0.0 < top_p <= 1.0:
        raise InvalidArgument("sampling.top_p", f"{top_p} is outside (0, 1]")
    if len(sampling.stop) > MAX_STOP_STRINGS:
        raise InvalidArgument("sampling.stop", f"{len(sampling.stop)} stop strings, at most {MAX_STOP_STRINGS} allowed")
    if any(not s for s in sampling.stop):
        raise InvalidArgument("sampling.stop", "stop strings must not be empty")
    return Sampling(max_tokens=max_tokens, temperature=temperature, top_p=top_p,
                    seed=sampling.seed, stop=tuple(sampling.stop))


def validate_feedback(feedback: FeedbackInput, config: FeedbackConfig) -> SignalRecord:
    """Check a feedback input: the kind and its value must go together."""
    if not feedback.response_id:
        raise InvalidArgument("response_id", "required: the id of the answer the signal is about")
    if len(feedback.response_id) > MAX_ID_CHARS:
        raise InvalidArgument("response_id", f"longer than {MAX_ID_CHARS} characters")
    if not feedback.kind:
        raise InvalidArgument("kind", "required: one of " + ", ".join(k.value for k in SignalKind))
    try:
        kind = SignalKind(feedback.kind)
    except ValueError as e:
        raise InvalidArgument("kind", f"unknown signal kind {feedback.kind[:40]!r}") from e
    if len(feedback.idempotency_key) > config.max_idempotency_key_chars:
        raise InvalidArgument("idempotency_key", f"longer than {config.max_idempotency_key_chars} characters")
    if kind is SignalKind.DWELL:
        if feedback.dwell_ms <= 0:
            raise InvalidArgument("dwell_ms", f"DWELL needs a positive dwell_ms, got {feedback.dwell_ms}")
        if feedback.dwell_ms > config.max_dwell_ms:
            raise InvalidArgument("dwell_ms", f"{feedback.dwell_ms} is above the limit of {config.max_dwell_ms}")
    elif feedback.dwell_ms:
        raise InvalidArgument("dwell_ms", f"only DWELL carries dwell_ms, not {kind.value}")
    if kind is SignalKind.CORRECTION:
        if not feedback.correction_text.strip():
            raise InvalidArgument("correction_text", "CORRECTION needs the corrected answer text")
        if len(feedback.correction_text) > config.max_correction_chars:
            raise InvalidArgument("correction_text", f"{len(feedback.correction_text)} characters, "
                                  f"at most {config.max_correction_chars} allowed")
    elif feedback.correction_text:
        raise InvalidArgument("correction_text", f"only CORRECTION carries text, not {kind.value}")
    return SignalRecord(response_id=feedback.response_id, kind=kind,
                        dwell_ms=feedback.dwell_ms if kind is SignalKind.DWELL else None,
                        correction_text=feedback.correction_text if kind is SignalKind.CORRECTION else None,
                        idempotency_key=feedback.idempotency_key or None, client_key=feedback.client_key)


def validate_feedback_batch(batch: Sequence[FeedbackInput | InvalidArgument],
                            config: FeedbackConfig) -> list[SignalRecord | InvalidArgument]:
    """Check a batch: its size first (InvalidArgument naming the limit refuses the whole batch), then each signal.

    A bad signal becomes its own InvalidArgument in its place and the others go on. An item may already be an
    InvalidArgument: a frontend that could not read that item passes its error through.
    """
    if len(batch) > config.max_batch_signals:
        raise InvalidArgument("signals", f"{len(batch)} signals in one batch, at most {config.max_batch_signals} "
                                         "allowed (max_batch_signals)")
    checked: list[SignalRecord | InvalidArgument] = []
    for item in batch:
        try:
            checked.append(item if isinstance(item, InvalidArgument) else validate_feedback(item, config))
        except InvalidArgument as e:
            checked.append(e)
    return checked
