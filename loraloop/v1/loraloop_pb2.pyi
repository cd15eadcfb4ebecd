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

class ListAdaptersRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

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
    __slots__ = ("adapters",)
    ADAPTERS_FIELD_NUMBER: _ClassVar[int]
    adapters: _containers.RepeatedCompositeFieldContainer[AdapterInfo]
    def __init__(self, adapters: _Optional[_Iterable[_Union[AdapterInfo, _Mapping]]] = ...) -> None: ...

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
