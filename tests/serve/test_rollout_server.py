"""Canary rollouts through the real server: sticky arms by user, Admin.GetRollout/SetRollout, rollback, the CLI."""

from __future__ import annotations

import asyncio
import re
import sys

import grpc
import pytest

from loraloop.client import LoraloopClient
from tests.adapter_files import publish_copy_of_latest
from tests.conftest import ADMIN_TOKEN
from tests.prom import metric_value

DOMAIN = "legal"  # the hot-swap tests publish medical versions; keep the experiments apart
USERS = 200
FAST = dict(temperature=0.0, max_tokens=2)


def _publish_canary(store_root, tmp_path) -> int:
    return publish_copy_of_latest(store_root, DOMAIN, tmp_path)


async def _active_version(client) -> int:
    return next(a.version for a in await client.list_adapters() if a.domain == DOMAIN and a.active)


async def _scrape(server) -> str:
    import urllib.request

    return await asyncio.to_thread(
        lambda: urllib.request.urlopen(f"http://127.0.0.1:{server.metrics_port}/metrics").read().decode())


async def test_canary_at_half_serves_about_half_of_distinct_users_and_rolls_back(server, client, adapter_store,
                                                                                tmp_path):
    stable = await _active_version(client)
    canary = _publish_canary(adapter_store, tmp_path)
    rollout = await client.set_rollout(DOMAIN, "start", canary_version=canary, schedule=[50, 100],
                                       min_rated_per_step=5_000, reason="test: half the users")
    try:
        assert (rollout.status, rollout.weight, rollout.stable_version, rollout.canary_version) == \
            ("running", 50.0, stable, canary)
        loaded = {a.ref: a for a in await client.list_adapters()}
        assert loaded[f"{DOMAIN}@v{canary}"].loaded and loaded[f"{DOMAIN}@v{canary}"].pinned
        assert loaded[f"{DOMAIN}@v{stable}"].active  # the canary is loaded, not active

        arms: dict[str, str] = {}
        semaphore = asyncio.Semaphore(8)

        async def ask(user: str) -> None:
            async with semaphore:
                response = await client.chat("Can my landlord keep my deposit?", adapter=DOMAIN, user_id=user,
                                             **FAST)
            expected = {"canary": f"{DOMAIN}@v{canary}", "stable": f"{DOMAIN}@v{stable}"}[response.arm]
            assert response.adapter == expected, (response.arm, response.adapter)
            arms[user] = response.arm

        await asyncio.gather(*(ask(f"user-{i}") for i in range(USERS)))
        share = sum(arm == "canary" for arm in arms.values()) / USERS
        # Binomial(200, 0.5): sd 3.5 points; the hash is deterministic, so this is not flaky run to run.
        assert 0.40 <= share <= 0.60, share

        # Sticky: the same users again (another conversation, streamed) land on the same arm.
        for user in list(arms)[:20]:
            async for chunk in client.stream("What is a contract?", adapter=DOMAIN, user_id=user,
                                             conversation_id=f"again-{user}", **FAST):
                assert chunk.arm == arms[user]

        # A client that names a version is outside the experiment.
        pinned = await client.chat("What is a contract?", adapter=f"{DOMAIN}@v{canary}", user_id="user-0", **FAST)
        assert (pinned.arm, pinned.adapter) == ("pinned", f"{DOMAIN}@v{canary}")

        text = await _scrape(server)
        assert metric_value(text, "loraloop_router_canary_weight_ratio", domain=DOMAIN) == pytest.approx(0.5)
        assert metric_value(text, "loraloop_serve_requests_total", adapter=DOMAIN, version=f"v{canary}", arm="canary",
                       status="OK") >= sum(arm == "canary" for arm in arms.values())

        [status] = await client.get_rollout(DOMAIN)
        assert status.id == rollout.id and status.events[0].decision == "start"
        assert "test: half the users" in status.events[0].reason
        by_arm = {a.arm: a for a in status.arms}
        assert by_arm["canary"].version == canary and by_arm["canary"].answers >= 1
    finally:
        rolled = await client.set_rollout(DOMAIN, "rollback", reason="test over")
    assert (rolled.status, rolled.weight) == ("rolled_back", 0.0)
    for user in list(arms)[:30]:
        response = await client.chat("What is a contract?", adapter=DOMAIN, user_id=user, **FAST)
        assert (response.arm, response.adapter) == ("stable", f"{DOMAIN}@v{stable}")
    loaded = {a.ref: a for a in await client.list_adapters()}
    assert not loaded[f"{DOMAIN}@v{canary}"].loaded
    [after] = await client.get_rollout(DOMAIN)
    assert [e.decision for e in after.events][:2] == ["rollback", "start"]


