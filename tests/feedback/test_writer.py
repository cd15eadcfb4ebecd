import sqlite3

import pytest

from loraloop.errors import FeedbackUnavailable, Overloaded, ResponseNotFound
from loraloop.feedback.store import FeedbackStore, SignalKind, SignalRecord
from loraloop.feedback.writer import FeedbackWriter
from tests.feedback.records import answer


def make_writer(path, **kwargs):
    writer = FeedbackWriter(lambda: FeedbackStore(path, busy_timeout_ms=100), queue_size=kwargs.get("queue_size", 100),
                            batch_size=kwargs.get("batch_size", 16))
    writer.start()
    return writer


async def test_write_resolves_after_commit(tmp_path):
    writer = make_writer(tmp_path / "fb.sqlite")
    try:
        await writer.write(answer("r1"))
        ack = await writer.write(SignalRecord(response_id="r1", kind=SignalKind.SHARE))
        conn = sqlite3.connect(tmp_path / "fb.sqlite")  # another connection sees it: committed
        assert conn.execute("SELECT id, kind FROM signals").fetchall() == [(ack.signal_id, "SHARE")]
        with pytest.raises(ResponseNotFound):
            await writer.write(SignalRecord(response_id="ghost", kind=SignalKind.SHARE))
    finally:
        writer.close()


async def test_a_signal_right_behind_its_answer_finds_it(tmp_path):
    writer = make_writer(tmp_path / "fb.sqlite")
    try:
        future = writer.reserve().submit(answer("r1"))  # not awaited: still queued
        ack = await writer.write(SignalRecord(response_id="r1", kind=SignalKind.THUMBS_UP))
        assert future.result(timeout=5) is None and ack.signal_id > 0
    finally:
        writer.close()


def test_full_queue_refuses_instead_of_dropping(tmp_path):
    writer = make_writer(tmp_path / "fb.sqlite", queue_size=2)
    try:
        first, second = writer.reserve(), writer.reserve()
        with pytest.raises(Overloaded, match="feedback queue full"):
            writer.reserve()
        first.release()
        writer.reserve().release()  # a released slot is usable again
        second.submit(answer("r1")).result(timeout=5)
        assert writer.queued == 0
    finally:
        writer.close()


def test_close_flushes_everything_queued(tmp_path):
    path = tmp_path / "fb.sqlite"
    writer = make_writer(path)
    futures = [writer.reserve().submit(answer(f"r{i}")) for i in range(50)]
    writer.close()
    assert all(f.done() for f in futures)
    assert sqlite3.connect(path).execute("SELECT COUNT(*) FROM responses").fetchone()[0] == 50


def test_a_locked_database_is_a_clear_error_and_the_writer_recovers(tmp_path):
    path = tmp_path / "fb.sqlite"
    writer = make_writer(path)
    try:
        writer.reserve().submit(answer("r1")).result(timeout=5)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")
        failed = writer.reserve().submit(SignalRecord(response_id="r1", kind=SignalKind.COPY))
        with pytest.raises(FeedbackUnavailable, match=r"cannot take writes.*locked"):
            failed.result(timeout=10)
        blocker.execute("ROLLBACK")
        ok = writer.reserve().submit(SignalRecord(response_id="r1", kind=SignalKind.COPY)).result(timeout=10)
        assert ok.signal_id > 0
    finally:
        writer.close()


def test_an_unopenable_database_fails_at_start(tmp_path):
    (tmp_path / "dir.sqlite").mkdir()
    writer = FeedbackWriter(lambda: FeedbackStore(tmp_path / "dir.sqlite"), queue_size=4, batch_size=4)
    with pytest.raises(sqlite3.Error):
        writer.start()
