"""The pair builder can keep answers and feedback of untrusted API keys out of training data."""

import dataclasses

from loraloop.feedback.pairs import PairBuilder
from loraloop.feedback.store import SignalKind, SignalRecord
from tests.db_rows import table_rows
from tests.feedback.records import answer

K = SignalKind


def _say(store, rid, prompt, key):
    store.write_batch([dataclasses.replace(answer(rid, conversation=f"conv-{rid}", messages=(("user", prompt),),
                                                  text=f"answer {rid} " + "x" * 40), client_key=key)])


def _signal(store, rid, kind, key):
    [ack] = store.write_batch([SignalRecord(response_id=rid, kind=kind, client_key=key)])
    return ack


def _pairs(store):
    return {(r["chosen_response_id"], r["rejected_response_id"]) for r in table_rows(store.db, "pairs")}


def test_key_names_are_stored_with_answers_and_signals(store):
    _say(store, "a", "P", "web")
    _signal(store, "a", K.THUMBS_UP, "web")
    assert store.response("a")["client_key"] == "web"
    assert [s["client_key"] for s in store.signals("a")] == ["web"]


def test_only_trusted_keys_train_and_changing_the_filter_rebuilds(store):
    # Trusted client: a clean up/down pair. Untrusted client: thumbs that would invert it.
    for rid, key in (("good", "web"), ("bad", "web"), ("spam", "scraper")):
        _say(store, rid, "P", key)
    _signal(store, "good", K.THUMBS_UP, "web")
    _signal(store, "bad", K.THUMBS_DOWN, "web")
    _signal(store, "spam", K.THUMBS_UP, "scraper")
    _signal(store, "bad", K.THUMBS_UP, "scraper")  # an untrusted vote on a trusted answer

    PairBuilder(store.db, client_keys=("web",)).build()
    assert _pairs(store) == {("good", "bad")}
    assert {r["label_key"] for r in table_rows(store.db, "labels")} == {"good", "bad"}

    # Without the filter every client's signals count (the latest thumbs on "bad" is up), and the builder
    # notices the filter changed: every group is re-judged, not only those with new signals.
    PairBuilder(store.db).build()
    assert ("spam", "bad") not in _pairs(store) and ("good", "bad") not in _pairs(store)
    assert "spam" in {r["label_key"] for r in table_rows(store.db, "labels")}

    PairBuilder(store.db, client_keys=("web",)).build()
    assert _pairs(store) == {("good", "bad")}


def test_a_group_of_untrusted_answers_only_yields_nothing(store):
    for rid in ("x", "y"):
        _say(store, rid, "Q", "scraper")
    _signal(store, "x", K.THUMBS_UP, "scraper")
    _signal(store, "y", K.THUMBS_DOWN, "scraper")
    PairBuilder(store.db).build()
    assert _pairs(store) == {("x", "y")}
    report = PairBuilder(store.db, client_keys=("web",)).build()
    assert _pairs(store) == set() and report.pairs_removed == 1
    assert store.count("labels") == 0
