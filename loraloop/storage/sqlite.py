"""The SQLite backend of the storage seam: the embedded default (one file, WAL, synchronous=FULL)."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from sqlite_utils import Database

from loraloop.storage.url import database_path

__all__ = ["connect_sqlite", "split_statements", "sqlite_transaction"]


def connect_sqlite(target: str | Path, *, busy_timeout_ms: int, autocommit: bool, readonly: bool) -> sqlite3.Connection:
    """A connection to the SQLite file `target` names, usable from any one thread at a time.

    Writable connections run in WAL mode with synchronous=FULL (a commit is on disk before it returns, so
    an ack sent after the commit survives kill -9 and power loss) and foreign keys on. `autocommit` leaves
    transactions to `write_transaction` (BEGIN IMMEDIATE). A read-only connection never creates the file.
    """
    path = database_path(target)
    timeout = busy_timeout_ms / 1000
    if readonly:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=timeout, check_same_thread=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=timeout, check_same_thread=False,
                           **({"isolation_level": None} if autocommit else {}))
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA foreign_keys=ON")
    return conn


@contextlib.contextmanager
def sqlite_transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT (rolled back on any error); a savepoint when already inside a transaction.

    Every write to the shared database goes through here rather than sqlite-utils' `atomic()`, whose
    plain (deferred) BEGIN takes the write lock only at the first write: a transaction that reads first
    and then writes while another connection is committing is a deadlock SQLite answers at once with
    "database is locked", without waiting out the busy timeout. Taking the write lock up front makes the
    second writer wait its turn instead, and reads inside see the state the writes replace. One writer at
    a time also makes id order commit order, which the pair builder's watermarks rely on.
    """
    if conn.in_transaction:
        with Database(conn).atomic():
            yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        if conn.in_transaction:  # an error may already have ended it
            conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def split_statements(script: str) -> list[str]:
    """The complete SQL statements of a script, in order, as SQLite's own parser delimits them.

    Splitting on ";" breaks on a trigger body or a string literal holding one; `sqlite3.complete_statement`
    knows both, so a statement ends only where SQLite would end it.
    """
    statements, pending = [], ""
    for piece in script.split(";")[:-1]:
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip().rstrip(";").strip():
                statements.append(pending.strip())
            pending = ""
    rest = (pending + script.split(";")[-1]).strip()
    if rest:  # the last statement may leave out its ";"
        if not sqlite3.complete_statement(rest + ";"):
            raise ValueError(f"incomplete SQL statement at the end of the script: {rest[:80]!r}")
        statements.append(rest)
    return statements
