"""The pair build's transactions: on SQLite short enough that the server's writes go between them, one at a time."""

from __future__ import annotations

import threading
import time

import pytest

from loraloop import storage
from loraloop.feedback import build_transactions
from loraloop.feedback.build_transactions import BuildTransactions
from loraloop.feedback.pairs import CONVERSATIONS_GOOD_ANSWERS, GROUP_CONVERSATIONS, PairBuilder
from loraloop.feedback.store import FeedbackStore
from loraloop.feedback.synthetic import fill_synthetic_store
from tests.db_rows import table_rows
from tests.feedback.records import answer, rated_prompts


def _build_while_recording_answers(path: str, max_lock_s: float | None, busy_timeout_ms: int):
    """Build pairs while the server's kind of writer records answers; (build seconds, failed writes, writes)."""
    done = threading.Event()
    outcome: dict = {}

    def build() -> None:
        start = time.perf_counter()
        try:
            PairBuilder(storage.connect(path, autocommit=True), max_lock_s=max_lock_s).build()
        finally:
            outcome["build_s"] = time.perf_counter() - start
            done.set()

    store = FeedbackStore(path, busy_timeout_ms=busy_timeout_ms)
    builder = threading.Thread(target=build)
    builder.start()
    failed = written = 0
    while not done.is_set():
        try:
            store.write_batch([answer(f"live-{written}-{failed}")])
            written += 1
        except storage.DatabaseError:  # "database is locked" after the busy timeout
            failed += 1
        time.sleep(0.01)
    builder.join()
    store.close()
    return outcome["build_s"], failed, written


def test_the_servers_writes_go_between_a_long_builds_transactions(tmp_path):
    path = str(tmp_path / "feedback.sqlite")
    fill_synthetic_store(path, 20_000)
    busy_ms = 200
    build_s, failed, written = _build_while_recording_answers(path, 0.05, busy_ms)
    assert build_s > 2 * busy_ms / 1000, f"the build took {build_s:.2f} s: too short to hold a writer out"
    assert failed == 0, f"{failed} of {failed + written} answer writes timed out during a sliced build"
    assert written > 0


def test_one_transaction_for_the_whole_build_locks_the_server_out(tmp_path):
    # The behaviour the slicing exists for: the same build in one transaction fails the writer's writes.
    path = str(tmp_path / "feedback.sqlite")
    fill_synthetic_store(path, 20_000)
    build_s, failed, _written = _build_while_recording_answers(path, None, 200)
    assert build_s > 0.4, f"the build took {build_s:.2f} s: too short to hold a writer out"
    assert failed > 0


def test_a_build_stopped_midway_keeps_its_watermark_and_the_next_build_completes_it(db_url, monkeypatch):
    monkeypatch.setattr(build_transactions, "WRITERS_GAP_S", 0.0)
    store = FeedbackStore(db_url)
    rated_prompts(store, 10)
    conn = storage.connect(db_url, autocommit=True)

    def crash(self, conversations):
        raise RuntimeError("killed after the groups")

    monkeypatch.setattr(PairBuilder, "_rebuild_parrots", crash)
    with pytest.raises(RuntimeError, match="killed after the groups"):
        PairBuilder(conn, max_lock_s=1e-9).build()  # every group in a transaction of its own
    sliced = storage.dialect(conn) == storage.SQLITE
    # SQLite committed the groups judged before the crash; Postgres's one transaction rolled back whole.
    assert (len(table_rows(store.db, "pairs")) > 0) is sliced
    assert store.db.execute("SELECT name FROM watermarks WHERE name LIKE 'pairs.%'").fetchall() == []
    monkeypatch.undo()

    report = PairBuilder(conn).build()
    assert report.groups == 10  # the whole span again: the watermark never moved
    pairs = table_rows(store.db, "pairs")
    assert sorted(p["chosen_response_id"] for p in pairs) == sorted(f"up{i}" for i in range(10))
    assert len({p["pair_key"] for p in pairs}) == 10
    assert PairBuilder(conn).build().groups == 0
    conn.close()
    store.close()


