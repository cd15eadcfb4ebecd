"""A small asyncio client for the loraloop gRPC API, used by the CLI, tests and benchmarks."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence

import grpc

from loraloop.tls import ClientTls
from loraloop.v1 import loraloop_pb2 as pb
from loraloop.v1 import loraloop_pb2_grpc as pb_grpc

__all__ = ["LoraloopClient", "messages_of"]


def messages_of(prompt: str | Sequence[tuple[str, str]] | Sequence[dict[str, str]]) -> list[pb.Message]:
    """A user string, (role, content) pairs or {role, content} dicts as proto messages."""
    if isinstance(prompt, str):
        return [pb.Message(role="user", content=prompt)]
    out = []
    for item in prompt:
        role, content = (item["role"], item["content"]) if isinstance(item, dict) else item
        out.append(pb.Message(role=role, content=content))
    return out


class LoraloopClient:
    """Chat and admin calls over one channel: `async with LoraloopClient("127.0.0.1:50051") as c: ...`."""

    def __init__(self, target: str, *, admin_token: str = "", api_key: str = "", tls: ClientTls | None = None,
                 operator: str = "", timeout: float | None = 300.0):
        """`api_key` authenticates Chat calls, `admin_token` Admin calls; `tls` makes the channel TLS (mTLS with
        a client certificate); `operator` names the person behind Admin calls in the server's audit log."""
        self.target = target
        self._channel = (grpc.aio.secure_channel(target, tls.grpc_credentials()) if tls is not None
                         else grpc.aio.insecure_channel(target))
        self._key_metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self._operator = operator
        self._chat = pb_grpc.ChatStub(self._channel)
        self._admin = pb_grpc.AdminStub(self._channel)
        self._admin_token = admin_token
        self._timeout = timeout

    async def __aenter__(self) -> LoraloopClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        """Close the channel."""
        await self._channel.close()

    @staticmethod
    def request(prompt: str | Sequence, *, adapter: str = "", max_tokens: int = 0, temperature: float | None = None,
                top_p: float | None = None, seed: int | None = None, stop: Iterable[str] = (),
                conversation_id: str = "", user_id: str = "", regenerate_of: str = "") -> pb.ChatRequest:
        """Build a ChatRequest; temperature=0 asks for greedy decoding."""
        sampling = pb.SamplingParams(max_tokens=max_tokens, stop=list(stop))
        if temperature is not None:
            sampling.temperature = temperature
        if top_p is not None:
            sampling.top_p = top_p
        if seed is not None:
            sampling.seed = seed
        return pb.ChatRequest(conversation_id=conversation_id, user_id=user_id, messages=messages_of(prompt),
                              adapter=adapter, sampling=sampling, regenerate_of=regenerate_of)

    async def chat(self, prompt: str | Sequence | pb.ChatRequest, **kwargs) -> pb.ChatResponse:
        """One unary answer (kwargs as in `request`)."""
        request = prompt if isinstance(prompt, pb.ChatRequest) else self.request(prompt, **kwargs)
        return await self._chat.Chat(request, metadata=self._key_metadata, timeout=self._timeout)

    async def stream(self, prompt: str | Sequence | pb.ChatRequest, **kwargs) -> AsyncIterator[pb.ChatChunk]:
        """Streamed answer chunks (kwargs as in `request`)."""
        request = prompt if isinstance(prompt, pb.ChatRequest) else self.request(prompt, **kwargs)
        async for chunk in self._chat.ChatStream(request, metadata=self._key_metadata, timeout=self._timeout):
            yield chunk

    @staticmethod
    def feedback(response_id: str, kind: int, *, dwell_ms: int = 0, correction_text: str = "",
                 idempotency_key: str = "") -> pb.Feedback:
        """Build a Feedback message (kind: a `loraloop_pb2.FeedbackKind` value)."""
        return pb.Feedback(response_id=response_id, kind=kind, dwell_ms=dwell_ms, correction_text=correction_text,
                           idempotency_key=idempotency_key)

    async def send_feedback(self, response_id: str, kind: int, *, dwell_ms: int = 0, correction_text: str = "",
                            idempotency_key: str = "") -> pb.FeedbackAck:
        """Send one user signal (kind: a `loraloop_pb2.FeedbackKind` value); returns once it is durable."""
        return await self.send_feedback_message(self.feedback(
            response_id, kind, dwell_ms=dwell_ms, correction_text=correction_text, idempotency_key=idempotency_key))

    async def send_feedback_message(self, feedback: pb.Feedback) -> pb.FeedbackAck:
        """Send a prepared Feedback message."""
        return await self._chat.SendFeedback(feedback, metadata=self._key_metadata, timeout=self._timeout)

    async def send_feedback_batch(self, signals: Iterable[pb.Feedback]) -> list[pb.FeedbackResult]:
        """Send several signals in one call (build them with `feedback`); returns once they are durable.

        One result per signal, in order: `result.WhichOneof("result")` is "ack" (`result.ack`) or "error"
        (`result.error.code`, a status name such as "NOT_FOUND", and `result.error.message`). A batch over the
        server's max_batch_signals fails whole with INVALID_ARGUMENT.
        """
        ack = await self._chat.SendFeedbackBatch(pb.FeedbackBatch(signals=list(signals)), metadata=self._key_metadata,
                                                 timeout=self._timeout)
        return list(ack.results)

    async def list_adapters(self) -> list[pb.AdapterInfo]:
        """Every published adapter version with its serving state."""
        return list((await self.list_adapters_response()).adapters)

    async def list_adapters_response(self) -> pb.ListAdaptersResponse:
        """ListAdapters' whole answer: the versions and the base model's quantization."""
        return await self._chat.ListAdapters(pb.ListAdaptersRequest(), metadata=self._key_metadata, timeout=self._timeout)

    def _admin_metadata(self) -> tuple[tuple[str, str], ...]:
        token = (("authorization", f"Bearer {self._admin_token}"),) if self._admin_token else ()
        return token + ((("x-loraloop-operator", self._operator),) if self._operator else ())

    async def load_adapter(self, adapter: str, *, keep_active: bool = False) -> pb.AdapterInfo:
        """Admin: load a published version (and make it active unless keep_active)."""
        return await self._admin.LoadAdapter(pb.LoadAdapterRequest(adapter=adapter, keep_active=keep_active),
                                             metadata=self._admin_metadata(), timeout=self._timeout)

    async def unload_adapter(self, adapter: str) -> pb.AdapterInfo:
        """Admin: unload a version that is not active."""
        return await self._admin.UnloadAdapter(pb.UnloadAdapterRequest(adapter=adapter),
                                               metadata=self._admin_metadata(), timeout=self._timeout)

    async def probe_adapter(self, adapter: str, prompts: list[list[dict[str, str]]], *,
                            max_tokens: int = 0) -> pb.ProbeAdapterResponse:
        """Admin: greedy answers of one version to fixed prompts, on the serving engine, not recorded."""
        request = pb.ProbeAdapterRequest(adapter=adapter, max_tokens=max_tokens, prompts=[
            pb.ProbePrompt(messages=[pb.Message(role=m["role"], content=m["content"]) for m in messages])
            for messages in prompts])
        return await self._admin.ProbeAdapter(request, metadata=self._admin_metadata(), timeout=self._timeout)

    async def get_rollout(self, domain: str = "", *, events: int = 0) -> list[pb.Rollout]:
        """Admin: the rollout of one domain (or of every domain with one), with its recent transitions."""
        response = await self._admin.GetRollout(pb.GetRolloutRequest(domain=domain, events=events),
                                                metadata=self._admin_metadata(), timeout=self._timeout)
        return list(response.rollouts)

    async def set_rollout(self, domain: str, action: str, *, canary_version: int = 0, schedule: Sequence[float] = (),
                          min_rated_per_step: int = 0, reason: str = "") -> pb.Rollout:
        """Admin: start (canary_version, schedule), pause, resume, promote or roll back a domain's canary."""
        request = pb.SetRolloutRequest(domain=domain, action=action, canary_version=canary_version,
                                       schedule=list(schedule), min_rated_per_step=min_rated_per_step, reason=reason)
        return await self._admin.SetRollout(request, metadata=self._admin_metadata(), timeout=self._timeout)

    async def reload_router(self) -> pb.ReloadRouterResponse:
        """Admin: load the intent router again from its file."""
        return await self._admin.ReloadRouter(pb.ReloadRouterRequest(), metadata=self._admin_metadata(),
                                              timeout=self._timeout)