async def _recorded(feedback_config, response_id: str) -> tuple:
    import sqlite3

    for _ in range(100):  # the answer is recorded by the writer thread just after the response
        with sqlite3.connect(feedback_config.db_file()) as conn:
            row = conn.execute("SELECT route_domain, route_confidence, adapter, arm FROM responses WHERE id = ?",
                               [response_id]).fetchone()
        if row:
            return row
        await asyncio.sleep(0.05)
    raise AssertionError(f"{response_id} was not recorded")


async def test_routed_requests_record_domain_and_confidence(server, client, feedback_config):
    before = await _scrape(server)
    medical = await client.chat("I have a fever and a sore throat, should I see a doctor?", **FAST)
    assert medical.route.domain == "medical" and medical.route.confidence > 0.5
    assert medical.adapter.startswith("medical@v")
    domain, confidence, adapter, arm = await _recorded(feedback_config, medical.response_id)
    assert (domain, adapter, arm) == ("medical", medical.adapter, medical.arm)
    assert confidence == pytest.approx(medical.route.confidence)
    finance = await client.chat("Should I put my savings in an index fund or pay off my mortgage?", **FAST)
    assert finance.route.domain == "finance" and finance.adapter.startswith("finance@v")
    # The client's explicit adapter wins over the route.
    explicit = await client.chat("I have a fever and a sore throat, should I see a doctor?", adapter="finance",
                                 **FAST)
    assert explicit.adapter.startswith("finance@v") and explicit.route.domain == "finance"
    after = await _scrape(server)
    assert metric_value(after, "loraloop_router_routes_total", domain="medical") == \
        metric_value(before, "loraloop_router_routes_total", domain="medical") + 1
    assert metric_value(after, "loraloop_router_confidence_ratio_count") >= \
        metric_value(before, "loraloop_router_confidence_ratio_count") + 2


async def test_general_and_low_confidence_routes_go_to_the_base_model(server, client):
    before = await _scrape(server)
    general = await client.chat("Can you recommend a relaxing video game?", **FAST)
    assert (general.route.domain, general.adapter) == ("general", "base")
    after = await _scrape(server)
    assert metric_value(after, "loraloop_router_routes_total", domain="general") == \
        metric_value(before, "loraloop_router_routes_total", domain="general") + 1
    # Whatever the router thinks of gibberish, a confidence under min_confidence means the base model answers.
    odd = await client.chat("zxqv blorp 7", **FAST)
    if odd.route.confidence < server.router_config.min_confidence:
        assert odd.adapter == "base"
        assert metric_value(await _scrape(server), "loraloop_router_low_confidence_total") >= \
            metric_value(after, "loraloop_router_low_confidence_total") + 1


async def test_a_vague_follow_up_stays_in_the_conversation_s_domain(client):
    first = await client.chat("I have a fever and a sore throat, should I see a doctor?", conversation_id="c-vague",
                              **FAST)
    follow = await client.chat([("user", "I have a fever and a sore throat, should I see a doctor?"),
                                ("assistant", first.text), ("user", "and what about the side effects?")],
                               conversation_id="c-vague", **FAST)
    assert follow.route.domain == first.route.domain == "medical"


