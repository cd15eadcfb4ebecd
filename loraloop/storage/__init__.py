"""The storage seam: the one place that opens a connection to the shared database and speaks its dialect.

Every package (feedback, router, retrain, simulate, the CLI) gets its connections from `connect`, named by a
path or `sqlite:///path` (the embedded default: one SQLite file in WAL mode) or a `postgresql://` URL (past
one machine: psycopg 3 with a connection pool). sqlite-utils' `Database(filename_or_conn)` single entry
point is the model. Modules write SQL in the dialect both databases share, with `?` placeholders; the few
things the dialects say differently each have one function here:

| what | SQLite | Postgres |
| --- | --- | --- |
| a write transaction | BEGIN IMMEDIATE: one writer at a time | BEGIN, plus a named advisory lock where asked |
| DDL types | as written | INTEGER→BIGINT, REAL→DOUBLE PRECISION, INTEGER PRIMARY KEY→identity |
| a JSON array parameter as rows | json_each(?) | jsonb_array_elements_text(?) |
| commit order of new rows | id order (writers are serialized) | transaction ids below the snapshot's xmin |
| the tables there are | sqlite_master | information_schema |
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import psycopg
from sqlite_utils import Database

from loraloop.storage.postgres import PostgresConnection, connect_postgres
from loraloop.storage.sqlite import connect_sqlite, split_statements, sqlite_transaction
from loraloop.storage.url import check_database, database_path, is_postgres, redact

__all__ = ["POSTGRESQL", "SQLITE", "TXID_COLUMN", "Connection", "DatabaseError", "IntegrityError", "change_column",
           "change_horizon", "check_database", "connect", "count", "database_path", "dialect", "dict_rows",
           "insert_many_returning_ids", "insert_returning_id", "insert_rows", "is_postgres", "json_array_values",
           "redact", "render_ddl", "savepoint", "split_statements", "table_names", "write_transaction"]

Connection = sqlite3.Connection | PostgresConnection
# What a caller catches, whichever database it talks to.
DatabaseError: tuple[type[Exception], ...] = (sqlite3.Error, psycopg.Error)
IntegrityError: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
SQLITE, POSTGRESQL = "sqlite", "postgresql"


def connect(target: str | Path, *, busy_timeout_ms: int = 5000, autocommit: bool = False,
            readonly: bool = False, named_rows: bool = False) -> Connection:
    """A connection to the database `target` names, usable from any one thread at a time.

    SQLite: WAL, synchronous=FULL, foreign keys on; `autocommit` leaves transactions to `write_transaction`;
    a read-only connection never creates the file. Postgres: a pooled connection, always in autocommit mode
    (transactions come from `write_transaction`); `close()` hands it back to the pool, and `busy_timeout_ms`
    becomes its lock_timeout. A commit is durable before it returns on both (synchronous_commit is on by
    default in Postgres: an installation that turns it off gives up the durable ack). `named_rows`: rows
    also read by column name (sqlite3.Row; Postgres rows always are).
    """
    if is_postgres(target):
        return connect_postgres(str(target), busy_timeout_ms=busy_timeout_ms)
    conn = connect_sqlite(target, busy_timeout_ms=busy_timeout_ms, autocommit=autocommit, readonly=readonly)
    if named_rows:
        conn.row_factory = sqlite3.Row
    return conn


def dialect(conn: Connection) -> str:
    """"sqlite" or "postgresql"."""
    return POSTGRESQL if isinstance(conn, PostgresConnection) else SQLITE


@contextlib.contextmanager
def write_transaction(conn: Connection, *, lock: str | None = None) -> Iterator[Connection]:
    """A write transaction (a savepoint when nested), rolled back on any error.

    SQLite takes its one write lock up front (BEGIN IMMEDIATE), so every writer waits its turn. Postgres lets
    writers run side by side, under row locks and unique constraints; `lock` names what must still be done
    by one writer at a time (the pair build, migrations), held as a transaction-scoped advisory lock.
    """
    if isinstance(conn, PostgresConnection):
        with conn.transaction(lock):
            yield conn
        return
    with sqlite_transaction(conn):
        yield conn


@contextlib.contextmanager
def savepoint(conn: Connection) -> Iterator[Connection]:
    """A savepoint inside the open transaction: an error rolls back what the block wrote, and only that."""
    if isinstance(conn, PostgresConnection):
        with conn.transaction():
            yield conn
        return
    with Database(conn).atomic():
        yield conn


def insert_returning_id(conn: Connection, sql: str, params: Sequence[Any]) -> int | None:
    """Run an INSERT into a table with an integer `id`; the new row's id, or None when ON CONFLICT skipped it."""
    if isinstance(conn, PostgresConnection):
        row = conn.execute(sql + " RETURNING id", params).fetchone()
        return row[0] if row else None
    cursor = conn.execute(sql, params)  # lastrowid: no RETURNING row to step through on the ingest path
    return cursor.lastrowid if cursor.rowcount else None


