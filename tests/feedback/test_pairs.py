"""The strength table, row by row, plus conflicts, duplicates and incremental builds."""

import json

import pytest

from loraloop.feedback.pairs import PairBuilder, judge
from loraloop.feedback.store import SignalKind
from tests.db_rows import table_rows
from tests.feedback.records import say, signal

K = SignalKind


def pairs(store):
    return {(r["chosen_response_id"] or r["chosen"], r["rejected_response_id"]): r["source"]
            for r in table_rows(store.db, "pairs")}


def labels(store):
    return {r["label_key"]: (r["label"], r["source"]) for r in table_rows(store.db, "labels")}


def test_each_row_of_the_strength_table(store):
    for rid in ("up", "down", "plain"):
        say(store, rid, "A")
    signal(store, "up", K.THUMBS_UP)
    signal(store, "down", K.THUMBS_DOWN)
    say(store, "fixme", "B")
    signal(store, "fixme", K.CORRECTION, correction_text="The better answer.")
    say(store, "c1", "C")
    say(store, "c2", "C", regenerate_of="c1")
    say(store, "c3", "C", regenerate_of="c2")
    say(store, "copied", "D")
    say(store, "d-plain", "D")
    signal(store, "copied", K.COPY)
    say(store, "shared", "D2")
    signal(store, "shared", K.SHARE)
    say(store, "followed", "E")
    say(store, "e-plain", "E")
    signal(store, "followed", K.FOLLOW_UP)
    say(store, "read", "F", text="r" * 50)
    say(store, "skimmed", "F", text="s" * 50)
    signal(store, "read", K.DWELL, dwell_ms=50 * 60)  # 60 ms per character: read closely
    signal(store, "skimmed", K.DWELL, dwell_ms=50 * 2)  # 2 ms per character: skipped
    say(store, "mid", "F2", text="m" * 50)
    say(store, "f2-plain", "F2")
    signal(store, "mid", K.DWELL, dwell_ms=50 * 20)  # inside the margin: no evidence

    report = PairBuilder(store.db).build()
    assert pairs(store) == {
        ("up", "down"): "thumbs", ("up", "plain"): "thumbs", ("plain", "down"): "thumbs",
        ("The better answer.", "fixme"): "correction",
        ("c3", "c1"): "regenerate", ("c3", "c2"): "regenerate",
        ("copied", "d-plain"): "copy_share",
        ("read", "skimmed"): "dwell",
    }
    assert report.pairs_added == 8 and report.pairs_removed == 0
    got = labels(store)
    assert got["up"] == (1, "thumbs") and got["down"] == (0, "thumbs")
    assert got["fixme"] == (0, "correction") and [v for k, v in got.items() if k.startswith("correction:")] == [(1, "correction")]
    assert got["c1"] == got["c2"] == (0, "regenerate") and "c3" not in got
    assert got["shared"] == (1, "copy_share") and got["followed"] == (1, "follow_up")
    assert got["read"] == (1, "dwell") and got["skimmed"] == (0, "dwell")
    assert "mid" not in got and "plain" not in got


def test_pairs_keep_their_evidence_and_versions(store):
    say(store, "up", "A")
    say(store, "down", "A")
    up_id = signal(store, "up", K.THUMBS_UP)
    down_id = signal(store, "down", K.THUMBS_DOWN)
    PairBuilder(store.db).build()
    [row] = list(table_rows(store.db, "pairs"))
    assert json.loads(row["signal_ids"]) == sorted([up_id, down_id])
    assert (row["chosen_adapter"], row["rejected_adapter"], row["weight"]) == ("medical@v1", "medical@v1", 1.0)
    assert json.loads(row["prompt"]) == [{"role": "user", "content": "A"}]


def test_conflicts_resolve_to_the_stronger_or_the_later_signal(store):
    say(store, "g1", "G")
    say(store, "g2", "G")
    signal(store, "g1", K.COPY)
    signal(store, "g1", K.THUMBS_DOWN)  # explicit beats copy
    say(store, "h1", "H")
    say(store, "h2", "H")
    signal(store, "h1", K.THUMBS_UP)
    signal(store, "h1", K.THUMBS_DOWN)  # same strength: the user's latest word counts
    PairBuilder(store.db).build()
    assert pairs(store) == {("g2", "g1"): "thumbs", ("h2", "h1"): "thumbs"}


