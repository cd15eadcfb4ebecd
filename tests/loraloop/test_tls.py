"""TLS files are checked before the server starts, and a real grpc.aio server serves TLS and mTLS with them."""

from __future__ import annotations

import os
import subprocess
import sys

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_health.v1._async import HealthServicer

from loraloop import healthcheck
from loraloop.settings import ConfigError
from loraloop.tls import load_client_tls, load_server_tls
from tests.tls_files import make_pki


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    return make_pki(tmp_path_factory.mktemp("pki"))


def test_no_files_is_plaintext():
    assert load_server_tls("", "") is None
    assert load_client_tls() is None


def test_good_files_load_and_mtls_follows_the_client_ca(pki):
    tls = load_server_tls(str(pki.server_cert), str(pki.server_key))
    assert tls is not None and not tls.requires_client_cert
    assert load_server_tls(str(pki.server_cert), str(pki.server_key), str(pki.ca)).requires_client_cert


@pytest.mark.parametrize("case, field, needle", [
    ("missing cert", "tls_cert", "no such file"),
    ("folder as key", "tls_key", "is a folder"),
    ("empty cert", "tls_cert", "is empty"),
    ("key as cert", "tls_cert", "holds no PEM certificate"),
    ("cert as key", "tls_key", "holds no PEM private key"),
    ("other key", "tls_key", "does not match the certificate"),
    ("expired", "tls_cert", "expired on"),
    ("cert without key", "tls_key", "is needed with tls_cert"),
    ("client CA alone", "tls_client_ca", "needs tls_cert and tls_key"),
    ("bad client CA", "tls_client_ca", "holds no PEM certificate"),
    ("encrypted key", "tls_key", "encrypted"),
])
def test_bad_server_files_name_the_setting_and_the_file(pki, tmp_path, case, field, needle):
    from cryptography.hazmat.primitives import serialization

    cert, key, ca = str(pki.server_cert), str(pki.server_key), ""
    if case == "missing cert":
        cert = str(tmp_path / "nope.pem")
    elif case == "folder as key":
        key = str(tmp_path)
    elif case == "empty cert":
        (tmp_path / "empty.pem").write_text("\n")
        cert = str(tmp_path / "empty.pem")
    elif case == "key as cert":
        cert = str(pki.server_key)
    elif case == "cert as key":
        key = str(pki.server_cert)
    elif case == "other key":
        key = str(pki.client_key)
    elif case == "expired":
        cert, key = str(pki.expired_cert), str(pki.expired_key)
    elif case == "cert without key":
        key = ""
    elif case == "client CA alone":
        cert, key, ca = "", "", str(pki.ca)
    elif case == "bad client CA":
        ca = str(pki.server_key)
    elif case == "encrypted key":
        private = serialization.load_pem_private_key(pki.server_key.read_bytes(), password=None)
        (tmp_path / "enc.pem").write_bytes(private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"secret-passphrase")))
        key = str(tmp_path / "enc.pem")
    with pytest.raises(ConfigError) as caught:
        load_server_tls(cert, key, ca)
    assert caught.value.field == field
    assert needle in str(caught.value)
    if caught.value.value:  # the file is named in the one-line message
        assert str(caught.value.value) in str(caught.value)
    assert "secret-passphrase" not in str(caught.value)


def test_serve_refuses_bad_tls_files_at_start_with_one_line_and_exit_2(pki, tmp_path):
    missing = tmp_path / "missing-key.pem"
    result = subprocess.run([sys.executable, "-m", "loraloop.cli", "serve", "--tls-cert", str(pki.server_cert),
                             "--tls-key", str(missing)], capture_output=True, text=True, timeout=120,
                            env={**os.environ, "LORALOOP_HOME": str(tmp_path / "home")})
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(missing) in lines[0] and "tls_key" in lines[0], result.stderr
    assert not (tmp_path / "home" / "demo").exists()  # refused before the demo build or the engine start


async def _health_server(tls) -> tuple[grpc.aio.Server, int]:
    server = grpc.aio.server()
    health = HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health, server)
    port = server.add_secure_port("127.0.0.1:0", tls.grpc_credentials())
    await server.start()
    await health.set("", health_pb2.HealthCheckResponse.SERVING)
    return server, port


async def _check(channel: grpc.aio.Channel) -> int:
    async with channel:
        reply = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(), timeout=5)
        return reply.status


async def test_tls_server_answers_a_tls_client_and_refuses_plaintext(pki):
    server, port = await _health_server(load_server_tls(str(pki.server_cert), str(pki.server_key)))
    target = f"127.0.0.1:{port}"
    try:
        client = load_client_tls(str(pki.ca))
        assert await _check(grpc.aio.secure_channel(target, client.grpc_credentials())) == \
            health_pb2.HealthCheckResponse.SERVING
        with pytest.raises(grpc.aio.AioRpcError) as plaintext:
            await _check(grpc.aio.insecure_channel(target))
        assert plaintext.value.code() == grpc.StatusCode.UNAVAILABLE
        # A client that does not trust the server's CA is refused too.
        with pytest.raises(grpc.aio.AioRpcError) as untrusted:
            await _check(grpc.aio.secure_channel(target, load_client_tls(str(pki.other_ca)).grpc_credentials()))
        assert untrusted.value.code() == grpc.StatusCode.UNAVAILABLE
        # The container probe speaks TLS with the same files.
        ok, reason = await _probe(target, healthcheck.ProbeTls(ca=str(pki.ca)))
        assert ok, reason
        ok, reason = await _probe(target, None)
        assert not ok
    finally:
        await server.stop(0)


async def test_mtls_server_refuses_a_client_without_a_certificate(pki):
    server, port = await _health_server(load_server_tls(str(pki.server_cert), str(pki.server_key), str(pki.ca)))
    target = f"127.0.0.1:{port}"
    try:
        with pytest.raises(grpc.aio.AioRpcError) as no_cert:
            await _check(grpc.aio.secure_channel(target, load_client_tls(str(pki.ca)).grpc_credentials()))
        assert no_cert.value.code() == grpc.StatusCode.UNAVAILABLE
        with_cert = load_client_tls(str(pki.ca), str(pki.client_cert), str(pki.client_key))
        assert await _check(grpc.aio.secure_channel(target, with_cert.grpc_credentials())) == \
            health_pb2.HealthCheckResponse.SERVING
        ok, reason = await _probe(target, healthcheck.ProbeTls(ca=str(pki.ca), cert=str(pki.client_cert),
                                                                key=str(pki.client_key)))
        assert ok, reason
    finally:
        await server.stop(0)


async def _probe(target: str, tls):
    import asyncio

    return await asyncio.to_thread(healthcheck.check_grpc, target, "", 5.0, tls)


def test_client_files_are_checked_too(pki):
    with pytest.raises(ConfigError, match=r"--tls-key.*is needed with --tls-cert"):
        load_client_tls(str(pki.ca), str(pki.client_cert), "", prefix="--tls-")
    with pytest.raises(ConfigError, match="does not match the certificate"):
        load_client_tls(str(pki.ca), str(pki.client_cert), str(pki.server_key))


def test_healthcheck_refuses_a_missing_tls_file_as_usage(tmp_path, capsys):
    assert healthcheck.main(["--tls-ca", str(tmp_path / "nope.pem")]) == healthcheck.EXIT_USAGE
    assert "nope.pem" in capsys.readouterr().err
