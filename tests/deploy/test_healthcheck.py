"""`python -m loraloop.healthcheck`: healthy only when grpc.health.v1 says SERVING (the image's HEALTHCHECK)."""

from __future__ import annotations

import asyncio
import http.server
import socket
import sys
import threading
from concurrent import futures

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from loraloop.healthcheck import EXIT_HEALTHY, EXIT_UNHEALTHY, EXIT_USAGE, main


@pytest.fixture
def health_server():
    """A plain gRPC server with only the health service; the test sets its statuses."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield servicer, f"127.0.0.1:{port}"
    server.stop(grace=None)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # closed again when the block ends: nothing listens there


def test_serving_is_healthy(health_server, capsys):
    servicer, target = health_server
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert main(["--target", target]) == EXIT_HEALTHY
    assert "SERVING" in capsys.readouterr().out


def test_not_serving_is_unhealthy(health_server, capsys):
    servicer, target = health_server
    servicer.set("", health_pb2.HealthCheckResponse.NOT_SERVING)
    assert main(["--target", target]) == EXIT_UNHEALTHY
    assert "NOT_SERVING" in capsys.readouterr().err


def test_a_service_the_server_does_not_know_is_unhealthy(health_server, capsys):
    servicer, target = health_server
    servicer.set("", health_pb2.HealthCheckResponse.SERVING)
    assert main(["--target", target, "--service", "no.such.Service"]) == EXIT_UNHEALTHY
    assert "NOT_FOUND" in capsys.readouterr().err


def test_a_closed_port_is_unhealthy(capsys):
    assert main(["--target", f"127.0.0.1:{_closed_port()}", "--timeout", "2"]) == EXIT_UNHEALTHY
    assert "UNAVAILABLE" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [["--target", "localhost"], ["--timeout", "0"], ["--timeout", "-1"],
                                  ["--no-such-flag"], ["--target", "127.0.0.1:1", "--http", "http://127.0.0.1:1/"]])
def test_bad_usage_exits_2(argv, capsys):
    assert main(argv) == EXIT_USAGE
    assert capsys.readouterr().err


@pytest.fixture
def http_server():
    """A loopback HTTP server answering 200 on /ok and 503 elsewhere."""
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/ok" else 503)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_http_mode(http_server):
    assert main(["--http", f"{http_server}/ok"]) == EXIT_HEALTHY
    assert main(["--http", f"{http_server}/broken"]) == EXIT_UNHEALTHY
    assert main(["--http", f"http://127.0.0.1:{_closed_port()}/metrics", "--timeout", "2"]) == EXIT_UNHEALTHY


async def _probe(*args: str) -> tuple[int, str]:
    # A subprocess, as Docker runs it; and a blocking call here would stall the server's event loop.
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "loraloop.healthcheck", *args,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return proc.returncode, out.decode()


async def test_the_real_server_is_healthy(server):
    rc, out = await _probe("--target", f"127.0.0.1:{server.port}")
    assert rc == EXIT_HEALTHY, out
    rc, out = await _probe("--target", f"127.0.0.1:{server.port}", "--service", "loraloop.v1.Chat")
    assert rc == EXIT_HEALTHY, out
    rc, out = await _probe("--http", f"http://127.0.0.1:{server.metrics_port}/metrics")
    assert rc == EXIT_HEALTHY, out


async def test_the_probe_fails_on_a_closed_port_as_a_process():
    rc, out = await _probe("--target", f"127.0.0.1:{_closed_port()}", "--timeout", "2")
    assert rc == EXIT_UNHEALTHY and "unhealthy" in out
