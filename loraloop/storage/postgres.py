"""The Postgres backend of the storage seam: psycopg 3, one connection pool per process and database URL.

The rest of loraloop writes SQL once, in the dialect SQLite and Postgres share (`?` placeholders,
`INSERT … ON CONFLICT`, `COUNT(*) FILTER (WHERE …)`, `RETURNING`); `PostgresConnection` gives it the
few sqlite3.Connection methods it uses (`execute`, `executemany`, `in_transaction`, `close`), so a
module holds either connection without knowing which. What the dialects do not share is in
`loraloop.storage` (DDL types, JSON arrays, the commit-order horizon), in one function each.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import hashlib
import os
import threading
from collections.abc import Iterator, Sequence
from typing import Any

import psycopg
from psycopg import adapt, postgres
from psycopg.pq import Format, TransactionStatus
from psycopg.types.numeric import FloatLoader
from psycopg_pool import ConnectionPool, PoolTimeout

from loraloop.storage.url import redact

__all__ = ["POOL_MAX_SIZE", "PostgresConnection", "Row", "advisory_key", "close_pools", "connect_postgres",
           "translate"]

POOL_MAX_SIZE = 8  # connections per process and URL: a server holds ~4 (writer, rollouts, keys, probes)
CONNECT_TIMEOUT_S = 10.0
_POOLS: dict[tuple[int, str, int], ConnectionPool] = {}
_POOLS_LOCK = threading.Lock()
_INT8 = postgres.types["int8"].oid


@functools.lru_cache(maxsize=2048)
def translate(sql: str) -> str:
    """`sql` with `?` placeholders as psycopg's `%s`, and a literal `%` doubled so psycopg does not read it."""
    return sql.replace("%", "%%").replace("?", "%s")


def advisory_key(name: str) -> int:
    """A stable signed 64-bit key for `pg_advisory_xact_lock`, from a lock's name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class Row:
    """A result row read by position (`row[0]`, unpacking) or by column name (`row["id"]`), like sqlite3.Row."""

    __slots__ = ("_names", "_values")

    def __init__(self, values: Sequence[Any], names: dict[str, int]):
        self._values = tuple(values)
        self._names = names

    def __getitem__(self, key: int | slice | str) -> Any:
        return self._values[self._names[key]] if isinstance(key, str) else self._values[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other: object) -> bool:
        return self._values == (other._values if isinstance(other, Row) else other)

    def __hash__(self) -> int:
        return hash(self._values)

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values))!r})"

    def keys(self) -> list[str]:
        """The column names, in order (so `dict(row)` works)."""
        return list(self._names)


def _row_factory(cursor: psycopg.Cursor) -> Any:
    names = {column.name: i for i, column in enumerate(cursor.description or ())}
    return lambda values: Row(values, names)


class _BoolAsInteger(adapt.Dumper):
    """Python bools stored as 0/1 in integer columns, as SQLite stores them (the schema has no boolean type)."""

    oid = _INT8

    def dump(self, obj: bool) -> bytes:
        return b"1" if obj else b"0"


class _BoolAsIntegerBinary(_BoolAsInteger):
    format = Format.BINARY

    def dump(self, obj: bool) -> bytes:
        return int(obj).to_bytes(8, "big", signed=True)


def _configure(conn: psycopg.Connection) -> None:
    conn.adapters.register_dumper(bool, _BoolAsInteger)
    conn.adapters.register_dumper(bool, _BoolAsIntegerBinary)
    # SUM and AVG of integers are numeric in Postgres; SQLite gives numbers, and so does this.
    conn.adapters.register_loader("numeric", FloatLoader)


class PostgresConnection:
    """A pooled psycopg connection in autocommit mode with the sqlite3.Connection methods loraloop uses."""

    dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection, pool: ConnectionPool):
        self._raw = raw
        self._pool = pool

    def execute(self, sql: str, params: Sequence[Any] = ()) -> psycopg.Cursor:
        """Run one statement with `?` placeholders; the cursor reads its rows and `rowcount`."""
        return self._raw.execute(translate(sql), params)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> psycopg.Cursor:
        """Run one statement once per parameter row (pipelined by psycopg)."""
        cursor = self._raw.cursor()
        cursor.executemany(translate(sql), rows)
        return cursor

    def insert_many_returning_ids(self, sql: str, rows: Sequence[Sequence[Any]]) -> list[int | None]:
        """Each row's `RETURNING id` value (None where ON CONFLICT skipped it), the statements pipelined."""
        if not rows:
            return []
        cursor = self._raw.cursor()
        cursor.executemany(translate(sql), rows, returning=True)
        ids: list[int | None] = []
        while True:
            row = cursor.fetchone()
            ids.append(row[0] if row else None)
            if not cursor.nextset():
                return ids

    @contextlib.contextmanager
    def transaction(self, lock: str | None = None) -> Iterator[PostgresConnection]:
        """BEGIN … COMMIT (a savepoint when nested), holding the named advisory lock to the end when given."""
        with self._raw.transaction():
            if lock:
                self._raw.execute("SELECT pg_advisory_xact_lock(%s)", [advisory_key(lock)])
            yield self

    @property
    def in_transaction(self) -> bool:
        """Whether a transaction is open on this connection."""
        return self._raw.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        """Nothing to do in autocommit mode; here so callers written for sqlite3 work unchanged."""

    def close(self) -> None:
        """Hand the connection back to its pool."""
        if self._raw is not None:
            raw, self._raw = self._raw, None
            self._pool.putconn(raw)


def _pool(url: str, busy_timeout_ms: int) -> ConnectionPool:
    key = (os.getpid(), url, busy_timeout_ms)  # a forked child must not share its parent's sockets
    with _POOLS_LOCK:
        pool = _POOLS.get(key)
        if pool is None:
            # lock_timeout plays SQLite's busy timeout: how long a statement waits for a lock another holds.
            pool = ConnectionPool(url, min_size=1, max_size=POOL_MAX_SIZE, open=True, timeout=CONNECT_TIMEOUT_S,
                                  configure=_configure, check=ConnectionPool.check_connection,
                                  name=f"loraloop-{len(_POOLS)}",
                                  kwargs={"autocommit": True, "row_factory": _row_factory,
                                          "options": f"-c lock_timeout={busy_timeout_ms}"})
            _POOLS[key] = pool
    return pool


def connect_postgres(url: str, *, busy_timeout_ms: int) -> PostgresConnection:
    """A connection from this process's pool for `url`; an unreachable server is an OperationalError naming it."""
    pool = _pool(url, busy_timeout_ms)
    try:
        return PostgresConnection(pool.getconn(), pool)
    except PoolTimeout:
        try:  # the pool only says it timed out: one direct attempt tells why
            psycopg.connect(url, connect_timeout=5).close()
            reason = f"no free connection within {CONNECT_TIMEOUT_S:g} s (pool of {POOL_MAX_SIZE})"
        except psycopg.Error as e:
            reason = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise psycopg.OperationalError(f"database {redact(url)}: {reason}") from None


@atexit.register
def close_pools(url: str | None = None) -> None:
    """Close this process's pools (of one database URL when given): their worker threads and connections."""
    with _POOLS_LOCK:
        keys = [key for key in _POOLS if key[0] == os.getpid() and url in (None, key[1])]
        pools = [_POOLS.pop(key) for key in keys]
    for pool in pools:
        pool.close()
