"""A killed engine core: health turns NOT_SERVING within seconds and chats get UNAVAILABLE (a server of its own)."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import signal
import time

import grpc
import psutil
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from loraloop.client import LoraloopClient
from loraloop.config import FeedbackConfig, RouterConfig
from tests.conftest import ADMIN_TOKEN


def _engine_cores(before: set[int]) -> list[psutil.Process]:
    """The engine core processes started since `before` (vLLM titles them EngineCore_DP<rank>)."""
    new = [p for p in psutil.Process().children(recursive=True) if p.pid not in before]
    cores = [p for p in new if "EngineCore" in " ".join(p.cmdline()) or "EngineCore" in p.name()]
    return cores or [p for p in new if "resource_tracker" not in " ".join(p.cmdline())]


async def test_a_killed_engine_core_turns_health_not_serving_and_chats_unavailable(serve_config, tmp_path):
    from loraloop.serve.server import create_server

    before = {p.pid for p in psutil.Process().children(recursive=True)}
    config = dataclasses.replace(serve_config, engine_check_interval_s=0.5, state_dir=str(tmp_path / "state"))
    running = await create_server(config, feedback_config=FeedbackConfig(db_url=str(tmp_path / "fb.sqlite")),
                                  router_config=RouterConfig(path=str(tmp_path / "router.joblib")))
    try:
        cores = _engine_cores(before)
        assert cores, "no engine core process found"
        async with LoraloopClient(f"127.0.0.1:{running.port}", admin_token=ADMIN_TOKEN) as client:
            assert (await client.chat("hello", adapter="base", max_tokens=4)).text is not None
            for core in cores:
                os.kill(core.pid, signal.SIGKILL)
            started = time.monotonic()
            await asyncio.wait_for(running.engine_dead.wait(), timeout=30)
            noticed_s = time.monotonic() - started
            async with grpc.aio.insecure_channel(f"127.0.0.1:{running.port}") as channel:
                stub = health_pb2_grpc.HealthStub(channel)
                for service in ("", "loraloop.v1.Chat"):
                    reply = await stub.Check(health_pb2.HealthCheckRequest(service=service))
                    assert reply.status == health_pb2.HealthCheckResponse.NOT_SERVING, service
            with pytest.raises(grpc.aio.AioRpcError) as info:
                await client.chat("hello again", adapter="base", max_tokens=4)
            assert info.value.code() == grpc.StatusCode.UNAVAILABLE
            assert "engine" in info.value.details()
        assert noticed_s < 15, noticed_s
        assert running.engine_failure is not None
    finally:
        await running.stop(grace=1.0)
