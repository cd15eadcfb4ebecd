import sqlite3
import time

from loraloop import storage
from loraloop.errors import InvalidArgument, ResponseNotFound
from loraloop.feedback.schema import MIGRATIONS, migrate
from loraloop.feedback.store import FeedbackStore, SignalKind, SignalRecord, context_hash, response_exists
from tests.db_rows import table_rows
from tests.feedback.records import answer


def test_fresh_database_is_migrated(store):
    names = [r[0] for r in store.db.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()]
    assert names == [name for name, _ in MIGRATIONS]
    assert {"responses", "signals", "conversations"} <= storage.table_names(store.db)
    assert migrate(store.db) == []  # reopening applies nothing twice


def test_a_sqlite_store_runs_in_wal_mode(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL


def test_an_older_database_is_upgraded(tmp_path):
    path = tmp_path / "old.sqlite"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at REAL NOT NULL)")
    conn.commit()
    conn.close()
    store = FeedbackStore(path)
    assert store.count("responses") == 0
    assert [r[0] for r in store.db.execute("SELECT name FROM schema_migrations")] == [n for n, _ in MIGRATIONS]


def test_responses_and_signals_round_trip(store):
    results = store.write_batch([answer("r1"), SignalRecord(response_id="r1", kind=SignalKind.DWELL, dwell_ms=1500)])
    assert results[0] is None and results[1].duplicate is False
    row = store.response("r1")
    assert row["context_hash"] == context_hash([{"role": "user", "content": "hi"}])
    assert row["adapter"] == "medical@v1" and row["completion_tokens"] == 4
    assert [(s["kind"], s["dwell_ms"]) for s in store.signals("r1")] == [("DWELL", 1500)]
    assert response_exists(store.target, "r1") and not response_exists(store.target, "nope")


def test_unknown_response_is_refused_without_undoing_the_batch(store):
    results = store.write_batch([answer("r1"), SignalRecord(response_id="ghost", kind=SignalKind.COPY),
                                 SignalRecord(response_id="r1", kind=SignalKind.COPY)])
    assert isinstance(results[1], ResponseNotFound)
    assert [s["kind"] for s in store.signals()] == ["COPY"]
    assert store.count("responses") == 1


def test_idempotency_key_stores_a_retry_once(store):
    store.write_batch([answer("r1")])
    first, again = store.write_batch([SignalRecord(response_id="r1", kind=SignalKind.THUMBS_UP, idempotency_key="k"),
                                      SignalRecord(response_id="r1", kind=SignalKind.THUMBS_UP, idempotency_key="k")])
    assert (first.duplicate, again.duplicate) == (False, True) and first.signal_id == again.signal_id
    [reused] = store.write_batch([SignalRecord(response_id="r1", kind=SignalKind.THUMBS_DOWN, idempotency_key="k")])
    assert isinstance(reused, InvalidArgument) and reused.field == "idempotency_key"
    assert store.count("signals") == 1


def test_next_turn_infers_follow_up_once(store):
    store.write_batch([answer("r1", text="first answer")])
    follow = (("user", "hi"), ("assistant", "first answer"), ("user", "and then?"))
    store.write_batch([answer("r2", messages=follow), answer("r3", messages=follow)])  # r3: the same turn again
    inferred = store.signals("r1")
    assert [(s["kind"], s["source"]) for s in inferred] == [("FOLLOW_UP", "inferred")]
    assert store.signals("r2") == []
    other = (("user", "hi"), ("assistant", "some other text"), ("user", "and then?"))
    store.write_batch([answer("r4", conversation="c2", messages=other)])
    assert store.count("signals") == 1  # a different conversation or text infers nothing


def test_regenerate_links_and_records_the_signal(store):
    store.write_batch([answer("r1")])
    store.write_batch([answer("r2", regenerate_of="r1")])
    assert store.response("r2")["regenerate_of"] == "r1"
    assert [s["kind"] for s in store.signals("r1")] == ["REGENERATE"]
    [missing] = store.write_batch([answer("r3", regenerate_of="ghost")])
    assert isinstance(missing, ResponseNotFound) and store.response("r3") is None


def test_conversations_count_turns(store):
    store.write_batch([answer("r1"), answer("r2"), answer("r3", conversation="c2")])
    rows = {r["id"]: r["turns"] for r in table_rows(store.db, "conversations")}
    assert rows == {"c1": 2, "c2": 1}


def test_raw_text_is_scrubbed_after_the_retention_period(store):
    store.write_batch([answer("old", messages=(("user", "mail a@b.example"),), text="call +1 415 555 0100")])
    store.write_batch([SignalRecord(response_id="old", kind=SignalKind.CORRECTION,
                                    correction_text="write to c@d.example instead")])
    assert store.purge_raw_text(older_than=0) == 0  # nothing is that old
    assert store.purge_raw_text(older_than=time.time() + 1) == 1
    row = store.response("old")
    assert "[PHONE]" in row["text"] and "[EMAIL]" in row["messages"] and row["scrubbed"] == 1
    assert store.signals("old")[0]["correction_text"] == "write to [EMAIL] instead"
    assert store.purge_raw_text(older_than=time.time() + 1) == 0  # done once


def test_without_raw_text_pii_never_reaches_the_disk(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite", keep_raw_text=False)
    store.write_batch([answer("r1", messages=(("user", "I am at 221B Baker Street"),), text="Email x@y.example")])
    store.write_batch([answer("r2", messages=(("user", "I am at 221B Baker Street"),
                                              ("assistant", "Email x@y.example"), ("user", "thanks")))])
    store.close()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())  # the database and any WAL left behind
    assert b"x@y.example" not in raw and b"Baker Street" not in raw
    reopened = FeedbackStore(tmp_path / "fb.sqlite")
    assert [s["kind"] for s in reopened.signals("r1")] == ["FOLLOW_UP"]  # inference still matches scrubbed text
