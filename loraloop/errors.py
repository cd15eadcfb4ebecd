"""loraloop's exception classes and the one table that maps them to gRPC status codes."""

from __future__ import annotations

import grpc

__all__ = [
    "AdapterBusy",
    "AdapterNotFound",
    "EngineUnavailable",
    "FailedPrecondition",
    "FeedbackUnavailable",
    "InvalidArgument",
    "LoraloopError",
    "Overloaded",
    "PermissionDenied",
    "ResponseNotFound",
    "RouterError",
    "StoreError",
    "Unauthenticated",
    "status_code_for",
]


class LoraloopError(Exception):
    """Base class of every error loraloop raises on purpose."""


class InvalidArgument(LoraloopError):
    """A request field is malformed; the message starts with the field's name."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class AdapterNotFound(LoraloopError):
    """No published adapter version matches the name."""


class AdapterBusy(LoraloopError):
    """The adapter version cannot change state now (it is active, or in use)."""


class Overloaded(LoraloopError):
    """The server is at capacity; retry later."""


class Unauthenticated(LoraloopError):
    """An admin call came without a valid bearer token."""


class PermissionDenied(LoraloopError):
    """The call is understood but not allowed (e.g. a path outside the adapter store)."""


class StoreError(LoraloopError):
    """The adapter store on disk is unreadable or inconsistent."""


class EngineUnavailable(LoraloopError):
    """The inference engine is dead or shutting down."""


class ResponseNotFound(LoraloopError):
    """No recorded answer has this response id."""


class FeedbackUnavailable(LoraloopError):
    """The feedback database cannot take writes now (locked, full or corrupt)."""


class FailedPrecondition(LoraloopError):
    """The call is well formed but the current state refuses it (e.g. a second canary for a domain)."""


class RouterError(LoraloopError):
    """The intent router file or its training data is missing, unreadable or invalid."""


_STATUS: dict[type[LoraloopError], grpc.StatusCode] = {
    InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    AdapterNotFound: grpc.StatusCode.NOT_FOUND,
    AdapterBusy: grpc.StatusCode.FAILED_PRECONDITION,
    Overloaded: grpc.StatusCode.RESOURCE_EXHAUSTED,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    StoreError: grpc.StatusCode.FAILED_PRECONDITION,
    EngineUnavailable: grpc.StatusCode.UNAVAILABLE,
    ResponseNotFound: grpc.StatusCode.NOT_FOUND,
    FeedbackUnavailable: grpc.StatusCode.UNAVAILABLE,
    RouterError: grpc.StatusCode.FAILED_PRECONDITION,
    FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
}


def status_code_for(error: BaseException) -> grpc.StatusCode:
    """The gRPC status for an exception: its class's entry, else INTERNAL."""
    for cls in type(error).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return grpc.StatusCode.INTERNAL