@pytest.mark.parametrize("kwargs, code, words", [
    (dict(domain="astrology", action="start", canary_version=2), grpc.StatusCode.NOT_FOUND, "astrology"),
    (dict(domain=DOMAIN, action="start", canary_version=99), grpc.StatusCode.NOT_FOUND, "v99"),
    (dict(domain=DOMAIN, action="launch"), grpc.StatusCode.INVALID_ARGUMENT, "action"),
    (dict(domain=DOMAIN, action="start", canary_version=0, schedule=[50, 20, 100]),
     grpc.StatusCode.INVALID_ARGUMENT, "schedule"),
    (dict(domain=DOMAIN, action="start", canary_version=0, schedule=[5, 150]),
     grpc.StatusCode.INVALID_ARGUMENT, "schedule"),
    (dict(domain=DOMAIN, action="pause"), grpc.StatusCode.FAILED_PRECONDITION, DOMAIN),
])
async def test_bad_rollout_requests_get_a_clear_status_and_change_nothing(client, kwargs, code, words):
    before = await client.get_rollout()
    domain, action = kwargs.pop("domain"), kwargs.pop("action")
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await client.set_rollout(domain, action, **kwargs)
    assert info.value.code() == code
    assert words in info.value.details()
    assert await client.get_rollout() == before


async def test_canary_equal_to_stable_and_a_second_canary_are_refused(client, adapter_store, tmp_path):
    stable = await _active_version(client)
    with pytest.raises(grpc.aio.AioRpcError) as info:
        await client.set_rollout(DOMAIN, "start", canary_version=stable)
    assert info.value.code() == grpc.StatusCode.INVALID_ARGUMENT and "stable" in info.value.details()
    canary = _publish_canary(adapter_store, tmp_path)
    first = await client.set_rollout(DOMAIN, "start", canary_version=canary, min_rated_per_step=5_000)
    try:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await client.set_rollout(DOMAIN, "start", canary_version=canary)
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION
        [still] = await client.get_rollout(DOMAIN)
        assert still.id == first.id and still.weight == first.weight
    finally:
        await client.set_rollout(DOMAIN, "rollback", reason="test over")


async def test_rollout_calls_need_the_admin_token(server):
    async with LoraloopClient(f"127.0.0.1:{server.port}") as anonymous:
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await anonymous.get_rollout()
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await anonymous.reload_router()
        assert info.value.code() == grpc.StatusCode.UNAUTHENTICATED


async def test_rollout_cli_start_status_and_rollback(server, client, adapter_store, tmp_path):
    canary = _publish_canary(adapter_store, tmp_path)

    async def cli(*args: str) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "loraloop.cli", "rollout", *args, "--target", f"127.0.0.1:{server.port}",
            "--admin-token", ADMIN_TOKEN, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
        out, err = await proc.communicate()
        return proc.returncode, out.decode(), err.decode()

    code, out, _ = await cli("start", DOMAIN, "--version", str(canary), "--schedule", "10,50,100",
                             "--min-rated", "5000", "--reason", "from the cli")
    assert code == 0 and f"v{canary} (canary)" in out and "weight 10%" in out
    code, out, _ = await cli("status", "--domain", DOMAIN)
    assert code == 0 and "running" in out and "from the cli" in out
    assert re.search(rf"canary\s+v{canary}", out)
    code, out, _ = await cli("rollback", DOMAIN, "--reason", "cli says no")
    assert code == 0 and "rolled_back" in out and "cli says no" in out
    code, _, err = await cli("start", DOMAIN, "--schedule", "50,abc")
    assert code == 2 and "--schedule" in err
    code, _, err = await cli("pause", "astrology")
    assert code == 1 and "astrology" in err


async def test_reload_router_keeps_the_old_router_when_the_file_is_broken(server, client):
    reply = await client.reload_router()
    assert {"medical", "finance", "legal"} <= set(reply.domains)
    path = server.router_config.router_file()
    good = path.read_bytes()
    try:
        path.write_bytes(b"not a router")
        with pytest.raises(grpc.aio.AioRpcError) as info:
            await client.reload_router()
        assert info.value.code() == grpc.StatusCode.FAILED_PRECONDITION and str(path) in info.value.details()
        routed = await client.chat("I have a fever and a sore throat, should I see a doctor?", **FAST)
        assert routed.route.domain == "medical"
    finally:
        path.write_bytes(good)
    assert set((await client.reload_router()).domains) == set(reply.domains)
