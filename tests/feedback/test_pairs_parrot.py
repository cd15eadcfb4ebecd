"""Anti-repetition pairs: a good answer at turn >= 2 beats a copy of the user's question or of the previous
answer; capped per conversation, marked by source, incremental, never duplicated."""

from __future__ import annotations

import json

import pytest

from loraloop.feedback import pairs as pairs_module
from loraloop.feedback.pairs import ANTI_REPETITION, MAX_PARROT_PAIRS_PER_CONVERSATION, PairBuilder
from loraloop.feedback.store import SignalKind
from tests.db_rows import table_rows
from tests.feedback.records import answer, signal

K = SignalKind
QUESTIONS = ("Why does my knee hurt after running?", "Should I stop running for a while?", "And what about cycling?",
             "How long until I can race again?")


def chat(store, conversation: str, turns: int, *, prefix: str = "") -> list[str]:
    """One conversation of `turns` answers (each turn continues from the previous answer); their ids."""
    messages: list[tuple[str, str]] = []
    ids = []
    for n in range(turns):
        messages.append(("user", prefix + QUESTIONS[n]))
        rid = f"{conversation}-t{n + 1}"
        text = f"Answer {n + 1} of {conversation}: rest, ice and gentle stretching help most knees."
        store.write_batch([answer(rid, conversation=conversation, messages=tuple(messages), text=text)])
        messages.append(("assistant", text))
        ids.append(rid)
    return ids


def parrots(store) -> dict[str, tuple[str, str, str]]:
    """pair_key -> (chosen response id, rejected text, rejected_adapter) of every anti-repetition pair."""
    return {r["pair_key"]: (r["chosen_response_id"], r["rejected"], r["rejected_adapter"])
            for r in table_rows(store.db, "pairs") if r["source"] == ANTI_REPETITION}


def test_a_good_second_turn_beats_a_copy_of_the_question_and_of_the_previous_answer(store):
    t1, t2 = chat(store, "c", 2)
    signal(store, t2, K.THUMBS_UP)
    signal(store, t1, K.THUMBS_UP)  # turn 1 is good too, but has nothing earlier to repeat
    report = PairBuilder(store.db).build()
    first = store.response(t1)["text"]
    assert parrots(store) == {f"parrot:{t2}:user": (t2, QUESTIONS[1], "copy:user"),
                              f"parrot:{t2}:assistant": (t2, first, "copy:assistant")}
    rows = [r for r in table_rows(store.db, "pairs") if r["source"] == ANTI_REPETITION]
    assert all(r["chosen"] == store.response(t2)["text"] and r["rejected_response_id"] == t2 for r in rows)
    assert all(json.loads(r["prompt"])[-1] == {"role": "user", "content": QUESTIONS[1]} for r in rows)
    assert all(r["weight"] == 1.0 and json.loads(r["signal_ids"]) for r in rows)  # the thumbs' weight and id
    assert report.pairs_added == 2


def test_unrated_or_bad_answers_and_first_turns_make_none(store):
    chat(store, "quiet", 3)  # turns 1 and 2 get FOLLOW_UP (inferred); turn 3 stays unrated
    bad = chat(store, "bad", 2)
    signal(store, bad[1], K.THUMBS_DOWN)
    single = chat(store, "single", 1)
    signal(store, single[0], K.COPY)
    PairBuilder(store.db).build()
    # Only turn 2 of "quiet" is judged good (by the follow-up the user asked after it).
    assert {k for k in parrots(store)} == {"parrot:quiet-t2:user", "parrot:quiet-t2:assistant"}


def test_a_long_conversation_is_capped_and_both_copies_are_taught(store):
    ids = chat(store, "long", 4)
    for rid in ids:
        signal(store, rid, K.THUMBS_UP)
    PairBuilder(store.db).build()
    got = parrots(store)
    assert len(got) == MAX_PARROT_PAIRS_PER_CONVERSATION == 2
    # Turn 2 leads with the user's question, turn 3 with the previous answer: both kinds, earliest turns first.
    assert set(got) == {"parrot:long-t2:user", "parrot:long-t3:assistant"}
    PairBuilder(store.db, max_parrot_pairs_per_conversation=5).build()
    assert set(parrots(store)) == set(got)  # nothing changed since, so nothing was re-derived


@pytest.mark.parametrize("cap, expected", [(0, 0), (1, 1), (6, 6)])
def test_the_cap_is_a_parameter(store, cap, expected):
    for rid in chat(store, "long", 4):
        signal(store, rid, K.THUMBS_UP)
    PairBuilder(store.db, max_parrot_pairs_per_conversation=cap).build()
    assert len(parrots(store)) == expected  # 3 good answers past turn 1, two copies each: 6 at most


