"""Signals written in batches: per-signal results, idempotency inside a batch, one transaction per client batch."""

import sqlite3
from typing import ClassVar

import pytest
from prometheus_client import CollectorRegistry

from loraloop.errors import FeedbackUnavailable, InvalidArgument, Overloaded, ResponseNotFound
from loraloop.feedback.metrics import FeedbackMetrics
from loraloop.feedback.store import FeedbackStore, SignalAck, SignalKind, SignalRecord
from loraloop.feedback.writer import FeedbackWriter
from tests.feedback.records import answer


def up(rid="r1", key=None, kind=SignalKind.THUMBS_UP):
    return SignalRecord(response_id=rid, kind=kind, idempotency_key=key)


class CountingStore(FeedbackStore):
    """A store that remembers how many items each transaction held."""

    transactions: ClassVar[list[int]] = []

    def write_batch(self, items):
        CountingStore.transactions.append(len(items))
        return super().write_batch(items)


def test_a_run_of_signals_gets_one_result_each_in_order(store):
    store.write_batch([answer("r1"), answer("r2", conversation="c2")])
    results = store.write_batch([up("r1"), up("ghost"), up("r2", kind=SignalKind.COPY), up("r1", kind=SignalKind.SHARE)])
    assert [type(r) for r in results] == [SignalAck, ResponseNotFound, SignalAck, SignalAck]
    assert "ghost" in str(results[1])
    rows = store.db.execute("SELECT id, response_id, kind FROM signals ORDER BY id").fetchall()
    assert rows == [(results[0].signal_id, "r1", "THUMBS_UP"), (results[2].signal_id, "r2", "COPY"),
                    (results[3].signal_id, "r1", "SHARE")]
    assert store.recorded_signals == [("medical", 1, "THUMBS_UP"), ("medical", 1, "COPY"), ("medical", 1, "SHARE")]


def test_a_key_twice_in_one_batch_stores_the_signal_once(store):
    store.write_batch([answer("r1")])
    first, again, clash = store.write_batch([up(key="k1"), up(key="k1"), up(key="k1", kind=SignalKind.THUMBS_DOWN)])
    assert not first.duplicate and again == SignalAck(signal_id=first.signal_id, duplicate=True)
    assert isinstance(clash, InvalidArgument) and clash.field == "idempotency_key"
    assert store.count("signals") == 1
    assert store.recorded_signals == [("medical", 1, "THUMBS_UP")]  # a duplicate is not counted again


def test_a_key_from_an_earlier_batch_is_a_duplicate(store):
    store.write_batch([answer("r1")])
    [first] = store.write_batch([up(key="k1")])
    [again, new] = store.write_batch([up(key="k1"), up(key="k2")])
    assert again == SignalAck(signal_id=first.signal_id, duplicate=True) and not new.duplicate
    assert store.count("signals") == 2


def test_a_signal_right_behind_its_answer_in_the_same_transaction_finds_it(store):
    results = store.write_batch([up("r1"), answer("r1"), up("r1", key="k"), answer("r2", conversation="c2"), up("r2")])
    assert isinstance(results[0], ResponseNotFound)
    assert results[1] is None and isinstance(results[2], SignalAck) and isinstance(results[4], SignalAck)
    assert store.count("signals") == 2


def test_more_signals_than_one_in_query_holds(store):
    store.write_batch([answer(f"r{i}", conversation=f"c{i}") for i in range(3)])
    signals = [up(f"r{i % 4}", key=f"k{i}") for i in range(1_200)]  # r3 does not exist
    results = store.write_batch(signals)
    assert sum(isinstance(r, SignalAck) for r in results) == 900
    assert all(isinstance(r, ResponseNotFound) for r in results[3::4])
    assert store.count("signals") == 900


