"""Answers and user signals through the real server land in the feedback store, durably."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sqlite3
import sys
import time

import grpc
import psutil
import pytest

from loraloop.client import LoraloopClient
from loraloop.v1 import loraloop_pb2 as pb

GREEDY = dict(temperature=0.0, max_tokens=16)


def rows(db_url, sql, *args):
    conn = sqlite3.connect(db_url)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def wait_for_row(db_url, sql, *args, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = rows(db_url, sql, *args)
        if found:
            return found
        await asyncio.sleep(0.05)
    raise AssertionError(f"no row for {sql} {args}")


async def test_every_signal_kind_is_stored(client, feedback_config):
    db = feedback_config.db_file()
    reply = await client.chat("I sprained my ankle.", adapter="medical", conversation_id="c-kinds", user_id="u1", **GREEDY)
    kinds = [pb.THUMBS_UP, pb.THUMBS_DOWN, pb.REGENERATE, pb.COPY, pb.SHARE, pb.FOLLOW_UP]
    for kind in kinds:
        ack = await client.send_feedback(reply.response_id, kind)
        assert ack.signal_id and not ack.duplicate
    await client.send_feedback(reply.response_id, pb.DWELL, dwell_ms=4200)
    await client.send_feedback(reply.response_id, pb.CORRECTION, correction_text="Rest, ice and elevate it.")
    stored = rows(db, "SELECT kind, dwell_ms, correction_text, source FROM signals WHERE response_id = ? ORDER BY id",
                  reply.response_id)
    assert [s[0] for s in stored] == [pb.FeedbackKind.Name(k) for k in kinds] + ["DWELL", "CORRECTION"]
    assert stored[-2][1] == 4200 and stored[-1][2] == "Rest, ice and elevate it."
    assert {s[3] for s in stored} == {"client"}
    [(text, adapter, user, tokens)] = rows(db, "SELECT text, adapter, user_id, completion_tokens FROM responses "
                                               "WHERE id = ?", reply.response_id)
    assert (text, adapter, user, tokens) == (reply.text, "medical@v1", "u1", reply.usage.completion_tokens)


async def test_streamed_answers_are_recorded_too(client, feedback_config):
    chunks = [c async for c in client.stream("What is an index fund?", adapter="finance", **GREEDY)]
    rid = chunks[0].response_id
    [(text,)] = await wait_for_row(feedback_config.db_file(), "SELECT text FROM responses WHERE id = ?", rid)
    assert text == "".join(c.delta for c in chunks)


async def test_regenerate_links_answers_and_follow_up_is_inferred(client, feedback_config):
    db = feedback_config.db_file()
    first = await client.chat("Tell me about wills.", adapter="legal", conversation_id="c-regen", **GREEDY)
    second = await client.chat("Tell me about wills.", adapter="legal", conversation_id="c-regen",
                               regenerate_of=first.response_id, temperature=1.0, seed=7, max_tokens=16)
    [(link,)] = await wait_for_row(db, "SELECT regenerate_of FROM responses WHERE id = ?", second.response_id)
    assert link == first.response_id
    assert rows(db, "SELECT kind FROM signals WHERE response_id = ?", first.response_id) == [("REGENERATE",)]

    history = [("user", "Tell me about wills."), ("assistant", second.text), ("user", "And who can witness one?")]
    third = await client.chat(history, adapter="legal", conversation_id="c-regen", **GREEDY)
    await wait_for_row(db, "SELECT 1 FROM responses WHERE id = ?", third.response_id)
    assert rows(db, "SELECT kind, source FROM signals WHERE response_id = ?", second.response_id) == \
        [("FOLLOW_UP", "inferred")]


async def test_a_retried_signal_is_stored_once(client, feedback_config):
    reply = await client.chat("Hi!", adapter="base", **GREEDY)
    acks = await asyncio.gather(*(client.send_feedback(reply.response_id, pb.THUMBS_UP, idempotency_key="retry-1")
                                  for _ in range(5)))
    assert len({a.signal_id for a in acks}) == 1
    assert sorted(a.duplicate for a in acks) == [False, True, True, True, True]
    assert rows(feedback_config.db_file(), "SELECT COUNT(*) FROM signals WHERE idempotency_key = 'retry-1'") == [(1,)]


@pytest.mark.parametrize("kwargs, code, needle", [
    (dict(response_id="r-nope", kind=pb.THUMBS_UP), grpc.StatusCode.NOT_FOUND, "r-nope"),
    (dict(response_id="", kind=pb.THUMBS_UP), grpc.StatusCode.INVALID_ARGUMENT, "response_id"),
    (dict(kind=pb.FEEDBACK_KIND_UNSPECIFIED), grpc.StatusCode.INVALID_ARGUMENT, "kind"),
    (dict(kind=pb.DWELL), grpc.StatusCode.INVALID_ARGUMENT, "dwell_ms"),
    (dict(kind=pb.DWELL, dwell_ms=-10), grpc.StatusCode.INVALID_ARGUMENT, "dwell_ms"),
    (dict(kind=pb.CORRECTION), grpc.StatusCode.INVALID_ARGUMENT, "correction_text"),
    (dict(kind=pb.CORRECTION, correction_text="x" * 20_000), grpc.StatusCode.INVALID_ARGUMENT, "correction_text"),
    (dict(kind=pb.THUMBS_UP, dwell_ms=10), grpc.StatusCode.INVALID_ARGUMENT, "dwell_ms"),
])
async def test_bad_feedback(client, kwargs, code, needle):
    reply = await client.chat("Hello", adapter="base", **GREEDY)
    feedback = pb.Feedback(**{"response_id": reply.response_id, **kwargs})  # a real answer unless the case names one
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await client.send_feedback_message(feedback)
    assert info.value.code() == code and needle in info.value.details()
    assert (await client.chat("Hello again", adapter="base", **GREEDY)).text is not None


async def test_regenerate_of_an_unknown_answer_is_not_found(client):
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await client.chat("hello", adapter="base", regenerate_of="r-missing", **GREEDY)
    assert info.value.code() == grpc.StatusCode.NOT_FOUND and "regenerate_of" in info.value.details()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_acked_signals_survive_kill_9(demo_model, tmp_path):
    db = tmp_path / "fb.sqlite"
    port = _free_port()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "loraloop.cli", "serve", "--model", str(demo_model.model_dir),
        "--adapter-store", str(demo_model.adapter_store), "--port", str(port), "--metrics-port", "-1", "--http-port", "-1",
        "--admin-token", "t", "--db-url", str(db), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL, start_new_session=True)
    try:
        async with LoraloopClient(f"127.0.0.1:{port}", timeout=30) as client:
            for _ in range(600):  # engine start
                try:
                    reply = await client.chat("hi", adapter="medical", **GREEDY)
                    break
                except grpc.aio.AioRpcError:
                    await asyncio.sleep(0.5)
            else:
                raise AssertionError("server did not start")
            # The fp32 base stays a served path: this server runs the demo's full-precision copy.
            assert (await client.list_adapters_response()).base_quantization == "none"
            acks = await asyncio.gather(*(client.send_feedback(reply.response_id, pb.DWELL, dwell_ms=i + 1)
                                          for i in range(40)))
        engine = psutil.Process(proc.pid).children(recursive=True)  # the engine core and its workers
        assert engine, "the server started no engine processes"
        os.kill(proc.pid, signal.SIGKILL)  # the server alone: no shutdown, no flush: only what was committed survives
        await proc.wait()
        # ... and its engine processes must not outlive it (serve/engine_lifetime.py).
        _gone, alive = await asyncio.to_thread(psutil.wait_procs, engine, timeout=20)
        assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], [p.cmdline() for p in alive]
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
    stored = {r[0] for r in rows(db, "SELECT id FROM signals WHERE kind = 'DWELL'")}
    assert {int(a.signal_id) for a in acks} <= stored
    assert len(stored) == 40


async def test_a_locked_database_is_unavailable_and_the_server_keeps_serving(client, feedback_config):
    reply = await client.chat("Hello there", adapter="base", **GREEDY)
    await client.send_feedback(reply.response_id, pb.COPY)  # the answer is committed before the lock
    blocker = sqlite3.connect(feedback_config.db_file(), isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await client.send_feedback(reply.response_id, pb.THUMBS_UP)
        assert info.value.code() == grpc.StatusCode.UNAVAILABLE and "locked" in info.value.details()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    again = await client.chat("Hello again", adapter="base", **GREEDY)
    ack = await client.send_feedback(again.response_id, pb.THUMBS_UP)
    assert ack.signal_id and not ack.duplicate
