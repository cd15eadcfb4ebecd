from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class FeedbackKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    FEEDBACK_KIND_UNSPECIFIED: _ClassVar[FeedbackKind]
    THUMBS_UP: _ClassVar[FeedbackKind]
    THUMBS_DOWN: _ClassVar[FeedbackKind]
    REGENERATE: _ClassVar[FeedbackKind]
    COPY: _ClassVar[FeedbackKind]
    SHARE: _ClassVar[FeedbackKind]
    FOLLOW_UP: _ClassVar[FeedbackKind]
    DWELL: _ClassVar[FeedbackKind]
    CORRECTION: _ClassVar[FeedbackKind]
FEEDBACK_KIND_UNSPECIFIED: FeedbackKind
THUMBS_UP: FeedbackKind
THUMBS_DOWN: FeedbackKind
REGENERATE: FeedbackKind
COPY: FeedbackKind
SHARE: FeedbackKind
FOLLOW_UP: FeedbackKind
DWELL: FeedbackKind
CORRECTION: FeedbackKind

class Message(_message.Message):
    __slots__ = ("role", "content")
    ROLE_FIELD_NUMBER: _ClassVar[int]
    CONTENT_FIELD_NUMBER: _ClassVar[int]
    role: str
    content: str
    def __init__(self, role: _Optional[str] = ..., content: _Optional[str] = ...) -> None: ...

class SamplingParams(_message.Message):
    __slots__ = ("max_tokens", "temperature", "top_p", "seed", "stop")
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    TEMPERATURE_FIELD_NUMBER: _ClassVar[int]
    TOP_P_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STOP_FIELD_NUMBER: _ClassVar[int]
    max_tokens: int
    temperature: float
    top_p: float
    seed: int
    stop: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, max_tokens: _Optional[int] = ..., temperature: _Optional[float] = ..., top_p: _Optional[float] = ..., seed: _Optional[int] = ..., stop: _Optional[_Iterable[str]] = ...) -> None: ...

class ChatRequest(_message.Message):
    __slots__ = ("conversation_id", "user_id", "messages", "adapter", "sampling", "regenerate_of")
    CONVERSATION_ID_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    SAMPLING_FIELD_NUMBER: _ClassVar[int]
    REGENERATE_OF_FIELD_NUMBER: _ClassVar[int]
    conversation_id: str
    user_id: str
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    adapter: str
    sampling: SamplingParams
    regenerate_of: str
    def __init__(self, conversation_id: _Optional[str] = ..., user_id: _Optional[str] = ..., messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ..., adapter: _Optional[str] = ..., sampling: _Optional[_Union[SamplingParams, _Mapping]] = ..., regenerate_of: _Optional[str] = ...) -> None: ...

class Route(_message.Message):
    __slots__ = ("domain", "confidence")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    domain: str
    confidence: float
    def __init__(self, domain: _Optional[str] = ..., confidence: _Optional[float] = ...) -> None: ...

class Usage(_message.Message):
    __slots__ = ("prompt_tokens", "completion_tokens")
    PROMPT_TOKENS_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    prompt_tokens: int
    completion_tokens: int
    def __init__(self, prompt_tokens: _Optional[int] = ..., completion_tokens: _Optional[int] = ...) -> None: ...

class ChatResponse(_message.Message):
    __slots__ = ("response_id", "text", "adapter", "arm", "route", "usage", "finish_reason")
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    ARM_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    response_id: str
    text: str
    adapter: str
    arm: str
    route: Route
    usage: Usage
    finish_reason: str
    def __init__(self, response_id: _Optional[str] = ..., text: _Optional[str] = ..., adapter: _Optional[str] = ..., arm: _Optional[str] = ..., route: _Optional[_Union[Route, _Mapping]] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., finish_reason: _Optional[str] = ...) -> None: ...

class ChatChunk(_message.Message):
    __slots__ = ("response_id", "delta", "adapter", "arm", "route", "usage", "finish_reason")
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    DELTA_FIELD_NUMBER: _ClassVar[int]
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    ARM_FIELD_NUMBER: _ClassVar[int]
    ROUTE_FIELD_NUMBER: _ClassVar[int]
    USAGE_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    response_id: str
    delta: str
    adapter: str
    arm: str
    route: Route
    usage: Usage
    finish_reason: str
    def __init__(self, response_id: _Optional[str] = ..., delta: _Optional[str] = ..., adapter: _Optional[str] = ..., arm: _Optional[str] = ..., route: _Optional[_Union[Route, _Mapping]] = ..., usage: _Optional[_Union[Usage, _Mapping]] = ..., finish_reason: _Optional[str] = ...) -> None: ...

