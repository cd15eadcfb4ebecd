"""Users playing over gRPC: each session asks a pool prompt (routed, sticky user id), reacts, maybe regenerates
or follows up, and sends each answer's signals in one SendFeedbackBatch call."""

from __future__ import annotations

import asyncio
import hashlib
import random
from dataclasses import dataclass, field
from typing import Any

import grpc

from loraloop.client import LoraloopClient
from loraloop.config import SimulateConfig
from loraloop.simulate.prompts import PromptItem
from loraloop.simulate.users import Preference, react
from loraloop.v1 import loraloop_pb2 as pb

__all__ = ["MAX_REGENERATIONS", "RoundResult", "SimUser", "make_users", "play_round", "request_seed"]

MAX_REGENERATIONS = 2  # per question: a user gives up after two regenerations


def request_seed(*parts: Any) -> int:
    """A stable 31-bit sampling seed from the run seed and the request's place in the run."""
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:4], "big") & 0x7FFFFFFF


@dataclass
class SimUser:
    """One simulated user: a sticky id and its own random stream (so users do not shift each other's draws)."""

    id: str
    rng: random.Random


def make_users(config: SimulateConfig) -> list[SimUser]:
    """The population: `users` users of `domain`, each with a seeded random stream."""
    return [SimUser(id=f"sim{config.seed}-{config.domain}-{i:04d}", rng=random.Random(f"{config.seed}:{i}"))
            for i in range(config.users)]


@dataclass
class RoundResult:
    """What one round produced: answer records (adapter, arm, user, thumbs, score) and feedback events sent."""

    answers: list[dict[str, Any]] = field(default_factory=list)
    events: int = 0
    errors: dict[str, int] = field(default_factory=dict)   # status name -> failed chats and refused signals


class _Player:
    def __init__(self, client: LoraloopClient, config: SimulateConfig, preference: Preference,
                 limit: asyncio.Semaphore, round_no: int, phase: str, out: RoundResult):
        self.client, self.config, self.preference = client, config, preference
        self.limit, self.round, self.phase, self.out = limit, round_no, phase, out

    async def _chat(self, user: SimUser, messages: list[dict[str, str]], conversation: str, turn: str,
                    regenerate_of: str = "") -> pb.ChatResponse | None:
        async with self.limit:
            try:
                return await self.client.chat(messages, user_id=user.id, conversation_id=conversation,
                                              max_tokens=self.config.max_tokens, temperature=self.config.temperature,
                                              seed=request_seed(self.config.seed, user.id, self.round, turn),
                                              regenerate_of=regenerate_of)
            except grpc.RpcError as e:
                self._failed(e)
                return None

    async def _signals(self, signals: list[pb.Feedback]) -> None:
        """Send one answer's signals together: one call, each signal acked or refused on its own."""
        if not signals:
            return
        try:
            results = await self.client.send_feedback_batch(signals)
        except grpc.RpcError as e:
            self._failed(e, len(signals))
            return
        for result in results:
            if result.WhichOneof("result") == "ack":
                self.out.events += 1
            else:
                self._count_error(result.error.code)

    def _failed(self, error: grpc.RpcError, calls: int = 1) -> None:
        self._count_error(error.code().name if hasattr(error, "code") else type(error).__name__, calls)

    def _count_error(self, name: str, n: int = 1) -> None:
        self.out.errors[name] = self.out.errors.get(name, 0) + n

    async def session(self, user: SimUser, pool: tuple[PromptItem, ...]) -> None:
        item = pool[user.rng.randrange(len(pool))]
        conversation = f"{user.id}-r{self.round}"
        messages = [{"role": "user", "content": item.text}]
        reply = await self._chat(user, messages, conversation, "q")
        regenerations, followed = 0, 0
        while reply is not None:
            reaction = react(self.preference, reply.text, user.rng, self.config,
                             can_regenerate=regenerations < MAX_REGENERATIONS,
                             can_follow_up=followed < len(item.follow_ups))
            self.out.answers.append({"adapter": reply.adapter, "arm": reply.arm, "user": user.id,
                                     "thumbs": reaction.thumbs, "score": reaction.score, "round": self.round,
                                     "phase": self.phase})
            signals = []
            if reaction.thumbs:
                signals.append(self.client.feedback(reply.response_id,
                                                    pb.THUMBS_UP if reaction.thumbs > 0 else pb.THUMBS_DOWN))
            if reaction.copy:
                signals.append(self.client.feedback(reply.response_id, pb.COPY))
            if reaction.dwell_ms:
                signals.append(self.client.feedback(reply.response_id, pb.DWELL, dwell_ms=reaction.dwell_ms))
            await self._signals(signals)
            if reaction.regenerate:
                regenerations += 1
                self.out.events += 1  # the server records REGENERATE on the old answer
                reply = await self._chat(user, messages, conversation, f"regen{regenerations}",
                                         regenerate_of=reply.response_id)
            elif reaction.follow_up:
                followed += 1
                self.out.events += 1  # the server infers FOLLOW_UP from the next turn
                messages = [*messages, {"role": "assistant", "content": reply.text},
                            {"role": "user", "content": item.follow_ups[followed - 1]}]
                # The first follow-up keeps its seed name ("follow"): the first two turns sample as they did.
                reply = await self._chat(user, messages, conversation, "follow" if followed == 1 else f"follow{followed}")
            else:
                reply = None


async def play_round(client: LoraloopClient, config: SimulateConfig, preference: Preference,
                     users: list[SimUser], pool: tuple[PromptItem, ...], round_no: int, phase: str) -> RoundResult:
    """Every user plays one session, `concurrency` requests in flight; answers are recorded in user order."""
    out = RoundResult()
    limit = asyncio.Semaphore(config.concurrency)
    per_user = [RoundResult() for _ in users]
    players = [_Player(client, config, preference, limit, round_no, phase, r) for r in per_user]
    await asyncio.gather(*(p.session(u, pool) for p, u in zip(players, users)))
    for r in per_user:  # merge in user order: the record does not depend on which request finished first
        out.answers += r.answers
        out.events += r.events
        for name, n in r.errors.items():
            out.errors[name] = out.errors.get(name, 0) + n
    return out
