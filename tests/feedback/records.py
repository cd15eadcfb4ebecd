"""Feedback rows for store, pair-builder and export tests."""

from __future__ import annotations

from loraloop.feedback.store import ResponseRecord, SignalKind, SignalRecord


def answer(rid, *, conversation="c1", messages=(("user", "hi"),), text="hello there", regenerate_of=""):
    """A recorded answer of medical@v1 with plausible serving fields."""
    return ResponseRecord(
        id=rid, conversation_id=conversation, user_id="u1",
        messages=tuple({"role": r, "content": c} for r, c in messages), text=text, adapter="medical@v1",
        domain="medical", version=1, arm="stable", route_domain="medical", route_confidence=1.0,
        sampling={"max_tokens": 8}, prompt_tokens=3, completion_tokens=4, ttft_s=0.01, latency_s=0.1,
        finish_reason="stop", regenerate_of=regenerate_of)


def say(store, rid, prompt, text=None, **kwargs):
    """Store one answer to `prompt` in its own conversation."""
    store.write_batch([answer(rid, conversation=f"conv-{rid}", messages=(("user", prompt),),
                              text=text or f"answer {rid} " + "x" * 40, **kwargs)])


def signal(store, rid, kind, **kwargs):
    """Store one signal on answer `rid`; returns its id."""
    [ack] = store.write_batch([SignalRecord(response_id=rid, kind=kind, **kwargs)])
    return ack.signal_id


def rated_prompts(store, n):
    """`n` prompts with two answers each, one thumbed up and one down: `n` preference pairs to build."""
    for i in range(n):
        say(store, f"up{i}", f"q{i}")
        say(store, f"down{i}", f"q{i}")
        signal(store, f"up{i}", SignalKind.THUMBS_UP)
        signal(store, f"down{i}", SignalKind.THUMBS_DOWN)
