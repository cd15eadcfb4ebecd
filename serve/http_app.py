"""The OpenAI-compatible HTTP frontend (FastAPI): routes translate JSON to the shared core and errors to statuses.

Like the gRPC servicers, the routes hold no engine or storage logic: validation, the chat path, routing and arms,
the feedback writer and the rollout service are the ones gRPC uses, so both frontends answer alike. Admin calls
(load/unload, rollout changes, router reloads) stay on gRPC's Admin service behind its bearer token; HTTP only
reads rollout state, which the playground shows (`GET /loraloop/v1/rollouts`).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles

from loraloop.config import FeedbackConfig, ServeConfig
from loraloop.errors import InvalidArgument, LoraloopError, RateLimited
from loraloop.feedback.writer import FeedbackWriter
from loraloop.serve import http_messages as msg
from loraloop.serve.chat import AnswerHeader, ChatService
from loraloop.serve.client_keys import ClientKeys
from loraloop.serve.engine import GenerationChunk
from loraloop.serve.feedback_ingest import record_signal, record_signals
from loraloop.serve.registry import AdapterRegistry
from loraloop.serve.rollouts import RolloutService

__all__ = ["PLAYGROUND_DIR", "HttpFrontend", "create_app"]

log = logging.getLogger(__name__)

PLAYGROUND_DIR = Path(__file__).with_name("playground")


@dataclass(kw_only=True)
class HttpFrontend:
    """What the HTTP routes reach: the shared core, and the base model's name in `model`."""

    chat: ChatService
    registry: AdapterRegistry
    feedback: FeedbackWriter
    feedback_config: FeedbackConfig
    rollouts: RolloutService
    config: ServeConfig
    base_model_name: str
    base_model_path: str
    keys: ClientKeys
    healthy: Callable[[], bool]


def _error(error: BaseException) -> JSONResponse:
    if not isinstance(error, LoraloopError):
        log.exception("unexpected error", exc_info=error)
        error = RuntimeError(f"internal error: {type(error).__name__}: {error}")
    headers = {"retry-after": str(max(1, round(error.retry_after_s)))} if isinstance(error, RateLimited) else None
    return JSONResponse(msg.error_body(error), status_code=msg.http_status(error), headers=headers)


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as e:
        raise InvalidArgument("body", f"not valid JSON: {e}") from e


def _sse(data: dict[str, Any] | str) -> bytes:
    return f"data: {data if isinstance(data, str) else json.dumps(data, ensure_ascii=False)}\n\n".encode()