def test_two_sliced_builds_never_run_at_once(tmp_path):
    path = str(tmp_path / "feedback.sqlite")
    FeedbackStore(path).close()
    first, second = (storage.connect(path, autocommit=True) for _ in range(2))
    entered = threading.Event()

    def second_build() -> None:
        with BuildTransactions(second, max_lock_s=0.01).run():
            entered.set()

    with BuildTransactions(first, max_lock_s=0.01).run() as transactions:
        transactions.boundary()  # between transactions: SQLite's write lock is free, the build lock is not
        waiting = threading.Thread(target=second_build)
        waiting.start()
        assert not entered.wait(0.3)
    assert entered.wait(5)
    waiting.join()
    first.close()
    second.close()


def test_sliced_builds_running_together_emit_each_pair_once(tmp_path, monkeypatch):
    monkeypatch.setattr(build_transactions, "WRITERS_GAP_S", 0.0)
    path = str(tmp_path / "feedback.sqlite")
    store = FeedbackStore(path)
    rated_prompts(store, 20)
    conns = [storage.connect(path, autocommit=True) for _ in range(4)]
    results: list = [None] * len(conns)

    def build(i: int) -> None:
        results[i] = PairBuilder(conns[i], max_lock_s=1e-9).build()

    threads = [threading.Thread(target=build, args=(i,)) for i in range(len(conns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r.groups for r in results) == [0, 0, 0, 20]  # one judged the span; the rest found it done
    assert len(table_rows(store.db, "pairs")) == 20
    for c in conns:
        c.close()
    store.close()


@pytest.mark.parametrize("bad", [0, -1.0])
def test_a_lock_time_that_is_not_positive_is_refused_by_name(tmp_path, bad):
    conn = storage.connect(str(tmp_path / "feedback.sqlite"), autocommit=True)
    with pytest.raises(ValueError, match=rf"max_lock_s={bad}: expected > 0"):
        PairBuilder(conn, max_lock_s=bad)
    conn.close()


def test_a_groups_conversations_are_read_from_the_group_index_not_the_domain(tmp_path):
    # Served from responses_adapter (domain alone), this query scanned the domain once per group and the
    # build grew with the square of the store: 200,000 signals took 167 s (14 s with the index).
    path = str(tmp_path / "feedback.sqlite")
    fill_synthetic_store(path, 400)
    conn = storage.connect(path, autocommit=True)
    for analyzed in (False, True):  # the planner's defaults (the case that scanned), and with statistics
        if analyzed:
            conn.execute("ANALYZE")
        plan = " ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {GROUP_CONVERSATIONS}", ["h1", "medical"]))
        assert "responses_group" in plan and "SCAN" not in plan, (analyzed, plan)
    conn.close()


def test_a_postgres_build_reads_by_index_from_tables_it_filled_itself(pg_url):
    # The build writes labels and then reads them back by conversation, all in one transaction, where the
    # statistics still say the table is empty: without the build's planner settings this was a sequential
    # scan of every label per conversation (a 40,000-signal build: 52 s, 11 s with them), and then an index
    # scan of every label per chunk of conversations.
    fill_synthetic_store(pg_url, 8000)  # 2,000 answers, committed (and analyzed when the build begins)
    conn = storage.connect(pg_url, autocommit=True)
    with BuildTransactions(conn).run() as transactions:
        storage.insert_rows(conn, "labels", [
            {"label_key": f"k{i}", "context_hash": f"h{i // 5}", "domain": "medical", "prompt": "[]",
             "completion": "x", "label": i % 2, "source": "thumbs", "weight": 1.0, "response_id": f"r{i}",
             "adapter": "medical@v1", "signal_ids": "[]", "created_at": 0.0} for i in range(2000)])
        transactions.analyze("labels", "pairs")  # as the build does between its two passes
        chunk = [f"c{i}" for i in range(50)]
        plan = "\n".join(row[0] for row in conn.execute(
            f"EXPLAIN {CONVERSATIONS_GOOD_ANSWERS.format(', '.join('?' * len(chunk)))}", chunk).fetchall())
    assert "Seq Scan" not in plan, plan
    # From the chunk's answers to their labels, not from every label to its answer (275 ms a chunk at 200,000).
    assert "Index Cond: (response_id = r.id)" in plan, plan
    conn.close()
