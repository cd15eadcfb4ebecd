"""The retrain runs log (table retrain_runs in the feedback database) and the drift events the daemon reads.

The log is what makes the triggers survive a restart: the last run of each domain, its outcome and
times. A row is written when a job starts (outcome "running") and completed when it ends; a row left
"running" by a daemon that died is closed as "killed" by the next daemon that takes the domain's lock.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections.abc import Iterator
from typing import Any

from loraloop import storage
from loraloop.feedback.schema import migrate, write_transaction
from loraloop.retrain.outcomes import KILLED, RUNNING
from loraloop.retrain.triggers import DriftEvent, LastRun

__all__ = ["RUNNING", "RunLog"]

_MAX_EVENTS = 1000  # the trigger needs the newest event per metric; bound the read


class RunLog:
    """Reads and writes retrain_runs, and reads drift_events, in the shared database (a connection per call)."""

    def __init__(self, db_url: str | os.PathLike[str], *, timeout_s: float = 30.0):
        self.path = storage.check_database(os.fspath(db_url))
        self._timeout_s = timeout_s
        with self._db() as db:
            migrate(db)

    @contextlib.contextmanager
    def _db(self) -> Iterator[storage.Connection]:
        # One connection per call (pooled on Postgres): job threads finish runs while the poll thread reads.
        conn = storage.connect(self.path, busy_timeout_ms=int(self._timeout_s * 1000), autocommit=True)
        try:
            yield conn
        finally:
            conn.close()

    def start(self, domain: str, method: str, trigger_reason: str, started_at: float) -> int:
        """Record a job that starts now; returns its run id."""
        with self._db() as db, write_transaction(db):
            return int(storage.insert_returning_id(
                db, "INSERT INTO retrain_runs (domain, method, outcome, version, trigger_reason, reason, metrics, pairs, "
                "pid, started_at, finished_at) VALUES (?, ?, ?, NULL, ?, '', '{}', 0, ?, ?, NULL)",
                [domain, method, RUNNING, trigger_reason, os.getpid(), started_at]))

    def finish(self, run_id: int, result: Any, outcome: str, finished_at: float) -> None:
        """Complete a run's row from its JobResult (outcome given separately: the daemon normalises it)."""
        metrics = {k: v for k, v in dict(result.metrics).items()
                   if isinstance(v, (int, float)) and math.isfinite(float(v))}
        with self._db() as db, write_transaction(db):
            db.execute("UPDATE retrain_runs SET outcome = ?, version = ?, reason = ?, metrics = ?, pairs = ?, "
                       "finished_at = ? WHERE id = ?",
                       [outcome, result.version, result.reason, json.dumps(metrics, sort_keys=True), int(result.pairs),
                        finished_at, run_id])

    def close_abandoned(self, domain: str, now: float) -> int:
        """Mark the domain's rows still "running" as killed (call only while holding the domain lock)."""
        with self._db() as db, write_transaction(db):
            cursor = db.execute(
                "UPDATE retrain_runs SET outcome = ?, finished_at = ?, "
                "reason = 'the daemon running it stopped before the job ended' "
                "WHERE domain = ? AND outcome = ?", [KILLED, now, domain, RUNNING])
            return cursor.rowcount

    def last_finished(self, domain: str) -> LastRun | None:
        """The domain's most recently finished run, or None when it never ran."""
        with self._db() as db:
            row = db.execute(
                "SELECT outcome, started_at, finished_at FROM retrain_runs "
                "WHERE domain = ? AND finished_at IS NOT NULL ORDER BY finished_at DESC, id DESC LIMIT 1",
                [domain]).fetchone()
        return None if row is None else LastRun(outcome=row[0], started_at=row[1], finished_at=row[2])

    def runs(self, domain: str | None = None) -> list[dict[str, Any]]:
        """Every run (of one domain, or all), oldest first, metrics decoded: the data of a report."""
        where, params = ("WHERE domain = ?", [domain]) if domain else ("", [])
        with self._db() as db:
            rows = list(storage.dict_rows(db.execute(f"SELECT * FROM retrain_runs {where} ORDER BY id", params)))
        for row in rows:
            row["metrics"] = json.loads(row["metrics"])
        return rows

    def drift_events(self, domain: str, since: float | None) -> list[DriftEvent]:
        """Drift events of the domain's adapter newer than `since` (all of them when None), newest first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT metric, value, threshold, created_at FROM drift_events WHERE adapter = ? AND created_at > ? "
                "ORDER BY created_at DESC LIMIT ?", [domain, -math.inf if since is None else since, _MAX_EVENTS]
            ).fetchall()
        return [DriftEvent(metric=m, value=v, threshold=t, created_at=c) for m, v, t, c in rows]