def create_app(frontend: HttpFrontend) -> FastAPI:
    """The FastAPI app: /v1/chat/completions, /v1/models, /v1/feedback (and /batch), /health, rollouts, the playground."""
    app = FastAPI(title="loraloop", docs_url=None, redoc_url=None, openapi_url=None)
    front = frontend

    def caller(request: Request) -> str:
        """The API key's name of this request ("" while keys are off): `Authorization: Bearer`, as OpenAI's."""
        return front.keys.authenticate(request.headers.get("authorization"))

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request) -> Response:
        try:
            key = caller(request)
            chat_in, stream, include_usage = msg.chat_input(await _json(request), front.base_model_name)
            call = front.chat.validated(dataclasses.replace(chat_in, client_key=key))
            events = front.chat.answer(call)
            header = await anext(events)  # admission, routing and the adapter lease happen before this returns
        except Exception as e:
            return _error(e)
        if stream:
            return StreamingResponse(_stream(front, events, header, include_usage), media_type="text/event-stream",
                                     headers={**msg.header_values(header), "cache-control": "no-cache"})
        try:
            parts, last = [], None
            async for chunk in events:
                parts.append(chunk.text)
                last = chunk if chunk.finished else last
        except Exception as e:
            return _error(e)
        return JSONResponse(msg.completion(header, "".join(parts), last, front.base_model_name),
                            headers=msg.header_values(header))

    @app.get("/v1/models")
    async def models(request: Request) -> Response:
        try:
            caller(request)
        except Exception as e:
            return _error(e)
        created = int(time.time())
        base = front.base_model_name
        data = [{"id": base, "object": "model", "created": created, "owned_by": "loraloop", "root": front.base_model_path,
                 "parent": None}]
        statuses = front.registry.statuses()
        for domain in sorted({s.ref.domain for s in statuses}):
            data.append({"id": domain, "object": "model", "created": created, "owned_by": "loraloop",
                         "root": domain, "parent": base})
        data += [{"id": s.ref.key, "object": "model", "created": created, "owned_by": "loraloop",
                  "root": str(s.ref.path), "parent": base} for s in statuses]
        return JSONResponse({"object": "list", "data": data})

    @app.post("/v1/feedback")
    async def feedback(request: Request) -> Response:
        try:
            key = caller(request)
            signal = dataclasses.replace(msg.feedback_input(await _json(request)), client_key=key)
            ack = await record_signal(signal, front.feedback, front.feedback_config)  # after the commit
        except Exception as e:
            return _error(e)
        return JSONResponse(msg.feedback_ack_json(ack))

    @app.post("/v1/feedback/batch")
    async def feedback_batch(request: Request) -> Response:
        try:
            key = caller(request)
            signals = [s if isinstance(s, Exception) else dataclasses.replace(s, client_key=key)
                       for s in msg.feedback_batch_input(await _json(request))]
            results = await record_signals(signals, front.feedback, front.feedback_config)
        except Exception as e:  # the whole batch: unreadable, over max_batch_signals, or the queue is full
            return _error(e)
        return JSONResponse(msg.feedback_batch_json(results))

    @app.get("/health")
    async def health() -> Response:
        if front.healthy():
            return JSONResponse({"status": "ok"})
        return JSONResponse({"status": "engine unavailable"}, status_code=503)

    @app.get("/loraloop/v1/rollouts")
    async def rollouts(request: Request, domain: str = "", events: str = "20") -> Response:
        try:
            caller(request)
            if not events.isdigit():  # parsed here, so a bad value gets our error shape, not FastAPI's 422
                raise InvalidArgument("events", f"{events[:20]!r} is not a count of events")
            views = await front.rollouts.get(domain, int(events))
        except Exception as e:
            return _error(e)
        return JSONResponse({"rollouts": [msg.rollout_json(v) for v in views]})

    if PLAYGROUND_DIR.is_dir():  # last: every path the API does not own
        app.mount("/", StaticFiles(directory=PLAYGROUND_DIR, html=True), name="playground")
    return app


async def _stream(front: HttpFrontend, events: AsyncIterator[AnswerHeader | GenerationChunk], header: AnswerHeader,
                  include_usage: bool) -> AsyncIterator[bytes]:
    """SSE as OpenAI frames it: a role delta, content deltas, the finish, the usage chunk if asked, [DONE].

    When the client hangs up, Starlette cancels this generator; closing `events` then aborts the engine request.
    """
    created, base = int(time.time()), front.base_model_name
    try:
        yield _sse(msg.completion_chunk(header, base, created, delta={"role": "assistant", "content": ""}))
        async for chunk in events:
            if chunk.text:
                yield _sse(msg.completion_chunk(header, base, created, delta={"content": chunk.text}))
            if chunk.finished:
                yield _sse(msg.completion_chunk(header, base, created, finish_reason=chunk.finish_reason or "stop"))
                if include_usage:
                    yield _sse(msg.completion_chunk(header, base, created, usage_of=chunk))
        yield _sse("[DONE]")
    except Exception as e:  # after the headers went out: the error travels as an event, as vLLM sends it
        if not isinstance(e, LoraloopError):
            log.exception("unexpected error in a stream", exc_info=e)
        yield _sse(msg.error_body(e))
        yield _sse("[DONE]")
    finally:
        await events.aclose()
