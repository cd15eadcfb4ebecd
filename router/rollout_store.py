"""SQL of the rollout controller over the feedback database (tables of migration 0005_rollouts).

Rollout state lives in the same database the server writes answers and signals to (SQLite, or
Postgres shared by replicas), so the controller reads per-arm counts where they land and a restart
(or another replica) finds the rollout where it was. Every state change runs in one write
transaction and bumps the row's `revision` with a compare-and-set (`UPDATE … WHERE revision = ?`),
so two writers (a tick and an operator, or two replicas) never both apply a change computed from
the same state: on Postgres the UPDATE's row lock makes the second writer wait for the first to
commit, re-read the row, and match nothing.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.feedback.schema import open_database, write_transaction
from loraloop.router.arms import CANARY, STABLE
from loraloop.router.rollout_model import ACTIVE_STATUSES, CONTROLLER, RolloutEvent, RolloutState, rules_from_spec
from loraloop.router.rollout_rules import ArmCounts, ArmPair

__all__ = [
    "CLIENT_SIDE_STATUSES",
    "active_rollout",
    "connect",
    "get_rollout",
    "insert_event",
    "insert_rollout",
    "latest_rollouts",
    "next_rollout_id",
    "read_events",
    "rollouts_of",
    "update_rollout",
    "window_counts",
    "write_transaction",
]

# Failures caused by the request, not the adapter: stored for the record, never counted by the guardrail.
CLIENT_SIDE_STATUSES = frozenset({"CANCELLED", "INVALID_ARGUMENT", "NOT_FOUND", "UNAUTHENTICATED",
                                  "PERMISSION_DENIED", "OUT_OF_RANGE"})
_ACTIVE_SQL = "(" + ", ".join(f"'{s}'" for s in ACTIVE_STATUSES) + ")"
_CLIENT_SQL = "(" + ", ".join(f"'{s}'" for s in sorted(CLIENT_SIDE_STATUSES)) + ")"

# One arm, both windows in one pass: the rollout's (since it started) and the step's (in_step).
# Each answer counts its latest thumbs (a user may change their mind) and whether it was ever
# regenerated. MATERIALIZED keeps the planner from re-running the correlated lookups once per use.
# COUNT(*) FILTER reads the same in SQLite and Postgres (whose comparisons are booleans, not 0/1).
_ANSWERS_SQL = """
WITH answers AS MATERIALIZED (
    SELECT r.created_at >= ? AS in_step,
           (SELECT s.kind FROM signals s WHERE s.response_id = r.id AND s.kind IN ('THUMBS_UP', 'THUMBS_DOWN')
            ORDER BY s.id DESC LIMIT 1) AS thumb,
           EXISTS (SELECT 1 FROM signals s WHERE s.response_id = r.id AND s.kind = 'REGENERATE') AS regenerated
    FROM responses r WHERE r.domain = ? AND r.version = ? AND r.arm = ? AND r.created_at >= ?)
SELECT COUNT(*), COUNT(thumb), COUNT(*) FILTER (WHERE thumb = 'THUMBS_UP'),
       COUNT(*) FILTER (WHERE thumb = 'THUMBS_DOWN'), COUNT(*) FILTER (WHERE regenerated),
       COUNT(*) FILTER (WHERE in_step), COUNT(*) FILTER (WHERE in_step AND thumb IS NOT NULL),
       COUNT(*) FILTER (WHERE in_step AND thumb = 'THUMBS_UP'), COUNT(*) FILTER (WHERE in_step AND thumb = 'THUMBS_DOWN'),
       COUNT(*) FILTER (WHERE in_step AND regenerated)