def test_rebuilding_emits_nothing_twice_and_is_incremental(store):
    say(store, "copied", "D")
    say(store, "d-plain", "D")
    signal(store, "copied", K.COPY)
    say(store, "other", "Z")
    builder = PairBuilder(store.db)
    first = builder.build()
    assert first.pairs_added == 1
    again = builder.build()
    assert (again.groups, again.pairs_added, again.pairs_removed) == (0, 0, 0)
    created = {r["pair_key"]: r["created_at"] for r in table_rows(store.db, "pairs")}

    signal(store, "d-plain", K.THUMBS_UP)  # a stronger late signal overrules the copy pair
    later = builder.build()
    assert later.groups == 1 and (later.pairs_added, later.pairs_removed) == (1, 1)
    assert pairs(store) == {("d-plain", "copied"): "thumbs"}
    assert not set(created) & {r["pair_key"] for r in table_rows(store.db, "pairs")}


def test_an_unrated_answer_arriving_later_joins_its_group(store):
    say(store, "up", "A")
    signal(store, "up", K.THUMBS_UP)
    builder = PairBuilder(store.db)
    assert builder.build().pairs_added == 0
    say(store, "late", "A")
    assert builder.build().pairs_added == 1
    assert pairs(store) == {("up", "late"): "thumbs"}


def test_pii_is_scrubbed_before_it_is_stored_for_training(store):
    say(store, "up", "Mail me at jane.doe@example.com", text="Call +44 20 7946 0958 today, it is urgent")
    say(store, "down", "Mail me at jane.doe@example.com")
    signal(store, "up", K.THUMBS_UP)
    signal(store, "down", K.THUMBS_DOWN)
    PairBuilder(store.db).build()
    [row] = list(table_rows(store.db, "pairs"))
    assert "jane.doe" not in row["prompt"] and "[EMAIL]" in row["prompt"]
    assert "7946" not in row["chosen"] and "[PHONE]" in row["chosen"]


@pytest.mark.parametrize("kinds, chars, expected", [
    ([], 10, 0),
    ([(K.THUMBS_UP, None)], 10, 6),
    ([(K.FOLLOW_UP, None), (K.REGENERATE, None)], 10, -4),
    ([(K.DWELL, 1000)], 10, 1),     # 100 ms/char
    ([(K.DWELL, 1000)], 1000, -1),  # 1 ms/char
    ([(K.DWELL, 200)], 10, 0),      # 20 ms/char: inside the margin
    ([(K.THUMBS_DOWN, None), (K.THUMBS_UP, None)], 10, 6),
])
def test_judge(kinds, chars, expected):
    rows = [{"id": i, "kind": k.value, "dwell_ms": d} for i, (k, d) in enumerate(kinds, 1)]
    assert judge(rows, chars, dwell_positive_ms_per_char=40, dwell_negative_ms_per_char=8).score == expected


def test_dwell_margin_must_be_a_margin(store):
    with pytest.raises(ValueError, match="dwell_negative_ms_per_char=50"):
        PairBuilder(store.db, dwell_positive_ms_per_char=40, dwell_negative_ms_per_char=50)


def test_a_popular_prompt_pairs_each_answer_a_bounded_number_of_times(store):
    # 30 thumbs-up and 30 thumbs-down answers to one prompt: 900 pairs unbounded, 4 per chosen answer here.
    for i in range(60):
        say(store, f"p{i:02d}", "popular")
        signal(store, f"p{i:02d}", K.THUMBS_UP if i % 2 else K.THUMBS_DOWN)
    say(store, "regen-bad", "popular")
    say(store, "regen-good", "popular", regenerate_of="regen-bad")
    signal(store, "regen-good", K.THUMBS_UP)
    PairBuilder(store.db).build()
    got = pairs(store)
    per_chosen = {}
    for chosen, _ in got:
        per_chosen[chosen] = per_chosen.get(chosen, 0) + 1
    # 30 ups, regen-good, and regen-bad (regenerated, which still beats a thumbs-down): 4 pairs each.
    assert len(per_chosen) == 32 and set(per_chosen.values()) == {4}
    assert len(got) == 32 * 4
    # The strongest evidence is kept first: regen-good's pairs include the answer it replaced.
    assert ("regen-good", "regen-bad") in got
    # Nearest earlier answers first: p31 (up) pairs with the downs just before it, not the oldest ones;
    # p01 has one earlier down and fills its other places with the nearest later ones.
    assert {r for c, r in got if c == "p31"} == {"p30", "p28", "p26", "p24"}
    assert {r for c, r in got if c == "p01"} == {"p00", "p02", "p04", "p06"}
    # More answers later do not displace the pairs already stored (only add their own).
    before = set(got)
    for i in range(60, 70):
        say(store, f"p{i:02d}", "popular")
        signal(store, f"p{i:02d}", K.THUMBS_UP if i % 2 else K.THUMBS_DOWN)
    report = PairBuilder(store.db).build()
    assert report.pairs_removed == 0 and before <= set(pairs(store))


def test_the_pair_cap_must_be_positive(store):
    with pytest.raises(ValueError, match="max_pairs_per_chosen=0"):
        PairBuilder(store.db, max_pairs_per_chosen=0)
