"""Simulated sessions go on for up to three turns, long enough for the pair builder's anti-repetition pairs.

A fake client stands in for the server (no model): it answers every chat and acks every signal, and what it
saw is replayed into a real feedback store and pair builder.
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace

from loraloop.config import SimulateConfig
from loraloop.feedback.pairs import ANTI_REPETITION, PairBuilder
from loraloop.feedback.store import FeedbackStore, SignalKind, SignalRecord
from loraloop.simulate.prompts import MAX_FOLLOW_UPS, prompt_pools
from loraloop.simulate.sessions import make_users, play_round
from loraloop.simulate.users import parse_preference
from loraloop.v1 import loraloop_pb2 as pb
from tests.db_rows import table_rows
from tests.feedback.records import answer


class FakeClient:
    """Answers every chat with a short, numbered answer; acks every signal; remembers both."""

    def __init__(self) -> None:
        self.chats: list[dict] = []
        self.signals: list[pb.Feedback] = []
        self._ids = itertools.count(1)

    async def chat(self, messages, *, conversation_id, **_):
        rid = f"r{next(self._ids)}"
        self.chats.append({"id": rid, "conversation": conversation_id, "messages": list(messages)})
        return SimpleNamespace(response_id=rid, text=f"Short answer {rid}.", adapter="finance@v1", arm="stable")

    @staticmethod
    def feedback(response_id, kind, *, dwell_ms=0):
        return pb.Feedback(response_id=response_id, kind=kind, dwell_ms=dwell_ms)

    async def send_feedback_batch(self, signals):
        self.signals += signals
        return [SimpleNamespace(WhichOneof=lambda _: "ack") for _ in signals]


async def test_satisfied_users_follow_up_twice_and_their_chats_yield_parrot_pairs(tmp_path):
    config = SimulateConfig(users=6, follow_up_prob=1.0, rate_prob=1.0, noise=0.0, dwell_prob=0.0, copy_prob=0.0)
    pool = prompt_pools("finance", eval_share=0.3, seed=0).pool
    client = FakeClient()
    result = await play_round(client, config, parse_preference("concise"), make_users(config), pool, 1, "test")
    turns = {}
    for chat in client.chats:
        turns.setdefault(chat["conversation"], []).append(chat)
    assert len(turns) == 6 and all(len(chats) == 1 + MAX_FOLLOW_UPS for chats in turns.values())
    for chats in turns.values():  # each turn continues the conversation with the item's next follow-up
        last = chats[-1]["messages"]
        assert [m["role"] for m in last] == ["user", "assistant"] * MAX_FOLLOW_UPS + ["user"]
        assert last[1]["content"] == f"Short answer {chats[0]['id']}." and last[3]["content"] == f"Short answer {chats[1]['id']}."
    assert result.events == len(client.signals) + 6 * MAX_FOLLOW_UPS  # thumbs sent, plus inferred follow-ups

    store = FeedbackStore(tmp_path / "fb.sqlite")
    try:
        store.write_batch([answer(c["id"], conversation=c["conversation"],
                                  messages=tuple((m["role"], m["content"]) for m in c["messages"]),
                                  text=f"Short answer {c['id']}.") for c in client.chats])
        store.write_batch([SignalRecord(response_id=s.response_id, kind=SignalKind.THUMBS_UP)
                           for s in client.signals if s.kind == pb.THUMBS_UP])
        PairBuilder(store.db).build()
        parrots = [r for r in table_rows(store.db, "pairs") if r["source"] == ANTI_REPETITION]
        # Every conversation yields them: turn 2 and turn 3 were rated up; each conversation is capped at two.
        assert len(parrots) == 6 * 2 and len({r["chosen_response_id"] for r in parrots}) == 6 * 2
    finally:
        store.close()