def test_scrubbed_corrections_still_scrub_in_a_batch(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite", keep_raw_text=False)
    try:
        store.write_batch([answer("r1")])
        store.write_batch([SignalRecord(response_id="r1", kind=SignalKind.CORRECTION,
                                        correction_text="Mail me at jane.doe@example.com")])
        [(text, scrubbed)] = store.db.execute("SELECT correction_text, scrubbed FROM signals").fetchall()
        assert "jane.doe@example.com" not in text and scrubbed == 1
    finally:
        store.close()


def make_writer(path, **kwargs):
    writer = FeedbackWriter(lambda: CountingStore(path, busy_timeout_ms=100), queue_size=kwargs.get("queue_size", 100),
                            batch_size=kwargs.get("batch_size", 4))
    writer.start()
    return writer


async def test_a_batch_commits_whole_and_before_its_future_resolves(tmp_path):
    writer = make_writer(tmp_path / "fb.sqlite", batch_size=4)
    try:
        await writer.write(answer("r1"))
        CountingStore.transactions = []
        results = await writer.write_many([up(key=f"k{i}") for i in range(10)] + [up("ghost")])
        assert CountingStore.transactions == [11]  # bigger than batch_size, still one transaction
        assert [type(r) for r in results] == [SignalAck] * 10 + [ResponseNotFound]
        committed = sqlite3.connect(tmp_path / "fb.sqlite").execute("SELECT COUNT(*) FROM signals").fetchone()[0]
        assert committed == 10 and writer.queued == 0
        assert await writer.write_many([]) == []
    finally:
        writer.close()


def test_small_writes_share_a_transaction_but_never_split_a_batch(tmp_path):
    writer = FeedbackWriter(lambda: CountingStore(tmp_path / "fb.sqlite"), queue_size=100, batch_size=4)
    CountingStore.transactions = []
    # Queued before the thread starts, so what it gathers into each transaction does not depend on timing.
    futures = [writer.reserve().submit(answer("r1")), writer.reserve().submit(up(kind=SignalKind.COPY)),
               writer.reserve(3).submit_many([up(), up(), up()]), writer.reserve().submit(up()),
               writer.reserve(2).submit_many([up(), up()])]
    writer.start()
    try:
        for f in futures:
            f.result(timeout=10)
        # 1 + 1, then the batch of 3 (it would not fit: carried whole to the next) + 1, then the batch of 2
        assert CountingStore.transactions == [2, 4, 2]
    finally:
        writer.close()


def test_a_batch_the_queue_cannot_hold_is_refused_whole(tmp_path):
    writer = make_writer(tmp_path / "fb.sqlite", queue_size=5)
    try:
        held = writer.reserve(2)
        with pytest.raises(Overloaded, match="4 asked for"):
            writer.reserve(4)
        assert writer.queued == 2
        batch = writer.reserve(3)
        with pytest.raises(RuntimeError):
            batch.submit(up())  # one item needs a one-slot reservation
        assert batch.submit_many([answer("r1")]).result(timeout=5) == [None]  # the 2 unused slots come back
        held.release()
        assert writer.queued == 0
    finally:
        writer.close()


def test_a_failed_transaction_is_each_signals_error(tmp_path):
    path = tmp_path / "fb.sqlite"
    writer = make_writer(path)
    try:
        writer.reserve().submit(answer("r1")).result(timeout=5)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        results = writer.reserve(2).submit_many([up(), up(kind=SignalKind.COPY)]).result(timeout=10)
        assert all(isinstance(r, FeedbackUnavailable) for r in results) and len(results) == 2
        blocker.execute("ROLLBACK")
        assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM signals").fetchone()[0] == 0
    finally:
        writer.close()


def test_signal_counts_are_added_per_label_set():
    registry = CollectorRegistry()
    metrics = FeedbackMetrics(registry)
    metrics.signals_recorded([("medical", 1, "THUMBS_UP")] * 3 + [("", None, "COPY")])
    value = registry.get_sample_value
    assert value("loraloop_feedback_signals_total", {"adapter": "medical", "version": "v1", "kind": "thumbs_up"}) == 3
    assert value("loraloop_feedback_signals_total", {"adapter": "base", "version": "", "kind": "copy"}) == 1