def test_incremental_builds_never_duplicate_and_follow_re_judged_answers(store):
    t1, t2, t3 = chat(store, "c", 3)
    signal(store, t3, K.THUMBS_UP)
    builder = PairBuilder(store.db)
    builder.build()
    before = {r["pair_key"]: (r["id"], r["created_at"]) for r in table_rows(store.db, "pairs") if r["source"] == ANTI_REPETITION}
    assert set(before) == {f"parrot:{t2}:user", f"parrot:{t3}:assistant"}  # t2: its follow-up; t3: the thumb
    # A new signal on the same conversation re-judges its groups; pairs already stored keep their ids.
    signal(store, t1, K.THUMBS_UP)
    again = builder.build()
    after = {r["pair_key"]: (r["id"], r["created_at"]) for r in table_rows(store.db, "pairs") if r["source"] == ANTI_REPETITION}
    assert after == before and again.pairs_added == 0
    # t3 turns bad: its pair goes, and the conversation's freed place goes to t2's second copy.
    signal(store, t3, K.THUMBS_DOWN)
    report = builder.build()
    assert set(parrots(store)) == {f"parrot:{t2}:user", f"parrot:{t2}:assistant"}
    assert (report.pairs_added, report.pairs_removed) >= (1, 1)
    assert len(list(table_rows(store.db, "pairs", "WHERE pair_key LIKE 'parrot:%'"))) == 2
    assert builder.build().pairs_added == 0


def test_a_copy_equal_to_the_answer_is_not_a_pair(store):
    store.write_batch([answer("p1", conversation="echo", messages=(("user", "Say hi"),), text="hi")])
    store.write_batch([answer("p2", conversation="echo", messages=(("user", "Say hi"), ("assistant", "hi"),
                                                                     ("user", "Again")), text="hi")])
    signal(store, "p2", K.THUMBS_UP)
    PairBuilder(store.db).build()
    assert set(parrots(store)) == {"parrot:p2:user"}  # the previous answer is the same text: no pair of it


def test_pii_in_the_copied_turn_is_scrubbed(store):
    chat(store, "pii", 1, prefix="My email is jane.doe@example.com. ")
    store.write_batch([answer("pii-t2", conversation="pii", messages=(
        ("user", "My email is jane.doe@example.com. " + QUESTIONS[0]), ("assistant", "Rest it."),
        ("user", "Write to jane.doe@example.com please")), text="I cannot send email, but rest helps.")])
    signal(store, "pii-t2", K.THUMBS_UP)
    PairBuilder(store.db).build()
    rows = [r for r in table_rows(store.db, "pairs") if r["source"] == ANTI_REPETITION]
    assert rows and all("jane.doe@example.com" not in r["rejected"] + r["prompt"] for r in rows)


@pytest.mark.parametrize("chunk", [1, 2, 500])
def test_conversations_judged_in_chunks_get_the_same_parrot_pairs_as_one_by_one(store, monkeypatch, chunk):
    # The parrot pass reads and rewrites conversations a chunk at a time; the cap and the stale-pair removal
    # stay per conversation whatever the chunk holds.
    monkeypatch.setattr(pairs_module, "_PARROT_CHUNK", chunk)
    ids = {c: chat(store, c, 4) for c in ("a", "b", "c", "d", "e")}
    for c, (_t1, t2, t3, t4) in ids.items():
        for rid in (t2, t3, t4) if c != "e" else (t2,):
            signal(store, rid, K.THUMBS_UP)
    PairBuilder(store.db).build()
    found = parrots(store)
    per_conversation = {c: sum(1 for chosen, _, _ in found.values() if chosen.startswith(f"{c}-")) for c in ids}
    assert per_conversation == {"a": 2, "b": 2, "c": 2, "d": 2, "e": 2}  # capped at 2 each
    for rid in ids["d"][1:]:  # later, equally strong signals: "d" (inside a chunk, not first) has no good turn now
        signal(store, rid, K.THUMBS_DOWN)
    report = PairBuilder(store.db).build()
    assert not [k for k, (chosen, _, _) in parrots(store).items() if chosen.startswith("d-")]
    assert report.pairs_removed >= 2
    assert {k: v for k, v in parrots(store).items() if not v[0].startswith("d-")} == {
        k: v for k, v in found.items() if not v[0].startswith("d-")}
