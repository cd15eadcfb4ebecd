"""TLS for the server's gRPC and HTTP ports and for loraloop's clients: PEM files, checked before anything starts.

grpc and uvicorn would report a bad certificate late and vaguely (grpc when the first handshake fails, with
no file name), so the server reads and checks its files itself first, with the `cryptography` package: each
file exists and parses, the key belongs to the certificate, the certificate is valid now. Every failure is a
ConfigError that names the setting and the file.
"""

from __future__ import annotations

import datetime as dt
import ssl
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop.settings import ConfigError

__all__ = ["ClientTls", "ServerTls", "load_client_tls", "load_server_tls"]


@dataclass(frozen=True, kw_only=True)
class ServerTls:
    """The server's certificate chain and key, and the CA its clients' certificates must chain to (mTLS)."""

    cert_file: Path
    key_file: Path
    client_ca_file: Path | None
    cert_chain: bytes
    private_key: bytes
    client_ca: bytes | None

    @property
    def requires_client_cert(self) -> bool:
        """mTLS: a client without a certificate signed by the client CA is refused at the handshake."""
        return self.client_ca is not None

    def grpc_credentials(self) -> Any:
        """grpc.ServerCredentials for `server.add_secure_port`."""
        import grpc

        return grpc.ssl_server_credentials([(self.private_key, self.cert_chain)], root_certificates=self.client_ca,
                                           require_client_auth=self.requires_client_cert)

    def uvicorn_options(self) -> dict[str, Any]:
        """uvicorn.Config keyword arguments that serve HTTPS with the same files."""
        options: dict[str, Any] = {"ssl_certfile": str(self.cert_file), "ssl_keyfile": str(self.key_file)}
        if self.client_ca_file is not None:
            options |= {"ssl_ca_certs": str(self.client_ca_file), "ssl_cert_reqs": ssl.CERT_REQUIRED}
        return options


@dataclass(frozen=True, kw_only=True)
class ClientTls:
    """What a client presents: the CA that signed the server's certificate, and its own certificate for mTLS."""

    ca: bytes | None = None  # None: the system's trust store
    cert_chain: bytes | None = None
    private_key: bytes | None = None

    def grpc_credentials(self) -> Any:
        """grpc.ChannelCredentials for `grpc.aio.secure_channel`."""
        import grpc

        return grpc.ssl_channel_credentials(root_certificates=self.ca, private_key=self.private_key,
                                            certificate_chain=self.cert_chain)

    def ssl_context(self) -> ssl.SSLContext:
        """The same trust and client certificate for an HTTPS client (the health probe, httpx)."""
        context = ssl.create_default_context(cadata=self.ca.decode() if self.ca else None)
        if self.cert_chain is not None and self.private_key is not None:
            # load_cert_chain takes paths only; the PEM bytes go through a private temporary file.
            import tempfile

            with tempfile.NamedTemporaryFile("wb", suffix=".pem") as fh:
                fh.write(self.cert_chain + b"\n" + self.private_key)
                fh.flush()
                context.load_cert_chain(fh.name)
        return context


def _read(field: str, path: str) -> bytes:
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise ConfigError(field, path, "no such file") from None
    except IsADirectoryError:
        raise ConfigError(field, path, "is a folder, expected a PEM file") from None
    except OSError as e:
        raise ConfigError(field, path, f"cannot be read ({e.strerror or e})") from None
    if not data.strip():
        raise ConfigError(field, path, "is empty, expected a PEM file")
    return data


def _certificates(field: str, path: str, data: bytes) -> list[Any]:
    from cryptography import x509

    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        certs = []
    if not certs:
        raise ConfigError(field, path, "holds no PEM certificate (expected '-----BEGIN CERTIFICATE-----')")
    return certs


def _check_validity(field: str, path: str, cert: Any, now: dt.datetime) -> None:
    if cert.not_valid_after_utc <= now:
        raise ConfigError(field, path, f"the certificate expired on {cert.not_valid_after_utc:%Y-%m-%d %H:%M} UTC")
    if cert.not_valid_before_utc > now:
        raise ConfigError(field, path, f"the certificate is not valid before {cert.not_valid_before_utc:%Y-%m-%d %H:%M} UTC")


def _private_key(field: str, path: str, data: bytes) -> Any:
    from cryptography.hazmat.primitives import serialization

    try:
        return serialization.load_pem_private_key(data, password=None)
    except TypeError:
        raise ConfigError(field, path, "the key is encrypted; give an unencrypted PEM key (mount it from a Secret)") from None
    except (ValueError, Exception) as e:  # cryptography raises ValueError, or UnsupportedAlgorithm
        raise ConfigError(field, path, f"holds no PEM private key ({type(e).__name__})") from None


def _public_bytes(key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def load_server_tls(cert: str, key: str, client_ca: str = "", *, now: dt.datetime | None = None,
                    prefix: str = "tls_") -> ServerTls | None:
    """The server's TLS files, read and checked; None when no certificate is configured (plaintext)."""
    names = {"cert": f"{prefix}cert", "key": f"{prefix}key", "ca": f"{prefix}client_ca"}
    if not cert and not key:
        if client_ca:
            raise ConfigError(names["ca"], client_ca, f"needs {names['cert']} and {names['key']} (mTLS is TLS first)")
        return None
    if not cert or not key:
        missing, given = (names["cert"], names["key"]) if not cert else (names["key"], names["cert"])
        raise ConfigError(missing, "", f"is needed with {given}")
    now = now or dt.datetime.now(dt.UTC)
    cert_data, key_data = _read(names["cert"], cert), _read(names["key"], key)
    leaf = _certificates(names["cert"], cert, cert_data)[0]
    _check_validity(names["cert"], cert, leaf, now)
    private = _private_key(names["key"], key, key_data)
    if _public_bytes(private.public_key()) != _public_bytes(leaf.public_key()):
        raise ConfigError(names["key"], key, f"does not match the certificate in {cert}")
    ca_data = None
    if client_ca:
        ca_data = _read(names["ca"], client_ca)
        for ca_cert in _certificates(names["ca"], client_ca, ca_data):
            _check_validity(names["ca"], client_ca, ca_cert, now)
    return ServerTls(cert_file=Path(cert), key_file=Path(key), client_ca_file=Path(client_ca) if client_ca else None,
                     cert_chain=cert_data, private_key=key_data, client_ca=ca_data)


def load_client_tls(ca: str = "", cert: str = "", key: str = "", *, prefix: str = "tls_") -> ClientTls | None:
    """A client's TLS files, read and checked; None when none is given (plaintext)."""
    if not (ca or cert or key):
        return None
    if bool(cert) != bool(key):
        missing, given = (f"{prefix}cert", f"{prefix}key") if not cert else (f"{prefix}key", f"{prefix}cert")
        raise ConfigError(missing, "", f"is needed with {given} (a client certificate needs its key)")
    ca_data = _read(f"{prefix}ca", ca) if ca else None
    if ca_data is not None:
        _certificates(f"{prefix}ca", ca, ca_data)
    cert_data = key_data = None
    if cert:
        cert_data, key_data = _read(f"{prefix}cert", cert), _read(f"{prefix}key", key)
        leaf = _certificates(f"{prefix}cert", cert, cert_data)[0]
        if _public_bytes(_private_key(f"{prefix}key", key, key_data).public_key()) != _public_bytes(leaf.public_key()):
            raise ConfigError(f"{prefix}key", key, f"does not match the certificate in {cert}")
    return ClientTls(ca=ca_data, cert_chain=cert_data, private_key=key_data)
