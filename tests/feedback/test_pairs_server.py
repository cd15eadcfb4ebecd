"""A scripted user session through the real server: the pairs that come out are exactly the expected ones."""

from __future__ import annotations

import asyncio
import sqlite3

from sqlite_utils import Database

from loraloop.feedback.pairs import PairBuilder
from loraloop.v1 import loraloop_pb2 as pb

SAMPLED = dict(temperature=1.0, max_tokens=24)  # different seeds: different answers to the same prompt


_seeds = iter(range(1000, 2000))


async def ask(client, prompt, conversation, **kwargs):
    """A sampled answer with a seed of its own, so answers to the same prompt differ."""
    return await client.chat(prompt, adapter="medical", conversation_id=conversation, seed=next(_seeds),
                             **SAMPLED, **kwargs)


async def recorded(db_url, *response_ids):
    for _ in range(200):
        conn = sqlite3.connect(db_url)
        n = conn.execute(f"SELECT COUNT(*) FROM responses WHERE id IN ({','.join('?' * len(response_ids))})",
                         response_ids).fetchone()[0]
        conn.close()
        if n == len(response_ids):
            return
        await asyncio.sleep(0.05)
    raise AssertionError("answers not recorded")


async def test_scripted_session_yields_exactly_the_expected_pairs(client, feedback_config):
    db_url = feedback_config.db_file()
    s = "scripted-"  # prompts unique to this test, so other tests' answers never join these groups
    # Row 1, explicit: up vs down, up vs unrated, unrated vs down (three answers to one prompt).
    up, down, plain = [await ask(client, s + "How do I treat a minor burn?", f"{s}a{i}") for i in range(3)]
    await client.send_feedback(up.response_id, pb.THUMBS_UP)
    await client.send_feedback(down.response_id, pb.THUMBS_DOWN)
    # Row 2, correction.
    fixme = await ask(client, s + "Can children take aspirin?", f"{s}b")
    await client.send_feedback(fixme.response_id, pb.CORRECTION, correction_text="No. Ask a doctor first.")
    # Row 3, regenerate: the kept final answer beats each regenerated-away one.
    first = await ask(client, s + "What helps a sore throat?", f"{s}c")
    second = await ask(client, s + "What helps a sore throat?", f"{s}c", regenerate_of=first.response_id)
    final = await ask(client, s + "What helps a sore throat?", f"{s}c", regenerate_of=second.response_id)
    # Row 4, copy: beats a weaker answer to the same prompt.
    copied, other = [await ask(client, s + "How much water should adults drink?", f"{s}d{i}") for i in range(2)]
    await client.send_feedback(copied.response_id, pb.COPY)
    # Row 5, follow-up: a weak positive, inferred from the next turn; no pair on its own.
    followed = await ask(client, s + "Is coffee bad for me?", f"{s}e")
    await ask(client, [("user", s + "Is coffee bad for me?"), ("assistant", followed.text), ("user", "And tea?")],
              f"{s}e")
    # Row 6, dwell: pairs only across the margin (read closely vs skipped).
    read, skimmed = [await ask(client, s + "What is a normal heart rate?", f"{s}f{i}") for i in range(2)]
    await client.send_feedback(read.response_id, pb.DWELL, dwell_ms=100 * max(len(read.text), 1))
    await client.send_feedback(skimmed.response_id, pb.DWELL, dwell_ms=1)
    # Conflict: thumbs-down outranks an earlier copy. Duplicate: a retried signal counts once.
    conflicted, rival = [await ask(client, s + "Should I stretch before running?", f"{s}g{i}") for i in range(2)]
    await client.send_feedback(conflicted.response_id, pb.COPY)
    for _ in range(3):
        await client.send_feedback(conflicted.response_id, pb.THUMBS_DOWN, idempotency_key=f"{s}retry")

    everything = [up, down, plain, fixme, first, second, final, copied, other, followed, read, skimmed, conflicted, rival]
    await recorded(db_url, *(r.response_id for r in everything))
    texts = {r.response_id: r.text for r in everything}
    for group in ([up, down, plain], [first, second, final], [copied, other], [read, skimmed], [conflicted, rival]):
        assert len({r.text for r in group}) == len(group), "answers to one prompt must differ to make pairs"

    db = Database(sqlite3.connect(db_url, timeout=30))
    PairBuilder(db).build()
    ids = set(texts)
    got = {(r["chosen_response_id"] or r["chosen"], r["rejected_response_id"], r["source"])
           for r in db["pairs"].rows if r["rejected_response_id"] in ids}
    expected = {
        (up.response_id, down.response_id, "thumbs"), (up.response_id, plain.response_id, "thumbs"),
        (plain.response_id, down.response_id, "thumbs"),
        ("No. Ask a doctor first.", fixme.response_id, "correction"),
        (final.response_id, first.response_id, "regenerate"), (final.response_id, second.response_id, "regenerate"),
        (copied.response_id, other.response_id, "copy_share"),
        (read.response_id, skimmed.response_id, "dwell"),
        (rival.response_id, conflicted.response_id, "thumbs"),
    }
    assert got == expected
    assert db.execute("SELECT COUNT(*) FROM signals WHERE idempotency_key = ?", [f"{s}retry"]).fetchone()[0] == 1
    label = db.execute("SELECT label, source FROM labels WHERE label_key = ?", [followed.response_id]).fetchone()
    assert label == (1, "follow_up")
    again = PairBuilder(db).build()
    assert again.pairs_added == 0  # nothing is emitted twice
