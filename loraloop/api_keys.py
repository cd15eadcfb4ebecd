"""API keys of chat clients, kept in the shared database: created, listed and revoked by `loraloop keys`.

Only a key's SHA-256 is stored. A fast hash is enough here, unlike for passwords: the secret is 32 random
bytes from `secrets`, so there is nothing to guess from its hash (the reasoning behind GitHub's and Stripe's
token storage). The secret is shown once, when the key is created.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any

from loraloop import storage
from loraloop.errors import FailedPrecondition, InvalidArgument

__all__ = ["KEY_NAME_PATTERN", "SECRET_PREFIX", "ApiKey", "create_key", "hash_secret", "list_keys", "revoke_key"]

SECRET_PREFIX = "llk_"  # makes a leaked key recognisable to secret scanners
KEY_NAME_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{0,63}")


@dataclass(frozen=True, kw_only=True)
class ApiKey:
    """One key as stored: its name, its limit and its state; never the secret."""

    name: str
    secret_sha256: str
    rate_per_s: float | None  # requests per second per replica; None = no limit
    created_at: float
    created_by: str
    revoked_at: float | None

    @property
    def active(self) -> bool:
        """Whether the key still authenticates."""
        return self.revoked_at is None


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _key(row: Any) -> ApiKey:
    return ApiKey(name=row["name"], secret_sha256=row["secret_sha256"], rate_per_s=row["rate_per_s"],
                  created_at=row["created_at"], created_by=row["created_by"], revoked_at=row["revoked_at"])


def create_key(conn: storage.Connection, name: str, *, rate_per_s: float | None, created_by: str) -> tuple[ApiKey, str]:
    """Store a new key; returns it and its secret (the only time the secret exists outside the client)."""
    if not KEY_NAME_PATTERN.fullmatch(name):
        raise InvalidArgument("name", f"{name[:70]!r}: expected 1-64 of a-z, 0-9, '.', '_' or '-', starting with a "
                                      "letter or digit")
    if rate_per_s is not None and not (rate_per_s > 0 and rate_per_s < float("inf")):
        raise InvalidArgument("rate", f"{rate_per_s}: expected a positive number of requests per second")
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name=name, secret_sha256=hash_secret(secret), rate_per_s=rate_per_s, created_at=time.time(),
                 created_by=created_by, revoked_at=None)
    try:
        conn.execute("INSERT INTO api_keys (name, secret_sha256, rate_per_s, created_at, created_by, revoked_at) "
                     "VALUES (?, ?, ?, ?, ?, NULL)",
                     [key.name, key.secret_sha256, key.rate_per_s, key.created_at, key.created_by])
    except storage.IntegrityError as e:
        raise FailedPrecondition(f"a key named {name!r} exists or existed (names are never reused)") from e
    return key, secret


def list_keys(conn: storage.Connection) -> list[ApiKey]:
    """Every key, revoked ones included, oldest first."""
    return [_key(r) for r in conn.execute("SELECT * FROM api_keys ORDER BY created_at, name").fetchall()]


def revoke_key(conn: storage.Connection, name: str) -> ApiKey:
    """Revoke a key now; servers stop accepting it at their next refresh (seconds)."""
    now = time.time()
    if conn.execute("UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL", [now, name]).rowcount:
        return _key(conn.execute("SELECT * FROM api_keys WHERE name = ?", [name]).fetchone())
    if conn.execute("SELECT 1 FROM api_keys WHERE name = ?", [name]).fetchone():
        raise FailedPrecondition(f"key {name!r} is already revoked")
    raise InvalidArgument("name", f"no key named {name!r}")
