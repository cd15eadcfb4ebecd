"""Container health probe: exit 0 only when the server's grpc.health.v1 service reports SERVING.

`python -m loraloop.healthcheck --target 127.0.0.1:50051` is the Docker HEALTHCHECK of the server
image (grpc_health_probe is not installable here; Kubernetes uses its native gRPC probes instead).
`--http URL` checks an HTTP endpoint instead (the retrain daemon has no gRPC port, only /metrics).
`--tls-ca` (and `--tls-cert`/`--tls-key` for mTLS) probe a TLS server, over gRPC or an https:// URL.
Only grpc and the standard library are imported, so a probe costs well under a second.
"""

from __future__ import annotations

import argparse
import ssl
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["EXIT_HEALTHY", "EXIT_UNHEALTHY", "EXIT_USAGE", "ProbeTls", "check_grpc", "check_http", "main"]

EXIT_HEALTHY = 0
EXIT_UNHEALTHY = 1
EXIT_USAGE = 2


@dataclass(frozen=True)
class ProbeTls:
    """PEM files of a TLS probe, used as given (the server checks its own files at start); "" = not given."""

    ca: str = ""
    cert: str = ""
    key: str = ""

    def grpc_credentials(self) -> object:
        """grpc.ChannelCredentials from the files."""
        import grpc

        def read(path: str) -> bytes | None:
            return Path(path).read_bytes() if path else None

        return grpc.ssl_channel_credentials(read(self.ca), read(self.key), read(self.cert))

    def ssl_context(self) -> ssl.SSLContext:
        """The same trust and client certificate for urllib."""
        context = ssl.create_default_context(cafile=self.ca or None)
        if self.cert:
            context.load_cert_chain(self.cert, self.key or None)
        return context


def check_grpc(target: str, service: str = "", timeout_s: float = 3.0, tls: ProbeTls | None = None) -> tuple[bool, str]:
    """(healthy, reason): asks grpc.health.v1.Health/Check on `target` about `service` ("" = the whole server)."""
    import grpc
    from grpc_health.v1 import health_pb2, health_pb2_grpc

    channel = grpc.secure_channel(target, tls.grpc_credentials()) if tls else grpc.insecure_channel(target)
    with channel:
        try:
            reply = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service=service), timeout=timeout_s, wait_for_ready=False)
        except grpc.RpcError as e:
            return False, f"{target}: {e.code().name}: {e.details()}"
    status = health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)
    return reply.status == health_pb2.HealthCheckResponse.SERVING, f"{target} {service or '(server)'}: {status}"


def check_http(url: str, timeout_s: float = 3.0, tls: ProbeTls | None = None) -> tuple[bool, str]:
    """(healthy, reason): an HTTP GET of `url` that answers 200."""
    try:
        context = tls.ssl_context() if tls is not None else None
        with urllib.request.urlopen(url, timeout=timeout_s, context=context) as reply:
            return reply.status == 200, f"{url}: HTTP {reply.status}"
    except (urllib.error.URLError, OSError, ssl.SSLError) as e:
        return False, f"{url}: {e}"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loraloop.healthcheck", description=__doc__.splitlines()[0])
    what = parser.add_mutually_exclusive_group()
    what.add_argument("--target", default="127.0.0.1:50051", help="gRPC server host:port (default: %(default)s)")
    what.add_argument("--http", default=None, metavar="URL", help="check this HTTP URL instead (200 = healthy)")
    parser.add_argument("--service", default="", help="health service name; '' = the whole server")
    parser.add_argument("--timeout", type=float, default=3.0, help="seconds before the probe fails (default: %(default)s)")
    parser.add_argument("--tls-ca", default="", help="PEM CA of the server's certificate: probe over TLS")
    parser.add_argument("--tls-cert", default="", help="PEM client certificate, for a server that requires mTLS")
    parser.add_argument("--tls-key", default="", help="PEM private key of --tls-cert")
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
    tls = None
    if args.tls_ca or args.tls_cert or args.tls_key:
        for flag, path in (("--tls-ca", args.tls_ca), ("--tls-cert", args.tls_cert), ("--tls-key", args.tls_key)):
            if path and not Path(path).is_file():
                print(f"healthcheck: error: {flag}={path!r}: no such file", file=sys.stderr)
                return EXIT_USAGE
        if bool(args.tls_cert) != bool(args.tls_key):
            print("healthcheck: error: --tls-cert and --tls-key go together", file=sys.stderr)
            return EXIT_USAGE
        tls = ProbeTls(ca=args.tls_ca, cert=args.tls_cert, key=args.tls_key)
    if args.http is not None:
        healthy, reason = check_http(args.http, args.timeout, tls)
    else:
        if ":" not in args.target:
            print(f"healthcheck: error: --target={args.target!r}: expected host:port", file=sys.stderr)
            return EXIT_USAGE
        healthy, reason = check_grpc(args.target, args.service, args.timeout, tls)
    print(("healthy: " if healthy else "unhealthy: ") + reason, file=sys.stdout if healthy else sys.stderr)
    return EXIT_HEALTHY if healthy else EXIT_UNHEALTHY


if __name__ == "__main__":
    sys.exit(main())