FROM answers
"""
_P95_SQL = ("SELECT latency_s FROM responses WHERE domain = ? AND version = ? AND arm = ? AND created_at >= ? "
            "ORDER BY latency_s LIMIT 1 OFFSET ?")
_ERRORS_SQL = ("SELECT COUNT(*), COUNT(*) FILTER (WHERE created_at >= ?) FROM request_errors "
               "WHERE domain = ? AND version = ? AND arm = ? AND created_at >= ? "
               f"AND status NOT IN {_CLIENT_SQL}")


def connect(path: str | Path, *, busy_timeout_ms: int = 5000) -> storage.Connection:
    """A migrated connection to the shared database in autocommit mode."""
    return open_database(path, busy_timeout_ms=busy_timeout_ms)


def _state(row: Any) -> RolloutState:
    rules = rules_from_spec({**json.loads(row["spec"]), "schedule": json.loads(row["schedule"])})
    return RolloutState(id=row["id"], domain=row["domain"], stable_version=row["stable_version"],
                        canary_version=row["canary_version"], step_index=row["step_index"],
                        weight_pct=row["weight_pct"], status=row["status"], rules=rules,
                        started_at=row["started_at"], step_started_at=row["step_started_at"],
                        updated_at=row["updated_at"], revision=row["revision"])


def get_rollout(conn: storage.Connection, rollout_id: str) -> RolloutState | None:
    """One rollout by id."""
    row = conn.execute("SELECT * FROM rollouts WHERE id = ?", [rollout_id]).fetchone()
    return _state(row) if row else None


def active_rollout(conn: storage.Connection, domain: str) -> RolloutState | None:
    """The domain's running, paused or inconclusive rollout, if any."""
    row = conn.execute(f"SELECT * FROM rollouts WHERE domain = ? AND status IN {_ACTIVE_SQL}", [domain]).fetchone()
    return _state(row) if row else None


def latest_rollouts(conn: storage.Connection) -> dict[str, RolloutState]:
    """Each domain's newest rollout (its active one when it has one: nothing starts while one is active)."""
    rows = conn.execute("SELECT * FROM rollouts WHERE rowid IN (SELECT MAX(rowid) FROM rollouts GROUP BY domain) "
                        "ORDER BY domain").fetchall()
    return {row["domain"]: _state(row) for row in rows}


def rollouts_of(conn: storage.Connection, domain: str, limit: int) -> list[RolloutState]:
    """A domain's rollouts, newest first."""
    rows = conn.execute("SELECT * FROM rollouts WHERE domain = ? ORDER BY rowid DESC LIMIT ?", [domain, limit])
    return [_state(row) for row in rows.fetchall()]


def next_rollout_id(conn: storage.Connection, domain: str, canary_version: int) -> str:
    """`<domain>-v<canary>-r<n>`, n = the domain's n-th rollout: unique, and the same in a replayed run.

    Arms hash (rollout id, user), so a deterministic id makes a seeded simulation put the same users on
    the canary every time; call it inside the write transaction that inserts the rollout.
    """
    n = conn.execute("SELECT COUNT(*) FROM rollouts WHERE domain = ?", [domain]).fetchone()[0] + 1
    return f"{domain}-v{canary_version}-r{n}"


def insert_rollout(conn: storage.Connection, state: RolloutState, spec: dict) -> None:
    """Store a new rollout (the unique index refuses a second active one for its domain)."""
    conn.execute(
        "INSERT INTO rollouts (id, domain, stable_version, canary_version, schedule, step_index, weight_pct, status, "
        "spec, revision, started_at, step_started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [state.id, state.domain, state.stable_version, state.canary_version, json.dumps(list(state.schedule)),
         state.step_index, state.weight_pct, state.status, json.dumps(spec, sort_keys=True), state.revision,
         state.started_at, state.step_started_at, state.updated_at])


def update_rollout(conn: storage.Connection, state: RolloutState) -> bool:
    """Write a changed rollout whose revision is one past the stored one; False when someone changed it first."""
    cursor = conn.execute(
        "UPDATE rollouts SET step_index = ?, weight_pct = ?, status = ?, revision = ?, step_started_at = ?, "
        "updated_at = ? WHERE id = ? AND revision = ?",
        [state.step_index, state.weight_pct, state.status, state.revision, state.step_started_at, state.updated_at,
         state.id, state.revision - 1])
    return cursor.rowcount == 1


