"""Promises of the shared database under concurrent writers, on both backends (several replicas on Postgres)."""

from __future__ import annotations

import psycopg
import pytest

from loraloop import storage
from loraloop.feedback.pairs import PairBuilder
from loraloop.feedback.schema import MIGRATIONS, migrate
from loraloop.feedback.store import FeedbackStore, SignalAck, SignalKind, SignalRecord
from tests.db_rows import table_rows
from tests.feedback.records import answer, rated_prompts, say
from tests.together import together


def test_a_retried_signal_sent_to_two_replicas_at_once_is_stored_once(db_url):
    FeedbackStore(db_url).write_batch([answer("r1")])
    stores = [FeedbackStore(db_url) for _ in range(4)]  # four writers: four replicas' writer threads
    try:
        for key in range(10):
            signal = SignalRecord(response_id="r1", kind=SignalKind.THUMBS_UP, idempotency_key=f"k{key}")
            acks = [r[0] for r in together([lambda st=st, s=signal: st.write_batch([s]) for st in stores])]
            assert all(isinstance(a, SignalAck) for a in acks), acks
            assert len({a.signal_id for a in acks}) == 1  # every ack names the one stored row
            assert sorted(a.duplicate for a in acks) == [False, True, True, True]
        assert stores[0].count("signals") == 10
    finally:
        for s in stores:
            s.close()


def test_migrators_starting_together_apply_each_migration_once(db_url):
    conns = [storage.connect(db_url, autocommit=True) for _ in range(3)]
    try:
        applied = together([lambda c=c: migrate(c) for c in conns])
        assert not [a for a in applied if isinstance(a, Exception)], applied
        assert sorted(name for names in applied for name in names) == sorted(name for name, _ in MIGRATIONS)
    finally:
        for c in conns:
            c.close()


def test_a_transaction_that_commits_after_a_later_one_is_still_paired(pg_url):
    # Postgres hands out ids as rows are inserted, not as they commit. The slow writer below takes signal
    # id N and commits after a fast writer's N+1; a build in between sees N+1 committed and N not yet. A
    # watermark over ids would move past N and never pair it; the transaction-id horizon waits for it.
    # (SQLite has one writer at a time, so there ids are commit order and this cannot happen.)
    store = FeedbackStore(pg_url)
    for rid, prompt in (("slow-a", "slow"), ("slow-b", "slow"), ("fast-a", "fast"), ("fast-b", "fast")):
        say(store, rid, prompt)
    builder = PairBuilder(storage.connect(pg_url, autocommit=True))
    slow = psycopg.connect(pg_url)  # not autocommit: its transaction stays open until commit()
    slow.execute("INSERT INTO signals (response_id, kind, source, created_at) VALUES ('slow-a', 'THUMBS_UP', "
                 "'client', 1.0)")
    store.write_batch([SignalRecord(response_id="fast-a", kind=SignalKind.THUMBS_UP)])
    [slow_id] = slow.execute("SELECT id FROM signals WHERE response_id = 'slow-a'").fetchone()
    [fast] = table_rows(store.db, "signals", "WHERE response_id = 'fast-a'")
    assert slow_id < fast["id"]  # the ids are in insertion order ...

    builder.build()  # ... while the slow transaction is still open
    assert table_rows(store.db, "pairs") == []  # the fast signal waits too: its txid is above the horizon
    slow.commit()
    slow.close()
    builder.build()
    chosen = {r["chosen_response_id"] for r in table_rows(store.db, "pairs")}
    assert chosen == {"slow-a", "fast-a"}  # both groups paired, the slow writer's included
    builder.db.close()
    store.close()


@pytest.mark.parametrize("workers", [6])
def test_pair_builds_running_together_emit_each_pair_once(db_url, workers):
    store = FeedbackStore(db_url)
    rated_prompts(store, 20)
    conns = [storage.connect(db_url, autocommit=True) for _ in range(workers)]
    try:
        reports = together([lambda c=c: PairBuilder(c).build() for c in conns])
        assert not [r for r in reports if isinstance(r, Exception)], reports
        assert sum(r.pairs_added for r in reports) == 20  # one builder judged them, the others found nothing new
        assert len(table_rows(store.db, "pairs")) == 20
    finally:
        for c in conns:
            c.close()
        store.close()
