"""Concurrent writers to the feedback database wait their turn instead of failing with "database is locked"."""

from __future__ import annotations

import sqlite3
import threading

import pytest
from sqlite_utils import Database

from loraloop.feedback.schema import migrate, write_transaction
from loraloop.retrain.run_log import RunLog


def _hammer(workers: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    start = threading.Barrier(workers)

    def run(index: int) -> None:
        start.wait()
        try:
            work(index)
        except BaseException as e:  # collected: the assertion names them
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_read_then_write_transactions_all_commit(tmp_path):
    # Each transaction reads before it writes: with a deferred BEGIN two of them deadlock and SQLite
    # answers "database is locked" at once; with BEGIN IMMEDIATE the second one waits.
    path = tmp_path / "feedback.sqlite"
    with sqlite3.connect(path) as conn:
        migrate(Database(conn))

    def work(index: int) -> None:
        conn = sqlite3.connect(path, timeout=30)
        try:
            for i in range(40):
                with write_transaction(conn):
                    conn.execute("SELECT COUNT(*) FROM watermarks").fetchone()
                    conn.execute("INSERT INTO watermarks VALUES (?, ?)", [f"w{index}-{i}", i])
        finally:
            conn.close()

    assert _hammer(4, work) == []
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM watermarks").fetchone()[0] == 4 * 40


def test_run_log_writers_in_threads_do_not_lose_rows(db_url):
    log = RunLog(db_url)

    def work(index: int) -> None:
        for i in range(25):
            log.start(f"d{index}", "dpo", "test", float(i))
            log.close_abandoned(f"d{index}", float(i))

    assert _hammer(4, work) == []
    runs = log.runs()
    assert len(runs) == 4 * 25
    assert {r["outcome"] for r in runs} == {"killed"}


def test_an_error_rolls_the_whole_transaction_back(tmp_path):
    conn = sqlite3.connect(tmp_path / "feedback.sqlite")
    migrate(Database(conn))
    with pytest.raises(RuntimeError), write_transaction(conn):
        conn.execute("INSERT INTO watermarks VALUES ('kept?', 1)")
        raise RuntimeError("boom")
    assert not conn.in_transaction
    assert conn.execute("SELECT COUNT(*) FROM watermarks").fetchone()[0] == 0


def test_nested_blocks_are_savepoints(tmp_path):
    conn = sqlite3.connect(tmp_path / "feedback.sqlite")
    migrate(Database(conn))
    with write_transaction(conn):
        conn.execute("INSERT INTO watermarks VALUES ('outer', 1)")
        with pytest.raises(RuntimeError), write_transaction(conn):
            conn.execute("INSERT INTO watermarks VALUES ('inner', 2)")
            raise RuntimeError("only the inner block is undone")
    assert [r[0] for r in conn.execute("SELECT name FROM watermarks")] == ["outer"]
