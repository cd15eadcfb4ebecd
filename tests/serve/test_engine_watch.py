"""The engine watchdog's logic with a scripted health check (the real kill is an integration test)."""

from __future__ import annotations

import asyncio

import pytest

from loraloop.serve.engine_watch import watch_engine


async def test_the_first_failed_check_reports_once_and_stops_watching():
    checks, dead = [], []
    outcomes = iter([None, None, RuntimeError("EngineCore died")])

    async def check():
        checks.append(1)
        outcome = next(outcomes)
        if outcome:
            raise outcome

    async def on_dead(error):
        dead.append(str(error))

    await asyncio.wait_for(watch_engine(check, on_dead, interval_s=0.001), timeout=5)
    assert len(checks) == 3 and dead == ["EngineCore died"]


async def test_a_healthy_engine_is_watched_until_cancelled():
    checks = []

    async def check():
        checks.append(1)

    async def on_dead(error):
        raise AssertionError("a healthy engine was reported dead")

    task = asyncio.create_task(watch_engine(check, on_dead, interval_s=0.001))
    await asyncio.sleep(0.05)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(checks) >= 3


async def test_serve_stops_and_raises_when_the_engine_died(monkeypatch):
    from loraloop.config import ServeConfig
    from loraloop.errors import EngineUnavailable
    from loraloop.serve import server

    class Running:  # what serve() uses of RunningServer
        port, http_port, metrics_port, stopped, tls = 1234, None, None, None, False
        engine = type("E", (), {"quantization": "none"})()
        engine_failure = RuntimeError("EngineCore died")
        engine_dead = asyncio.Event()

        async def stop(self, grace):
            self.stopped = grace

    running = Running()
    running.engine_dead.set()

    async def fake_create_server(*args, **kwargs):
        return running

    monkeypatch.setattr(server, "create_server", fake_create_server)
    with pytest.raises(EngineUnavailable, match="engine core died"):
        await asyncio.wait_for(server.serve(ServeConfig(shutdown_grace_s=0.5)), timeout=5)
    assert running.stopped == 0.5  # drained before exiting
