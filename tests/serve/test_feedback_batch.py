"""SendFeedbackBatch's logic without a server: the size limit, per-signal results, idempotency, the edges' shapes."""

import pytest

from loraloop.config import FeedbackConfig
from loraloop.errors import FeedbackUnavailable, InvalidArgument, ResponseNotFound
from loraloop.feedback.store import FeedbackStore, SignalAck
from loraloop.feedback.writer import FeedbackWriter
from loraloop.serve import http_messages as msg
from loraloop.serve.feedback_ingest import record_signal, record_signals
from loraloop.serve.grpc_messages import feedback_batch_ack, feedback_input
from loraloop.serve.validation import FeedbackInput, validate_feedback_batch
from loraloop.settings import ConfigError
from loraloop.v1 import loraloop_pb2 as pb
from tests.feedback.records import answer

CONFIG = FeedbackConfig(max_batch_signals=5)


def signal(rid="r1", kind="THUMBS_UP", **kwargs):
    return FeedbackInput(response_id=rid, kind=kind, **kwargs)


@pytest.fixture
async def writer(tmp_path):
    w = FeedbackWriter(lambda: FeedbackStore(tmp_path / "fb.sqlite"), queue_size=100, batch_size=16)
    w.start()
    await w.write(answer("r1"))
    await w.write(answer("r2", conversation="c2"))
    yield w
    w.close()


def stored(tmp_path):
    store = FeedbackStore(tmp_path / "fb.sqlite")
    try:
        return [(s["response_id"], s["kind"], s["idempotency_key"]) for s in store.signals()]
    finally:
        store.close()


async def test_a_bad_signal_in_the_middle_fails_alone(writer, tmp_path):
    results = await record_signals([signal("r1"), signal("r2", "DWELL"), signal("ghost"),
                                    signal("r2", "CORRECTION", correction_text="Better.")], writer, CONFIG)
    assert isinstance(results[0], SignalAck) and isinstance(results[3], SignalAck)
    assert isinstance(results[1], InvalidArgument) and results[1].field == "dwell_ms"  # caught by validation
    assert isinstance(results[2], ResponseNotFound)                                   # caught by the store
    assert stored(tmp_path) == [("r1", "THUMBS_UP", None), ("r2", "CORRECTION", None)]


async def test_an_oversize_batch_is_refused_whole_naming_the_limit(writer, tmp_path):
    with pytest.raises(InvalidArgument) as info:
        await record_signals([signal()] * 6, writer, CONFIG)
    assert info.value.field == "signals" and "at most 5" in info.value.problem and "max_batch_signals" in str(info.value)
    assert stored(tmp_path) == []
    assert len(await record_signals([signal()] * 5, writer, CONFIG)) == 5  # the limit itself is allowed


async def test_idempotency_keys_hold_within_and_across_batches(writer, tmp_path):
    first = await record_signals([signal(idempotency_key="a"), signal(idempotency_key="a"),
                                  signal("r2", idempotency_key="b")], writer, CONFIG)
    assert first[1] == SignalAck(signal_id=first[0].signal_id, duplicate=True) and not first[2].duplicate
    again = await record_signals([signal("r2", idempotency_key="b"), signal("r2", "COPY", idempotency_key="a")],
                                 writer, CONFIG)
    assert again[0] == SignalAck(signal_id=first[2].signal_id, duplicate=True)
    assert isinstance(again[1], InvalidArgument) and again[1].field == "idempotency_key"  # the key names another signal
    unary = await record_signal(signal(idempotency_key="a"), writer, CONFIG)
    assert unary == SignalAck(signal_id=first[0].signal_id, duplicate=True)
    assert stored(tmp_path) == [("r1", "THUMBS_UP", "a"), ("r2", "THUMBS_UP", "b")]


async def test_a_batch_with_nothing_valid_writes_nothing(writer, tmp_path):
    results = await record_signals([signal(kind=""), InvalidArgument("signals[1]", "expected a JSON object")],
                                   writer, CONFIG)
    assert [r.field for r in results] == ["kind", "signals[1]"]
    assert writer.queued == 0 and stored(tmp_path) == []


def test_validation_keeps_each_signals_place():
    checked = validate_feedback_batch([signal(), signal(kind="LIKE"), signal(rid="")], CONFIG)
    assert checked[0].response_id == "r1"
    assert [c.field for c in checked[1:]] == ["kind", "response_id"]


def test_a_batch_limit_above_the_queue_is_a_config_error():
    with pytest.raises(ConfigError, match=r"max_batch_signals.*queue_size=10"):
        FeedbackConfig(queue_size=10, max_batch_signals=11)


def test_the_grpc_answer_carries_an_ack_or_a_status_per_signal():
    ack = feedback_batch_ack([SignalAck(signal_id=7, duplicate=True), ResponseNotFound("response_id: no answer"),
                              InvalidArgument("kind", "unknown"), FeedbackUnavailable("locked")])
    assert [r.WhichOneof("result") for r in ack.results] == ["ack", "error", "error", "error"]
    assert (ack.results[0].ack.signal_id, ack.results[0].ack.duplicate) == ("7", True)
    assert [(r.error.code, r.error.message) for r in ack.results[1:]] == [
        ("NOT_FOUND", "response_id: no answer"), ("INVALID_ARGUMENT", "kind: unknown"), ("UNAVAILABLE", "locked")]
    wire = pb.FeedbackBatchAck.FromString(ack.SerializeToString())
    assert wire == ack


def test_grpc_signals_convert_one_by_one():
    batch = pb.FeedbackBatch(signals=[pb.Feedback(response_id="r1", kind=pb.DWELL, dwell_ms=5),
                                      pb.Feedback(response_id="r2")])
    inputs = [feedback_input(f) for f in batch.signals]
    assert inputs == [signal("r1", "DWELL", dwell_ms=5), signal("r2", "")]


def test_an_http_item_that_cannot_be_read_is_its_own_error():
    items = msg.feedback_batch_input({"signals": [{"response_id": "r1", "kind": "copy"}, "up", {"dwell_ms": "x"}]})
    assert items[0] == signal("r1", "COPY")
    assert isinstance(items[1], InvalidArgument) and items[1].field == "signals[1]"
    assert isinstance(items[2], InvalidArgument) and items[2].field == "dwell_ms"
    for body, field in (([], "body"), ({"signals": {"response_id": "r1"}}, "signals"), ({}, "signals")):
        with pytest.raises(InvalidArgument) as info:
            msg.feedback_batch_input(body)
        assert info.value.field == field


def test_the_http_answer_matches_the_unary_shapes():
    body = msg.feedback_batch_json([SignalAck(signal_id=3, duplicate=False), ResponseNotFound("response_id: nope")])
    assert body["results"][0] == {"signal_id": "3", "duplicate": False}
    assert body["results"][1] == msg.error_body(ResponseNotFound("response_id: nope"))
    assert body["results"][1]["error"]["code"] == "NOT_FOUND"
