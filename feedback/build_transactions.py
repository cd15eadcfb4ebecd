"""The pair build's transactions: short ones on SQLite, so the server's writes never wait out their busy timeout.

SQLite has one write lock per database. A build that held it from start to end (200,000 new signals took
167 s on 2 cores) kept the server's feedback writer waiting past `busy_timeout_ms`, and every write in that
time failed: signals got UNAVAILABLE, and the records of answers already streamed were lost. Here the
build commits every `max_lock_s` instead, so other writers wait at most about that long; one builder at a
time is kept by an flock on a file beside the database, held across the transactions (another process's
build waits for it, then finds the span already judged).

A build stopped between transactions has committed whole groups and no watermark: the next build re-judges
the same span, and re-judging is idempotent (pairs keep their keys, labels are replaced by group).

Postgres writers never wait on the build (row locks only), so there it stays one transaction under the
transaction-scoped advisory lock `pairs.build`, as before, with the planner told to use the indexes (below).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator

from loraloop import storage
from loraloop.feedback.schema import write_transaction

__all__ = ["DEFAULT_MAX_LOCK_S", "WRITERS_GAP_S", "BuildTransactions"]

# Long enough that the commits (one fsync each) cost little against the build's work, short enough that a
# server writer with the default 5 s busy timeout is never near it.
DEFAULT_MAX_LOCK_S = 0.4
# After a commit the build waits this long before it takes the lock again. A waiting writer does not queue
# for SQLite's lock: its busy handler polls, sleeping up to 100 ms between tries (sqliteDefaultBusyCallback
# in SQLite's src/main.c), so a builder that began again at once would win nearly every time and the
# writer would still time out (measured: a 3.7 s build with 0.25 s transactions still kept a writer out
# for 2.5-3.7 s). 0.1 s spans one whole poll interval.
WRITERS_GAP_S = 0.1
_LOCK = "pairs.build"


class BuildTransactions:
    """The build's write transactions on one connection; `boundary()` is where a SQLite build may commit."""

    def __init__(self, db: storage.Connection, *, max_lock_s: float | None = DEFAULT_MAX_LOCK_S):
        """`max_lock_s`: longest a SQLite transaction of the build stays open before it commits at the next
        boundary (None = one transaction for the whole build)."""
        self._db = db
        self._sliced = max_lock_s is not None and storage.dialect(db) == storage.SQLITE
        self._max_lock_s = max_lock_s or 0.0
        self._open: contextlib.AbstractContextManager | None = None
        self._since = 0.0

    @contextlib.contextmanager
    def run(self) -> Iterator[BuildTransactions]:
        """The whole build: the sole-builder lock, and a transaction open from start to end (renewed at boundaries)."""
        with self._sole_builder():
            try:
                self._begin()
                yield self
            except BaseException as e:
                self._end(e)
                raise
            self._end(None)

    def boundary(self) -> None:
        """Between two units of work (a group, a conversation): commit and begin again if the lock is held long enough."""
        if self._sliced and time.monotonic() - self._since >= self._max_lock_s:
            self._end(None)
            time.sleep(WRITERS_GAP_S)
            self._begin()

    def analyze(self, *tables: str) -> None:
        """Postgres: refresh the planner's statistics of tables this transaction has filled (its own rows count).

        Between the group pass and the parrot pass: planned with the counts of before the build, the parrot
        pass's chunked read drove from an index scan of every label (275 ms a chunk at 200,000 signals).
        SQLite has no statistics unless ANALYZE ran, and its planner's defaults choose the indexes here.
        """
        if storage.dialect(self._db) == storage.POSTGRESQL:
            self._db.execute(f"ANALYZE {', '.join(tables)}")

    def _begin(self) -> None:
        opened = write_transaction(self._db, lock=_LOCK)  # the advisory lock on Postgres; SQLite's write lock
        opened.__enter__()
        self._open = opened  # from here an error rolls it back (run)
        if storage.dialect(self._db) == storage.POSTGRESQL:
            # The build fills pairs and labels inside this one transaction, where autovacuum cannot re-analyze
            # them: the planner keeps the row counts of before the build (empty, on a first build) and answers
            # the parrot pass's per-conversation queries with sequential scans of tables that have grown to
            # 100,000s of rows; the build grew with the square of its span (40,000 signals: 52 s, 11 s with
            # this). Every query of the build has an index to use; this makes the planner take it, and fresh
            # statistics of the tables it reads make it take the right one (signals by answer, not by txid:
            # 200,000 signals took 74 s with stale ones, 48 s with these, 238 s before either).
            self._db.execute("SET LOCAL enable_seqscan = off")
            self._db.execute("ANALYZE signals, responses")
        self._since = time.monotonic()

    def _end(self, error: BaseException | None) -> None:
        opened, self._open = self._open, None
        if opened is None:
            return
        if error is None:
            opened.__exit__(None, None, None)
        else:
            opened.__exit__(type(error), error, error.__traceback__)

    @contextlib.contextmanager
    def _sole_builder(self) -> Iterator[None]:
        # On SQLite whether sliced or not: a one-transaction build must not run between a sliced build's
        # transactions either. Postgres has its advisory lock for the whole (single) transaction.
        path = self._database_file() if storage.dialect(self._db) == storage.SQLITE else None
        if path is None:
            yield
            return
        fd = os.open(f"{path}.pairs-build.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # per open file: a second builder in this process waits too
            yield
        finally:
            os.close(fd)  # releases the flock

    def _database_file(self) -> str | None:
        """The main database's file ("" for an in-memory one, which no other connection can reach)."""
        for _seq, name, file in self._db.execute("PRAGMA database_list").fetchall():
            if name == "main":
                return file or None
        return None