def insert_many_returning_ids(conn: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> list[int | None]:
    """`insert_returning_id` for each parameter row, in order: on Postgres pipelined in one round trip."""
    if isinstance(conn, PostgresConnection):
        return conn.insert_many_returning_ids(sql + " RETURNING id", rows)
    ids = []
    for row in rows:
        cursor = conn.execute(sql, row)
        ids.append(cursor.lastrowid if cursor.rowcount else None)
    return ids


def insert_rows(conn: Connection, table: str, rows: Sequence[Mapping[str, Any]], *, ignore: bool = False) -> int:
    """Insert rows that share one set of columns; `ignore` skips a row whose unique key is already stored.

    Returns how many rows were inserted (the skipped ones not counted): sqlite3 and psycopg 3 both sum an
    executemany's rowcount over its statements.
    """
    if not rows:
        return 0
    columns = list(rows[0])
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
           + (" ON CONFLICT DO NOTHING" if ignore else ""))
    return conn.executemany(sql, [[row[c] for c in columns] for row in rows]).rowcount


def dict_rows(cursor: Any) -> Iterator[dict[str, Any]]:
    """A query's rows as dicts of column name to value, one at a time."""
    columns = [column[0] for column in cursor.description]
    for row in cursor:
        yield dict(zip(columns, row))


def count(conn: Connection, table: str) -> int:
    """Rows in a table."""
    return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def table_names(conn: Connection) -> set[str]:
    """The tables of the database (of the current schema, on Postgres)."""
    if isinstance(conn, PostgresConnection):
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'table'"
    return {row[0] for row in conn.execute(sql)}


def json_array_values(conn: Connection) -> str:
    """A subquery of the text values of one JSON array parameter, for `x IN (…)` with any number of values."""
    if isinstance(conn, PostgresConnection):
        return "SELECT jsonb_array_elements_text(CAST(? AS jsonb))"
    return "SELECT value FROM json_each(?)"


_PG_TYPES = ((re.compile(r"\bINTEGER PRIMARY KEY\b"), "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"),
             (re.compile(r"\bINTEGER\b"), "BIGINT"),
             (re.compile(r"\bREAL\b"), "DOUBLE PRECISION"))  # Postgres' REAL is 4 bytes: epoch seconds need 8


def render_ddl(conn: Connection, sql: str) -> str:
    """A migration's SQL (written for SQLite) in the connection's dialect."""
    if not isinstance(conn, PostgresConnection):
        return sql
    for pattern, replacement in _PG_TYPES:
        sql = pattern.sub(replacement, sql)
    return sql


# The column of transaction ids that Postgres tables read incrementally carry (see the Postgres migrations).
TXID_COLUMN = "txid"


def change_column(conn: Connection, column: str) -> str:
    """The column whose order is commit order: `column` (an id or rowid) on SQLite, the transaction id on Postgres.

    A watermark over ids is only safe where ids are handed out in commit order. SQLite has one writer at
    a time, so they are. Postgres hands out sequence values as rows are inserted: a transaction holding
    id 10 can commit after one holding id 11, and a reader that moved its watermark to 11 would never see
    10. So Postgres tables read incrementally record the id of the transaction that wrote each row.
    """
    return TXID_COLUMN if isinstance(conn, PostgresConnection) else column


def change_horizon(conn: Connection, table: str, column: str) -> int:
    """The highest value of `change_column` below which every row that will ever exist is committed now.

    SQLite: the table's largest id (nothing else is being written while the caller holds the write lock).
    Postgres: one below the current snapshot's xmin, the oldest transaction still running; every transaction
    before it has committed or rolled back, so no row with a smaller txid can appear later.
    """
    if isinstance(conn, PostgresConnection):
        return conn.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint - 1").fetchone()[0]
    return conn.execute(f"SELECT COALESCE(MAX({column}), 0) FROM {table}").fetchone()[0]
