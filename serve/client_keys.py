"""API keys of chat clients at the server: who is calling, whether the key still works, and its rate limit.

Keys live in the shared database (loraloop/api_keys.py), so every replica follows the same table: each one
re-reads it every `refresh_s`, which is how a revoked key stops working within seconds everywhere. Checking a
call is a dict lookup of the secret's hash, on the event loop, with no database round trip.

Keys are off until the first key is created: the demo needs none. Once any key exists (revoked ones count, so
revoking the last key does not open the server), every chat, feedback and listing call needs one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from loraloop.api_keys import ApiKey, hash_secret, list_keys
from loraloop.errors import RateLimited, Unauthenticated
from loraloop.feedback.schema import open_database

__all__ = ["ClientKeys"]

log = logging.getLogger(__name__)


@dataclass
class _Bucket:
    """A token bucket of one key: `rate` requests per second, bursts up to `rate` (at least 1)."""

    tokens: float
    stamp: float


class ClientKeys:
    """Authenticates chat clients by `authorization: Bearer <key>` and applies each key's rate limit."""

    def __init__(self, db_url: str | Path, *, refresh_s: float = 2.0, busy_timeout_ms: int = 5000,
                 clock: Callable[[], float] = time.monotonic):
        self._db_path = db_url
        self._refresh_s = refresh_s
        self._busy_timeout_ms = busy_timeout_ms
        self._clock = clock
        self._by_hash: dict[str, ApiKey] = {}
        self._required = False
        self._buckets: dict[str, _Bucket] = {}

    @property
    def required(self) -> bool:
        """Whether calls need a key (some key was ever created)."""
        return self._required

    def refresh(self) -> None:
        """Re-read the keys table (blocking: run it in a thread from the loop)."""
        conn = open_database(self._db_path, busy_timeout_ms=self._busy_timeout_ms)
        try:
            keys = list_keys(conn)
        finally:
            conn.close()
        # One reference swap each: a concurrent authenticate sees the old table or the new one, whole.
        self._by_hash = {k.secret_sha256: k for k in keys if k.active}
        self._required = bool(keys)

    async def run(self) -> None:
        """Refresh every refresh_s until cancelled; a failed read keeps the last table (and says so)."""
        while True:
            await asyncio.sleep(self._refresh_s)
            try:
                await asyncio.to_thread(self.refresh)
            except Exception as e:
                log.warning("re-reading the API keys failed, keeping the last table: %s", e)

    def authenticate(self, authorization: str | None) -> str:
        """The calling key's name ("" while keys are off); Unauthenticated or RateLimited otherwise."""
        if not self._required:
            return ""
        scheme, _, secret = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            raise Unauthenticated("this server needs an API key: send 'authorization: Bearer <key>' "
                                  "(the OpenAI SDK's api_key)")
        key = self._by_hash.get(hash_secret(secret.strip()))
        if key is None:
            raise Unauthenticated("API key rejected: unknown or revoked")
        if key.rate_per_s is not None:
            self._take(key)
        return key.name

    def _take(self, key: ApiKey) -> None:
        rate = key.rate_per_s or 0.0
        burst = max(rate, 1.0)
        now = self._clock()
        bucket = self._buckets.setdefault(key.name, _Bucket(tokens=burst, stamp=now))
        bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
        bucket.stamp = now
        if bucket.tokens < 1.0:
            wait = (1.0 - bucket.tokens) / rate
            raise RateLimited(f"API key {key.name!r} is over its limit of {rate:g} requests/s; retry in {wait:.2f} s",
                              retry_after_s=wait)
        bucket.tokens -= 1.0