class Feedback(_message.Message):
    __slots__ = ("response_id", "kind", "dwell_ms", "correction_text", "idempotency_key")
    RESPONSE_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    DWELL_MS_FIELD_NUMBER: _ClassVar[int]
    CORRECTION_TEXT_FIELD_NUMBER: _ClassVar[int]
    IDEMPOTENCY_KEY_FIELD_NUMBER: _ClassVar[int]
    response_id: str
    kind: FeedbackKind
    dwell_ms: int
    correction_text: str
    idempotency_key: str
    def __init__(self, response_id: _Optional[str] = ..., kind: _Optional[_Union[FeedbackKind, str]] = ..., dwell_ms: _Optional[int] = ..., correction_text: _Optional[str] = ..., idempotency_key: _Optional[str] = ...) -> None: ...

class FeedbackAck(_message.Message):
    __slots__ = ("signal_id", "duplicate")
    SIGNAL_ID_FIELD_NUMBER: _ClassVar[int]
    DUPLICATE_FIELD_NUMBER: _ClassVar[int]
    signal_id: str
    duplicate: bool
    def __init__(self, signal_id: _Optional[str] = ..., duplicate: _Optional[bool] = ...) -> None: ...

class FeedbackBatch(_message.Message):
    __slots__ = ("signals",)
    SIGNALS_FIELD_NUMBER: _ClassVar[int]
    signals: _containers.RepeatedCompositeFieldContainer[Feedback]
    def __init__(self, signals: _Optional[_Iterable[_Union[Feedback, _Mapping]]] = ...) -> None: ...