def insert_event(conn: storage.Connection, *, state: RolloutState, decision: str, from_weight_pct: float,
                 reason: str, counts: dict, created_at: float, actor: str = CONTROLLER) -> RolloutEvent:
    """Record one transition of a rollout (its state after the change) and who made it."""
    event_id = storage.insert_returning_id(
        conn, "INSERT INTO rollout_events (rollout_id, domain, decision, from_weight_pct, to_weight_pct, status, "
        "reason, counts, created_at, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [state.id, state.domain, decision, from_weight_pct, state.weight_pct, state.status, reason,
         json.dumps(counts, sort_keys=True), created_at, actor])
    return RolloutEvent(id=event_id, rollout_id=state.id, domain=state.domain, decision=decision,
                        from_weight_pct=from_weight_pct, to_weight_pct=state.weight_pct, status=state.status,
                        reason=reason, counts=counts, created_at=created_at, actor=actor)


def read_events(conn: storage.Connection, domain: str | None, limit: int) -> list[RolloutEvent]:
    """Recent events (of one domain when given), newest first."""
    where, args = ("WHERE domain = ?", [domain]) if domain else ("", [])
    rows = conn.execute(f"SELECT * FROM rollout_events {where} ORDER BY id DESC LIMIT ?", [*args, limit]).fetchall()
    return [RolloutEvent(id=r["id"], rollout_id=r["rollout_id"], domain=r["domain"], decision=r["decision"],
                         from_weight_pct=r["from_weight_pct"], to_weight_pct=r["to_weight_pct"], status=r["status"],
                         reason=r["reason"], counts=json.loads(r["counts"]), created_at=r["created_at"],
                         actor=r["actor"])
            for r in rows]


def _p95(conn: storage.Connection, args: list, answers: int) -> float | None:
    if not answers:
        return None
    # nearest rank: the ceil(0.95 n)-th smallest latency
    return conn.execute(_P95_SQL, [*args, math.ceil(0.95 * answers) - 1]).fetchone()[0]


def _arm(conn: storage.Connection, state: RolloutState, arm: str, version: int) -> tuple[ArmCounts, ArmCounts]:
    where = [state.domain, version, arm, state.started_at]
    step_start = state.step_started_at
    (answers, rated, up, down, regenerated,
     s_answers, s_rated, s_up, s_down, s_regenerated) = (int(v) for v in conn.execute(_ANSWERS_SQL,
                                                                                     [step_start, *where]).fetchone())
    errors, s_errors = (int(v) for v in conn.execute(_ERRORS_SQL, [step_start, *where]).fetchone())
    step = ArmCounts(answers=s_answers, rated=s_rated, thumbs_up=s_up, thumbs_down=s_down, regenerated=s_regenerated,
                     errors=s_errors, p95_latency_s=_p95(conn, [*where[:3], step_start], s_answers))
    total = ArmCounts(answers=answers, rated=rated, thumbs_up=up, thumbs_down=down, regenerated=regenerated,
                      errors=errors)
    return step, total


def window_counts(conn: storage.Connection, state: RolloutState) -> tuple[ArmPair, ArmPair]:
    """(step, total): both arms' counts since the step started and since the rollout started.

    An arm's rows are the domain's answers (and failed requests) labelled with that arm and its
    version; p95 latency is computed for the step window only (the guardrail's).
    """
    stable_step, stable_total = _arm(conn, state, STABLE, state.stable_version)
    canary_step, canary_total = _arm(conn, state, CANARY, state.canary_version)
    return ArmPair(stable=stable_step, canary=canary_step), ArmPair(stable=stable_total, canary=canary_total)
