"""The chat path: admission, adapter lease, chat template, generation and its metrics."""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.adapters import BASE, AdapterRef, AdapterSpec
from loraloop.config import ServeConfig
from loraloop.errors import InvalidArgument, Overloaded, ResponseNotFound, status_name
from loraloop.feedback.store import ErrorRecord, ResponseRecord, response_exists
from loraloop.feedback.writer import FeedbackWriter
from loraloop.serve.engine import Engine, GenerationChunk
from loraloop.serve.metrics import ServeMetrics, adapter_labels
from loraloop.serve.registry import AdapterRegistry
from loraloop.serve.routing import Decision, RequestRouter
from loraloop.serve.validation import ChatCall, ChatInput, validate_chat

__all__ = ["AnswerHeader", "ChatService"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class AnswerHeader:
    """What is known about an answer before its first token: its id and who answers."""

    response_id: str
    adapter: str          # "domain@vN" or "base"
    arm: str              # "stable", "canary", or "pinned" when the client named a version
    route_domain: str
    route_confidence: float


class ChatService:
    """Answers validated chat calls on the engine, one adapter version per request."""

    def __init__(self, *, engine: Engine, registry: AdapterRegistry, tokenizer: Any, config: ServeConfig,
                 metrics: ServeMetrics, routing: RequestRouter, feedback: FeedbackWriter | None = None,
                 feedback_db: Path | None = None, on_route: Callable[[Decision], None] | None = None):
        self._engine = engine
        self._routing = routing
        self._on_route = on_route
        self._registry = registry
        self._tokenizer = tokenizer
        self._config = config
        self._metrics = metrics
        self._feedback = feedback
        self._feedback_db = feedback_db
        self._in_flight = 0

    @property
    def sampling_defaults(self) -> dict[str, float]:
        """The model's own sampling defaults (generation_config.json) for fields a request leaves unset."""
        return self._engine.sampling_defaults

    @property
    def in_flight(self) -> int:
        """Requests being answered now."""
        return self._in_flight

    def validated(self, request: ChatInput) -> ChatCall:
        """A frontend's chat input checked against the config and the model's sampling defaults.

        The one place every frontend validates a chat, so a refusal is counted once whichever API received it.
        """
        try:
            return validate_chat(request, self._config, self.sampling_defaults)
        except InvalidArgument:
            self.count_rejected("INVALID_ARGUMENT")
            raise

    def count_rejected(self, status: str) -> None:
        """Count a request refused before it reached an adapter (bad input, overload)."""
        self._metrics.rejected.labels(status).inc()

    def prompt_token_ids(self, messages: tuple[dict[str, str], ...]) -> list[int]:
        """The chat-templated prompt, tokenized exactly as the adapters were trained."""
        return list(self._tokenizer.apply_chat_template(list(messages), add_generation_prompt=True,
                                                        tokenize=True, return_dict=False))

    async def answer(self, call: ChatCall) -> AsyncIterator[AnswerHeader | GenerationChunk]:
        """Yield the header, then text chunks; the last chunk is `finished`. The answer is recorded after."""
        if self._in_flight >= self._config.max_concurrent_requests:
            self.count_rejected("RESOURCE_EXHAUSTED")
            raise Overloaded(f"server at capacity: {self._in_flight} requests in flight "
                             f"(max_concurrent_requests={self._config.max_concurrent_requests}); retry later")
        self._in_flight += 1
        self._metrics.in_flight.inc()
        started = time.monotonic()
        labels: tuple[str, str, str] | None = None
        reservation = None
        decision: Decision | None = None
        ref: AdapterRef | None = None
        try:
            prompt = self._checked_prompt(call)
            if self._feedback:
                reservation = self._feedback.reserve()  # the slot the answer's record will need
                if call.regenerate_of:
                    await self._check_answer_exists(call.regenerate_of, "regenerate_of")
            decision = self._routing.decide(call)
            if self._on_route:
                self._on_route(decision)
            async with self._registry.lease(decision.spec) as lease:
                ref = lease.ref if lease else None
                labels = (*adapter_labels(ref), decision.arm)
                header = AnswerHeader(response_id=f"r-{uuid.uuid4().hex}", adapter=ref.key if ref else BASE,
                                      arm=decision.arm, route_domain=decision.route_domain,
                                      route_confidence=decision.route_confidence)
                yield header
                ttft, parts, last = None, [], None
                async for chunk in self._engine.generate(uuid.uuid4().hex, prompt, call.sampling,
                                                         lease.engine_adapter() if lease else None,
                                                         stream=call.stream):
                    # TTFT exists where the client sees a first token: streams. A unary answer arrives whole.
                    if ttft is None and call.stream:
                        ttft = time.monotonic() - started
                        self._metrics.ttft.labels(*labels).observe(ttft)
                    parts.append(chunk.text)
                    if chunk.finished:
                        last = chunk
                        self._metrics.prompt_tokens.labels(*labels[:2]).inc(chunk.prompt_tokens)
                        self._metrics.completion_tokens.labels(*labels[:2]).inc(chunk.completion_tokens)
                    yield chunk
            latency = time.monotonic() - started
            self._metrics.requests.labels(*labels, "OK").inc()
            self._metrics.frontend_requests.labels(call.frontend, "OK").inc()
            self._metrics.latency.labels(*labels).observe(latency)
            if reservation and last:
                record = self._record(call, header, ref, "".join(parts), last, ttft, latency)
                reservation.submit(record).add_done_callback(self._log_write_failure)
                reservation = None
        except BaseException as e:
            status = "CANCELLED" if not isinstance(e, Exception) else status_name(e)
            self._metrics.frontend_requests.labels(call.frontend, status).inc()
            if labels is None:
                self.count_rejected(status)
            else:
                self._metrics.requests.labels(*labels, status).inc()
                if reservation and decision and decision.spec and status != "CANCELLED":
                    # The rollout's error-rate guardrail counts these per arm.
                    error = ErrorRecord(domain=decision.spec.domain, version=ref.version if ref else None,
                                        arm=decision.arm, status=status)
                    reservation.submit(error).add_done_callback(self._log_write_failure)
                    reservation = None
            raise
        finally:
            if reservation:
                reservation.release()
            self._in_flight -= 1
            self._metrics.in_flight.dec()

    async def probe(self, spec: AdapterSpec | None, calls: list[ChatCall]) -> tuple[str, list[GenerationChunk]]:
        """Answer validated calls on one named version (None = base), concurrently; nothing is recorded.

        For the served-base gate: the version is loaded on demand but never made active, no arm or route is
        involved, and the calls count against max_concurrent_requests like any chat.
        """
        if self._in_flight + len(calls) > self._config.max_concurrent_requests:
            raise Overloaded(f"server at capacity: {self._in_flight} requests in flight, a probe of {len(calls)} "
                             f"prompts would pass max_concurrent_requests={self._config.max_concurrent_requests}")
        self._in_flight += len(calls)
        try:
            prompts = [self._checked_prompt(call) for call in calls]
            async with self._registry.lease(spec) as lease:
                adapter = lease.engine_adapter() if lease else None

                async def one(prompt: list[int], call: ChatCall) -> GenerationChunk:
                    text, last = [], None
                    async for chunk in self._engine.generate(uuid.uuid4().hex, prompt, call.sampling, adapter,
                                                             stream=False):
                        text.append(chunk.text)
                        last = chunk
                    return GenerationChunk(text="".join(text), prompt_tokens=last.prompt_tokens,
                                           completion_tokens=last.completion_tokens, finished=True,
                                           finish_reason=last.finish_reason)

                answers = await asyncio.gather(*(one(p, c) for p, c in zip(prompts, calls)))
                return (lease.ref.key if lease else BASE), list(answers)
        finally:
            self._in_flight -= len(calls)

    async def _check_answer_exists(self, response_id: str, field: str) -> None:
        if self._feedback.is_pending(response_id):
            return
        if not await asyncio.to_thread(response_exists, self._feedback_db, response_id):
            raise ResponseNotFound(f"{field}: no answer with response id {response_id!r}")

    @staticmethod
    def _record(call: ChatCall, header: AnswerHeader, ref: AdapterRef | None, text: str, last: GenerationChunk,
                ttft: float | None, latency: float) -> ResponseRecord:
        sampling = call.sampling
        return ResponseRecord(
            id=header.response_id, conversation_id=call.conversation_id, user_id=call.user_id,
            messages=call.messages, text=text, adapter=header.adapter, domain=ref.domain if ref else "",
            version=ref.version if ref else None, arm=header.arm, route_domain=header.route_domain,
            route_confidence=header.route_confidence,
            sampling={"max_tokens": sampling.max_tokens, "temperature": sampling.temperature,
                      "top_p": sampling.top_p, "seed": sampling.seed, "stop": list(sampling.stop)},
            prompt_tokens=last.prompt_tokens, completion_tokens=last.completion_tokens, ttft_s=ttft,
            latency_s=latency, finish_reason=last.finish_reason or "", regenerate_of=call.regenerate_of,
            frontend=call.frontend, client_key=call.client_key)

    def _log_write_failure(self, future) -> None:
        if future.exception() is not None:
            self._metrics.feedback_write_failures.inc()
            log.error("recording an answer failed: %s", future.exception())

    def _checked_prompt(self, call: ChatCall) -> list[int]:
        prompt = self.prompt_token_ids(call.messages)
        context = self._engine.max_model_len
        if len(prompt) >= context:
            raise InvalidArgument("messages", f"the prompt is {len(prompt)} tokens; the model's context is {context} tokens")
        if len(prompt) + call.sampling.max_tokens > context:
            raise InvalidArgument("sampling.max_tokens",
                                  f"{call.sampling.max_tokens} new tokens after a {len(prompt)}-token prompt exceed "
                                  f"the model's context of {context} tokens (at most {context - len(prompt)})")
        return prompt
