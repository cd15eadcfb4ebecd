"""The operators' audit log: one row per admin action, in the shared database, listed by `loraloop audit`.

Who is an identity, never a secret: an admin token is named by a fingerprint of its hash, a key by its name,
the CLI by the local user. Rows are only ever appended.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from loraloop import storage

__all__ = ["AuditEntry", "AuditLog", "cli_actor", "read_entries", "record", "token_actor"]


@dataclass(frozen=True, kw_only=True)
class AuditEntry:
    """One admin action: who, when, what, on what, with which arguments, and how it ended."""

    id: int
    created_at: float
    actor: str
    action: str
    target: str
    arguments: dict[str, Any]
    result: str  # "OK" or a status name
    detail: str


def token_actor(token: str) -> str:
    """The audit identity of an admin token: the first 12 hex digits of its SHA-256 (the token stays secret)."""
    return "admin-token:" + hashlib.sha256(token.encode()).hexdigest()[:12]


def cli_actor() -> str:
    """The audit identity of a command run against the database directly: the local user and host."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return f"cli:{user}@{socket.gethostname()}"


def record(conn: storage.Connection, *, actor: str, action: str, target: str, arguments: dict[str, Any],
           result: str = "OK", detail: str = "") -> int:
    """Append one row; returns its id."""
    return storage.insert_returning_id(
        conn, "INSERT INTO audit_log (created_at, actor, action, target, arguments, result, detail) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [time.time(), actor, action, target, json.dumps(arguments, sort_keys=True, ensure_ascii=False), result, detail])


def read_entries(conn: storage.Connection, *, since: float = 0.0, action: str = "", actor: str = "",
                 limit: int = 100) -> list[AuditEntry]:
    """The newest rows (filtered by time, action prefix and actor), oldest first."""
    where, args = ["created_at >= ?"], [since]
    if action:
        where.append("action LIKE ? ESCAPE '\\'")
        args.append(action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
    if actor:
        where.append("actor = ?")
        args.append(actor)
    rows = conn.execute(f"SELECT * FROM audit_log WHERE {' AND '.join(where)} ORDER BY id DESC LIMIT ?",
                        [*args, limit]).fetchall()
    return [AuditEntry(id=r["id"], created_at=r["created_at"], actor=r["actor"], action=r["action"], target=r["target"],
                       arguments=json.loads(r["arguments"]), result=r["result"], detail=r["detail"])
            for r in reversed(rows)]


class AuditLog:
    """Appends audit rows from a server: one short-lived connection per row (admin actions are rare)."""

    def __init__(self, db_url: str | Path, *, busy_timeout_ms: int = 5000):
        self._db_path = db_url
        self._busy_timeout_ms = busy_timeout_ms

    def write(self, **row: Any) -> int:
        """`record` on its own connection (blocking: call it in a thread from the loop)."""
        from loraloop.feedback.schema import open_database

        conn = open_database(self._db_path, busy_timeout_ms=self._busy_timeout_ms)
        try:
            return record(conn, **row)
        finally:
            conn.close()
