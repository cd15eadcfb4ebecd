"""Two server replicas on one Postgres and one adapter store: one rollout state, followed by both, no lost signal.

Two real `loraloop serve` processes on the demo model (two vLLM engines: the one test in the suite that needs
a second server beside its own), started together to halve the wait.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import grpc
import pytest

from loraloop import healthcheck, storage
from loraloop.client import LoraloopClient
from loraloop.v1 import loraloop_pb2 as pb
from tests.adapter_files import publish_copy_of_latest
from tests.conftest import ADMIN_TOKEN

DOMAIN = "finance"
FAST = dict(temperature=0.0, max_tokens=2)
TICK_S = 0.5


@dataclass
class Replica:
    """One server process and where it listens."""

    name: str
    proc: subprocess.Popen
    target: str
    log: Path

    def client(self) -> LoraloopClient:
        """A client with the admin token, on this replica alone."""
        return LoraloopClient(self.target, admin_token=ADMIN_TOKEN, timeout=120)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(name: str, demo_model, store: Path, db_url: str, folder: Path) -> Replica:
    port = _free_port()
    log = folder / f"{name}.log"
    env = {**os.environ, "LORALOOP_HOME": str(folder / name), "HF_HUB_OFFLINE": "1"}
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "loraloop.cli", "serve", "--model", str(demo_model.model_dir), "--adapter-store",
             str(store), "--port", str(port), "--http-port", "-1", "--metrics-port", "0", "--admin-token", ADMIN_TOKEN,
             "--db-url", db_url, "--state-dir", str(folder / name / "state"),
             "--router-path", str(folder / name / "router.joblib"), "--rollout-tick-interval-s", str(TICK_S)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    return Replica(name=name, proc=proc, target=f"127.0.0.1:{port}", log=log)


@pytest.fixture(scope="module")
def replicas(demo_model, postgres_cluster, tmp_path_factory):
    folder = tmp_path_factory.mktemp("replicas")
    store = folder / "adapters"
    shutil.copytree(demo_model.adapter_store, store)
    db_url = postgres_cluster.new_database()
    pair = [_start(name, demo_model, store, db_url, folder) for name in ("a", "b")]
    try:
        deadline = time.monotonic() + 600
        for replica in pair:
            while not healthcheck.check_grpc(replica.target, "", 2.0, None)[0]:
                assert replica.proc.poll() is None, replica.log.read_text()[-3000:]
                assert time.monotonic() < deadline, f"replica {replica.name} did not start"
                time.sleep(0.5)
        yield pair, store, db_url
    finally:
        for replica in pair:
            if replica.proc.poll() is None:
                os.killpg(replica.proc.pid, signal.SIGTERM)
                try:
                    replica.proc.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    os.killpg(replica.proc.pid, signal.SIGKILL)
        storage.postgres.close_pools(db_url)


async def _loaded(client: LoraloopClient, ref: str) -> pb.AdapterInfo | None:
    return {a.ref: a for a in await client.list_adapters()}.get(ref)


async def _until(check, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while True:
        value = await check()
        if value or time.monotonic() > deadline:
            return value
        await asyncio.sleep(0.1)


def _rows(db_url: str, sql: str, *args) -> list:
    conn = storage.connect(db_url, autocommit=True)
    try:
        return [tuple(r) for r in conn.execute(sql, args).fetchall()]
    finally:
        conn.close()


async def test_two_replicas_follow_one_rollout_and_lose_no_acked_signal(replicas, tmp_path):
    (a, b), store, db_url = replicas
    canary = publish_copy_of_latest(store, DOMAIN, tmp_path)
    ref = f"{DOMAIN}@v{canary}"
    async with a.client() as on_a, b.client() as on_b:
        # A canary started through A alone ...
        started = await on_a.set_rollout(DOMAIN, "start", canary_version=canary, schedule=[50, 100],
                                         min_rated_per_step=5_000, reason="replica test")
        assert (started.status, started.weight) == ("running", 50.0)
        t0 = time.monotonic()
        info = await _until(lambda: _loaded_and_pinned(on_b, ref), timeout_s=10 * TICK_S)
        followed_s = time.monotonic() - t0
        assert info, f"replica B never loaded {ref}: {[a.ref for a in await on_b.list_adapters()]}"
        # ... is loaded and pinned by B within a few controller ticks (each tick a 0.5 s sleep plus the tick).
        assert followed_s < 6 * TICK_S, followed_s
        print(f"replica B loaded and pinned {ref} {followed_s:.2f} s after A started its canary (tick {TICK_S} s)")

        # A user's arm is the same on both replicas.
        for i in range(16):
            user = f"user-{i}"
            on_a_answer = await on_a.chat("Should I pay off debt first?", adapter=DOMAIN, user_id=user, **FAST)
            on_b_answer = await on_b.chat("Should I pay off debt first?", adapter=DOMAIN, user_id=user, **FAST)
            assert (on_a_answer.arm, on_a_answer.adapter) == (on_b_answer.arm, on_b_answer.adapter), user

        # Feedback sent to B about an answer A gave is accepted, once A's writer has committed the answer.
        answer = await on_a.chat("What is an index fund?", adapter=DOMAIN, user_id="u-feedback", **FAST)
        assert await _until(lambda: _committed(db_url, answer.response_id), timeout_s=10)
        ack = await on_b.send_feedback(answer.response_id, pb.THUMBS_UP, idempotency_key="cross-replica")
        assert ack.signal_id and not ack.duplicate

        # SIGKILL of A while signals stream to it: every acked signal is stored.
        answers = [(await on_a.chat(f"Question {i} about savings?", adapter=DOMAIN, user_id=f"k{i}", **FAST))
                   for i in range(8)]
        await _until(lambda: _all_committed(db_url, [x.response_id for x in answers]), timeout_s=10)
        acked: list[str] = []

        async def stream_signals() -> None:
            for n in range(100_000):
                key = f"kill-{n}"
                try:
                    await on_a.send_feedback(answers[n % len(answers)].response_id, pb.COPY, idempotency_key=key)
                except grpc.aio.AioRpcError:
                    return
                acked.append(key)

        sender = asyncio.create_task(stream_signals())
        await _until(lambda: _at_least(acked, 50), timeout_s=30)
        os.killpg(a.proc.pid, signal.SIGKILL)
        await asyncio.wait_for(sender, timeout=30)
        a.proc.wait(timeout=30)
        stored = {k for (k,) in _rows(db_url, "SELECT idempotency_key FROM signals WHERE idempotency_key LIKE 'kill-%'")}
        assert len(acked) >= 50 and set(acked) <= stored, (len(acked), len(set(acked) - stored))
        print(f"SIGKILL of A: {len(acked)} signals acked, all stored ({len(stored)} rows with their keys)")

        # The rollout goes on through B, and B applies the promotion once.
        promoted = await on_b.set_rollout(DOMAIN, "promote", reason="replica test over")
        assert (promoted.status, promoted.weight) == ("promoted", 100.0)
        assert (await _loaded(on_b, ref)).active
        after = await on_b.chat("Should I pay off debt first?", adapter=DOMAIN, user_id="user-0", **FAST)
        assert after.adapter == ref
    await asyncio.sleep(4 * TICK_S)  # B's controller keeps ticking: nothing is applied twice
    decisions = [d for (d,) in _rows(db_url, "SELECT decision FROM rollout_events WHERE rollout_id = ? ORDER BY id",
                                     started.id)]
    assert decisions == ["start", "promote"]


async def _loaded_and_pinned(client: LoraloopClient, ref: str) -> pb.AdapterInfo | None:
    info = await _loaded(client, ref)
    return info if info is not None and info.loaded and info.pinned and not info.active else None


async def _committed(db_url: str, response_id: str) -> bool:
    return bool(await asyncio.to_thread(_rows, db_url, "SELECT 1 FROM responses WHERE id = ?", response_id))


async def _all_committed(db_url: str, ids: list[str]) -> bool:
    return all([await _committed(db_url, i) for i in ids])


async def _at_least(items: list, n: int) -> bool:
    return len(items) >= n
