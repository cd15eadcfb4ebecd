"""Container health probe: exit 0 only when the server's grpc.health.v1 service reports SERVING.

`python -m loraloop.healthcheck --target 127.0.0.1:50051` is the Docker HEALTHCHECK of the server
image (grpc_health_probe is not installable here; Kubernetes uses its native gRPC probes instead).
`--http URL` checks an HTTP endpoint instead (the retrain daemon has no gRPC port, only /metrics).
Only grpc and the standard library are imported, so a probe costs well under a second.
"""

from __future__ import annotations

import argparse
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence

__all__ = ["EXIT_HEALTHY", "EXIT_UNHEALTHY", "EXIT_USAGE", "check_grpc", "check_http", "main"]

EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2


def check_grpc(target: str, service: str = "", timeout_s: float = 3.0) -> tuple[bool, str]:
    """(healthy, reason): asks grpc.health.v1.Health/Check on `target` about `service` ("" = the whole server)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    with grpc.insecure_channel(target) as channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout_s, wait_for_ready=False)
        except grpc.RpcError as e:
            return False, f"{target}: {e.code().name}: {e.details()}"
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return reply.status == health_pb2.HealthCheckResponse.SERVING, f"{target} {service or '(server)'}: {status}"


def check_http(url: str, timeout_s: float = 3.0) -> tuple[bool, str]:
    """(healthy, reason): an HTTP GET of `url` that answers 200."""
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as reply:
            return reply.status == 200, f"{url}: HTTP {reply.status}"
    except (urllib.error.URLError, OSError) as e:
        return False, f"{url}: {e}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loraloop.healthcheck", description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--target", default="127.0.0.1:50051", help="gRPC server host:port (default: %(default)s)")
    what.add_argument("--http", default=None, metavar="URL", help="check this HTTP URL instead (200 = healthy)")
    parser.add_argument("--service", default="", help="health service name; '' = the whole server")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds before the probe fails (default: %(default)s)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the probe; prints one line and returns 0 (healthy), 1 (unhealthy or unreachable) or 2 (bad usage)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # argparse exits 2 on bad flags and 0 on --help
        return int(e.code or 0)
    if not args.timeout > 0:
        print(f"healthcheck: error: --timeout={args.timeout!r}: expected > 0", file=sys.stderr)
        return EXIT_USAGE
    if args.http is not None:
        healthy, reason = check_http(args.http, args.timeout)
    else:
        if ":" not in args.target:
            print(f"healthcheck: error: --target={args.target!r}: expected host:port", file=sys.stderr)
            return EXIT_USAGE
        healthy, reason = check_grpc(args.target, args.service, args.timeout)
    print(("healthy: " if healthy else "unhealthy: ") + reason, file=sys.stdout if healthy else sys.stderr)
    return EXIT_HEALTHY if healthy else EXIT_UNHEALTHY


if __name__ == "__main__":
    sys.exit(main())
