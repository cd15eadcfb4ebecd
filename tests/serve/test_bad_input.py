"""Every class of bad input gets its status and a message naming the problem; the server keeps serving."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import grpc
import pytest

from loraloop.client import LoraloopClient
from loraloop.quantize import cpu_flags
from loraloop.v1 import loraloop_pb2 as pb

OK = dict(temperature=0.0, max_tokens=8)


async def assert_still_serving(client: LoraloopClient) -> None:
    assert (await client.chat("hello", adapter="medical", **OK)).text


async def expect(call, code: grpc.StatusCode, *needles: str) -> None:
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await call
    assert info.value.code() == code, info.value.details()
    for needle in needles:
        assert needle in info.value.details()


@pytest.mark.parametrize("request_kwargs, code, needles", [
    (dict(messages=[]), grpc.StatusCode.INVALID_ARGUMENT, ["messages", "empty"]),
    (dict(messages=[pb.Message(role="wizard", content="hi")]), grpc.StatusCode.INVALID_ARGUMENT, ["messages[0].role", "wizard"]),
    (dict(sampling=pb.SamplingParams(max_tokens=100_000)), grpc.StatusCode.INVALID_ARGUMENT, ["sampling.max_tokens", "100000"]),
    (dict(sampling=pb.SamplingParams(temperature=9)), grpc.StatusCode.INVALID_ARGUMENT, ["sampling.temperature"]),
    (dict(adapter="astrology"), grpc.StatusCode.NOT_FOUND, ["astrology"]),
    (dict(adapter="medical@v99"), grpc.StatusCode.NOT_FOUND, ["medical@v99", "v1"]),
    (dict(adapter="Medical!"), grpc.StatusCode.INVALID_ARGUMENT, ["adapter"]),
    (dict(adapter="../../etc"), grpc.StatusCode.INVALID_ARGUMENT, ["adapter"]),
])
async def test_bad_chat_requests(client, request_kwargs, code, needles):
    base = dict(messages=[pb.Message(role="user", content="hello")])
    request = pb.ChatRequest(**{**base, **request_kwargs})
    await expect(client.chat(request), code, *needles)
    stream = client.stream(request)
    await expect(stream.__anext__(), code, *needles)
    await assert_still_serving(client)


async def test_prompt_over_the_context(client, server):
    long_text = "headache fever cough " * 400
    await expect(client.chat(long_text, adapter="medical", **OK), grpc.StatusCode.INVALID_ARGUMENT,
                 "messages", f"context is {server.engine.max_model_len} tokens")
    await expect(client.chat("hello " * 100, adapter="medical", temperature=0.0, max_tokens=250),
                 grpc.StatusCode.INVALID_ARGUMENT, "sampling.max_tokens")
    await assert_still_serving(client)


async def test_adapter_path_outside_the_store_is_refused(client, adapter_store, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (adapter_store / "escape").mkdir()
    (adapter_store / "escape" / "v1").symlink_to(outside)
    try:
        await expect(client.chat("hello", adapter="escape@v1", **OK), grpc.StatusCode.PERMISSION_DENIED,
                     "outside the adapter store")
        await expect(client.load_adapter("escape@v1"), grpc.StatusCode.PERMISSION_DENIED, "outside the adapter store")
    finally:
        (adapter_store / "escape" / "v1").unlink()
        (adapter_store / "escape").rmdir()
    await assert_still_serving(client)


async def test_admin_calls_need_the_token(server, client):
    target = f"127.0.0.1:{server.port}"
    async with LoraloopClient(target) as anonymous:
        await expect(anonymous.load_adapter("medical@v1"), grpc.StatusCode.UNAUTHENTICATED, "Bearer")
        await expect(anonymous.unload_adapter("medical@v1"), grpc.StatusCode.UNAUTHENTICATED)
    async with LoraloopClient(target, admin_token="wrong") as wrong:
        await expect(wrong.load_adapter("medical@v1"), grpc.StatusCode.UNAUTHENTICATED, "rejected")
    await assert_still_serving(client)


async def test_admin_bad_requests(client):
    await expect(client.load_adapter(""), grpc.StatusCode.INVALID_ARGUMENT, "adapter")
    await expect(client.load_adapter("oncology"), grpc.StatusCode.NOT_FOUND, "oncology")
    await expect(client.unload_adapter("medical@v1"), grpc.StatusCode.FAILED_PRECONDITION, "active version")
    await expect(client.unload_adapter("medical"), grpc.StatusCode.FAILED_PRECONDITION, "explicit version")
    await assert_still_serving(client)


async def test_overload_is_resource_exhausted_never_a_hang(server, client, serve_config):
    # Twice the admission limit at once: the surplus is refused at once, the rest are answered.
    n = serve_config.max_concurrent_requests * 2
    results = await asyncio.wait_for(asyncio.gather(
        *(client.chat(f"question {i}", adapter="finance", temperature=0.0, max_tokens=64) for i in range(n)),
        return_exceptions=True), timeout=300)
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    answered = [r for r in results if isinstance(r, pb.ChatResponse)]
    assert refused and answered and len(refused) + len(answered) == n
    assert all(r.code() == grpc.StatusCode.RESOURCE_EXHAUSTED and "capacity" in r.details() for r in refused)
    await assert_still_serving(client)


def test_cli_config_errors_exit_2_with_one_line():
    proc = subprocess.run([sys.executable, "-m", "loraloop.cli", "serve", "--device", "cpu", "--quantization",
                           "bitsandbytes"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0
    assert "quantization='bitsandbytes'" in proc.stderr


@pytest.mark.skipif("avx512f" in cpu_flags(), reason="this CPU has AVX-512, so vLLM's 4-bit CPU kernel exists")
def test_4bit_on_this_cpu_is_refused_at_start_naming_the_missing_flag(demo_model, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "loraloop.cli", "serve", "--device", "cpu", "--quantization", "awq",
                           "--model", str(demo_model.model_dir), "--adapter-store", str(demo_model.adapter_store),
                           "--db-url", str(tmp_path / "f.sqlite"), "--state-dir", str(tmp_path), "--port", "0",
                           "--metrics-port", "-1"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr[-2000:]
    last = proc.stderr.strip().splitlines()[-1]  # after vLLM's own import-time log lines
    assert last.startswith("loraloop: error: awq (4-bit) needs the CPU flag avx512f"), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
