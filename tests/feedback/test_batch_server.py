"""SendFeedbackBatch (and HTTP /v1/feedback/batch) on the session's real server: real stubs, real store rows."""

from __future__ import annotations

import sqlite3

import grpc
import httpx
import pytest

from loraloop.v1 import loraloop_pb2 as pb

GREEDY = dict(temperature=0.0, max_tokens=4)


def rows(db_url, sql, *args):
    conn = sqlite3.connect(db_url)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def test_a_batch_over_grpc_lands_in_the_store_with_a_result_per_signal(client, feedback_config):
    reply = await client.chat("My knee hurts after running.", adapter="medical", conversation_id="c-batch", **GREEDY)
    rid = reply.response_id
    signals = [client.feedback(rid, pb.THUMBS_UP, idempotency_key="batch-up"),
               client.feedback(rid, pb.DWELL),                                   # no dwell_ms: refused alone
               client.feedback("r-never-answered", pb.COPY),                     # unknown answer: refused alone
               client.feedback(rid, pb.THUMBS_UP, idempotency_key="batch-up"),   # a retry inside the batch
               client.feedback(rid, pb.CORRECTION, correction_text="Rest it and see a doctor if it swells."),
               client.feedback(rid, pb.DWELL, dwell_ms=2500)]
    results = await client.send_feedback_batch(signals)
    assert [r.WhichOneof("result") for r in results] == ["ack", "error", "error", "ack", "ack", "ack"]
    assert results[1].error.code == "INVALID_ARGUMENT" and results[1].error.message.startswith("dwell_ms:")
    assert results[2].error.code == "NOT_FOUND" and "r-never-answered" in results[2].error.message
    assert results[3].ack.duplicate and results[3].ack.signal_id == results[0].ack.signal_id
    # The call returned after the commit: another connection sees the rows at once, with the acked ids.
    stored = rows(feedback_config.db_file(), "SELECT id, kind, dwell_ms, correction_text FROM signals "
                                             "WHERE response_id = ? ORDER BY id", rid)
    assert stored == [(int(results[0].ack.signal_id), "THUMBS_UP", None, None),
                      (int(results[4].ack.signal_id), "CORRECTION", None, "Rest it and see a doctor if it swells."),
                      (int(results[5].ack.signal_id), "DWELL", 2500, None)]
    again = await client.send_feedback_batch(signals[:1])  # a retried batch stores nothing new
    assert again[0].ack.duplicate and again[0].ack.signal_id == results[0].ack.signal_id
    assert len(rows(feedback_config.db_file(), "SELECT id FROM signals WHERE response_id = ?", rid)) == 3


async def test_a_batch_over_the_limit_is_refused_naming_it(client, feedback_config):
    limit = feedback_config.max_batch_signals
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await client.send_feedback_batch([client.feedback("r-x", pb.COPY)] * (limit + 1))
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert info.value.details() == f"signals: {limit + 1} signals in one batch, at most {limit} allowed (max_batch_signals)"


async def test_a_batch_over_http_answers_per_signal(client, server, feedback_config):
    reply = await client.chat("What is a fair rent increase?", adapter="legal", conversation_id="c-http-batch", **GREEDY)
    body = {"signals": [{"response_id": reply.response_id, "kind": "copy", "idempotency_key": "http-batch-copy"},
                        "not an object",
                        {"response_id": reply.response_id, "kind": "thumbs_down"}]}
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=60) as http:
        response = await http.post("/v1/feedback/batch", json=body)
        assert response.status_code == 200
        copy, bad, down = response.json()["results"]
        assert bad["error"]["code"] == "INVALID_ARGUMENT" and bad["error"]["param"] == "signals[1]"
        assert not copy["duplicate"] and not down["duplicate"]
        retry = (await http.post("/v1/feedback/batch", json={"signals": body["signals"][:1]})).json()["results"]
        assert retry == [{"signal_id": copy["signal_id"], "duplicate": True}]
        too_many = await http.post("/v1/feedback/batch", json={"signals": [{}] * (feedback_config.max_batch_signals + 1)})
        assert too_many.status_code == 400 and too_many.json()["error"]["param"] == "signals"
    stored = rows(feedback_config.db_file(), "SELECT id, kind FROM signals WHERE response_id = ? ORDER BY id",
                  reply.response_id)
    assert stored == [(int(copy["signal_id"]), "COPY"), (int(down["signal_id"]), "THUMBS_DOWN")]
