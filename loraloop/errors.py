"""loraloop's exception classes and the one table that maps them to canonical status names.

The names are the canonical error codes gRPC and Google APIs share (INVALID_ARGUMENT, NOT_FOUND, ...), so the
table stays transport-neutral: the gRPC edge turns a name into a `grpc.StatusCode`, an HTTP edge into a code.
"""

from __future__ import annotations

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
    "RateLimited",
    "ResponseNotFound",
    "RouterError",
    "StoreError",
    "Unauthenticated",
    "status_name",
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


class RateLimited(Overloaded):
    """One client (an API key) is over its request rate; `retry_after_s` says when it may try again."""

    def __init__(self, message: str, retry_after_s: float = 1.0):
        super().__init__(message)
        self.retry_after_s = retry_after_s


class Unauthenticated(LoraloopError):
    """A call came without valid credentials: the admin bearer token, or a chat client's API key."""


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


_STATUS: dict[type[LoraloopError], str] = {
    InvalidArgument: "INVALID_ARGUMENT",
    AdapterNotFound: "NOT_FOUND",
    AdapterBusy: "FAILED_PRECONDITION",
    Overloaded: "RESOURCE_EXHAUSTED",
    Unauthenticated: "UNAUTHENTICATED",
    PermissionDenied: "PERMISSION_DENIED",
    StoreError: "FAILED_PRECONDITION",
    EngineUnavailable: "UNAVAILABLE",
    ResponseNotFound: "NOT_FOUND",
    FeedbackUnavailable: "UNAVAILABLE",
    RouterError: "FAILED_PRECONDITION",
    FailedPrecondition: "FAILED_PRECONDITION",
}


def status_name(error: BaseException) -> str:
    """The canonical status name of an exception: its class's entry, else INTERNAL."""
    for cls in type(error).__mro__:
        if cls in _STATUS:
            return _STATUS[cls]
    return "INTERNAL"