class FeedbackError(_message.Message):
    __slots__ = ("code", "message")
    CODE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    code: str
    message: str
    def __init__(self, code: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class FeedbackResult(_message.Message):
    __slots__ = ("ack", "error")
    ACK_FIELD_NUMBER: _ClassVar[int]
    ERROR_FIELD_NUMBER: _ClassVar[int]
    ack: FeedbackAck
    error: FeedbackError
    def __init__(self, ack: _Optional[_Union[FeedbackAck, _Mapping]] = ..., error: _Optional[_Union[FeedbackError, _Mapping]] = ...) -> None: ...

class FeedbackBatchAck(_message.Message):
    __slots__ = ("results",)
    RESULTS_FIELD_NUMBER: _ClassVar[int]
    results: _containers.RepeatedCompositeFieldContainer[FeedbackResult]
    def __init__(self, results: _Optional[_Iterable[_Union[FeedbackResult, _Mapping]]] = ...) -> None: ...

class ListAdaptersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ProbePrompt(_message.Message):
    __slots__ = ("messages",)
    MESSAGES_FIELD_NUMBER: _ClassVar[int]
    messages: _containers.RepeatedCompositeFieldContainer[Message]
    def __init__(self, messages: _Optional[_Iterable[_Union[Message, _Mapping]]] = ...) -> None: ...

class ProbeAdapterRequest(_message.Message):
    __slots__ = ("adapter", "prompts", "max_tokens")
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    PROMPTS_FIELD_NUMBER: _ClassVar[int]
    MAX_TOKENS_FIELD_NUMBER: _ClassVar[int]
    adapter: str
    prompts: _containers.RepeatedCompositeFieldContainer[ProbePrompt]
    max_tokens: int
    def __init__(self, adapter: _Optional[str] = ..., prompts: _Optional[_Iterable[_Union[ProbePrompt, _Mapping]]] = ..., max_tokens: _Optional[int] = ...) -> None: ...

class ProbeAnswer(_message.Message):
    __slots__ = ("text", "finish_reason", "completion_tokens")
    TEXT_FIELD_NUMBER: _ClassVar[int]
    FINISH_REASON_FIELD_NUMBER: _ClassVar[int]
    COMPLETION_TOKENS_FIELD_NUMBER: _ClassVar[int]
    text: str
    finish_reason: str
    completion_tokens: int
    def __init__(self, text: _Optional[str] = ..., finish_reason: _Optional[str] = ..., completion_tokens: _Optional[int] = ...) -> None: ...

class ProbeAdapterResponse(_message.Message):
    __slots__ = ("adapter", "answers")
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    adapter: str
    answers: _containers.RepeatedCompositeFieldContainer[ProbeAnswer]
    def __init__(self, adapter: _Optional[str] = ..., answers: _Optional[_Iterable[_Union[ProbeAnswer, _Mapping]]] = ...) -> None: ...

class AdapterInfo(_message.Message):
    __slots__ = ("ref", "domain", "version", "base_model", "rank", "method", "loaded", "active", "pinned", "lora_id", "in_flight")
    REF_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    BASE_MODEL_FIELD_NUMBER: _ClassVar[int]
    RANK_FIELD_NUMBER: _ClassVar[int]
    METHOD_FIELD_NUMBER: _ClassVar[int]
    LOADED_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    PINNED_FIELD_NUMBER: _ClassVar[int]
    LORA_ID_FIELD_NUMBER: _ClassVar[int]
    IN_FLIGHT_FIELD_NUMBER: _ClassVar[int]
    ref: str
    domain: str
    version: int
    base_model: str
    rank: int
    method: str
    loaded: bool
    active: bool
    pinned: bool
    lora_id: int
    in_flight: int
    def __init__(self, ref: _Optional[str] = ..., domain: _Optional[str] = ..., version: _Optional[int] = ..., base_model: _Optional[str] = ..., rank: _Optional[int] = ..., method: _Optional[str] = ..., loaded: _Optional[bool] = ..., active: _Optional[bool] = ..., pinned: _Optional[bool] = ..., lora_id: _Optional[int] = ..., in_flight: _Optional[int] = ...) -> None: ...

class ListAdaptersResponse(_message.Message):
    __slots__ = ("adapters", "base_quantization")
    ADAPTERS_FIELD_NUMBER: _ClassVar[int]
    BASE_QUANTIZATION_FIELD_NUMBER: _ClassVar[int]
    adapters: _containers.RepeatedCompositeFieldContainer[AdapterInfo]
    base_quantization: str
    def __init__(self, adapters: _Optional[_Iterable[_Union[AdapterInfo, _Mapping]]] = ..., base_quantization: _Optional[str] = ...) -> None: ...

class LoadAdapterRequest(_message.Message):
    __slots__ = ("adapter", "keep_active")
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    KEEP_ACTIVE_FIELD_NUMBER: _ClassVar[int]
    adapter: str
    keep_active: bool
    def __init__(self, adapter: _Optional[str] = ..., keep_active: _Optional[bool] = ...) -> None: ...

class UnloadAdapterRequest(_message.Message):
    __slots__ = ("adapter",)
    ADAPTER_FIELD_NUMBER: _ClassVar[int]
    adapter: str
    def __init__(self, adapter: _Optional[str] = ...) -> None: ...

class GetRolloutRequest(_message.Message):
    __slots__ = ("domain", "events")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    domain: str
    events: int
    def __init__(self, domain: _Optional[str] = ..., events: _Optional[int] = ...) -> None: ...

class ArmStats(_message.Message):
    __slots__ = ("arm", "version", "answers", "rated", "thumbs_up", "thumbs_down", "regenerate", "errors", "p95_latency_s")
    ARM_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    ANSWERS_FIELD_NUMBER: _ClassVar[int]
    RATED_FIELD_NUMBER: _ClassVar[int]
    THUMBS_UP_FIELD_NUMBER: _ClassVar[int]
    THUMBS_DOWN_FIELD_NUMBER: _ClassVar[int]
    REGENERATE_FIELD_NUMBER: _ClassVar[int]
    ERRORS_FIELD_NUMBER: _ClassVar[int]
    P95_LATENCY_S_FIELD_NUMBER: _ClassVar[int]
    arm: str
    version: int
    answers: int
    rated: int
    thumbs_up: int
    thumbs_down: int
    regenerate: int
    errors: int
    p95_latency_s: float
    def __init__(self, arm: _Optional[str] = ..., version: _Optional[int] = ..., answers: _Optional[int] = ..., rated: _Optional[int] = ..., thumbs_up: _Optional[int] = ..., thumbs_down: _Optional[int] = ..., regenerate: _Optional[int] = ..., errors: _Optional[int] = ..., p95_latency_s: _Optional[float] = ...) -> None: ...

class RolloutEvent(_message.Message):
    __slots__ = ("decision", "from_weight", "to_weight", "reason", "created_at", "actor")
    DECISION_FIELD_NUMBER: _ClassVar[int]
    FROM_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    TO_WEIGHT_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    ACTOR_FIELD_NUMBER: _ClassVar[int]
    decision: str
    from_weight: float
    to_weight: float
    reason: str
    created_at: float
    actor: str
    def __init__(self, decision: _Optional[str] = ..., from_weight: _Optional[float] = ..., to_weight: _Optional[float] = ..., reason: _Optional[str] = ..., created_at: _Optional[float] = ..., actor: _Optional[str] = ...) -> None: ...

class Rollout(_message.Message):
    __slots__ = ("id", "domain", "stable_version", "canary_version", "status", "weight", "step", "schedule", "min_rated_per_step", "arms", "events", "started_at", "updated_at")
    ID_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    STABLE_VERSION_FIELD_NUMBER: _ClassVar[int]
    CANARY_VERSION_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    WEIGHT_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    MIN_RATED_PER_STEP_FIELD_NUMBER: _ClassVar[int]
    ARMS_FIELD_NUMBER: _ClassVar[int]
    EVENTS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    UPDATED_AT_FIELD_NUMBER: _ClassVar[int]
    id: str
    domain: str
    stable_version: int
    canary_version: int
    status: str
    weight: float
    step: int
    schedule: _containers.RepeatedScalarFieldContainer[float]
    min_rated_per_step: int
    arms: _containers.RepeatedCompositeFieldContainer[ArmStats]
    events: _containers.RepeatedCompositeFieldContainer[RolloutEvent]
    started_at: float
    updated_at: float
    def __init__(self, id: _Optional[str] = ..., domain: _Optional[str] = ..., stable_version: _Optional[int] = ..., canary_version: _Optional[int] = ..., status: _Optional[str] = ..., weight: _Optional[float] = ..., step: _Optional[int] = ..., schedule: _Optional[_Iterable[float]] = ..., min_rated_per_step: _Optional[int] = ..., arms: _Optional[_Iterable[_Union[ArmStats, _Mapping]]] = ..., events: _Optional[_Iterable[_Union[RolloutEvent, _Mapping]]] = ..., started_at: _Optional[float] = ..., updated_at: _Optional[float] = ...) -> None: ...

class GetRolloutResponse(_message.Message):
    __slots__ = ("rollouts",)
    ROLLOUTS_FIELD_NUMBER: _ClassVar[int]
    rollouts: _containers.RepeatedCompositeFieldContainer[Rollout]
    def __init__(self, rollouts: _Optional[_Iterable[_Union[Rollout, _Mapping]]] = ...) -> None: ...

class SetRolloutRequest(_message.Message):
    __slots__ = ("domain", "action", "canary_version", "schedule", "min_rated_per_step", "reason")
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    CANARY_VERSION_FIELD_NUMBER: _ClassVar[int]
    SCHEDULE_FIELD_NUMBER: _ClassVar[int]
    MIN_RATED_PER_STEP_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    domain: str
    action: str
    canary_version: int
    schedule: _containers.RepeatedScalarFieldContainer[float]
    min_rated_per_step: int
    reason: str
    def __init__(self, domain: _Optional[str] = ..., action: _Optional[str] = ..., canary_version: _Optional[int] = ..., schedule: _Optional[_Iterable[float]] = ..., min_rated_per_step: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class ReloadRouterRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ReloadRouterResponse(_message.Message):
    __slots__ = ("domains", "path", "min_confidence")
    DOMAINS_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    MIN_CONFIDENCE_FIELD_NUMBER: _ClassVar[int]
    domains: _containers.RepeatedScalarFieldContainer[str]
    path: str
    min_confidence: float
    def __init__(self, domains: _Optional[_Iterable[str]] = ..., path: _Optional[str] = ..., min_confidence: _Optional[float] = ...) -> None: ...
