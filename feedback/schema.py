"""The feedback store's schema as named migrations, applied in order and recorded in a table."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

from loraloop import storage
from loraloop.storage import Connection, render_ddl, split_statements, write_transaction

__all__ = ["MIGRATIONS", "POSTGRES_ADDITIONS", "migrate", "open_database", "write_transaction"]


# Append only: a released migration never changes; a new schema change is a new named entry.
MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_responses_and_signals", """
        CREATE TABLE responses (
            id TEXT PRIMARY KEY,
            conversation_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            context_hash TEXT NOT NULL,      -- sha256 of the messages before the answer ("same prompt")
            messages TEXT NOT NULL,          -- JSON list of {role, content} before the answer
            text TEXT NOT NULL,
            adapter TEXT NOT NULL,           -- "domain@vN" or "base"
            domain TEXT NOT NULL,            -- "" for the base model
            version INTEGER,
            arm TEXT NOT NULL,
            route_domain TEXT NOT NULL,
            route_confidence REAL NOT NULL,
            sampling TEXT NOT NULL,          -- JSON
            prompt_tokens INTEGER NOT NULL,
            completion_tokens INTEGER NOT NULL,
            ttft_s REAL,
            latency_s REAL NOT NULL,
            finish_reason TEXT NOT NULL,
            regenerate_of TEXT REFERENCES responses(id),
            created_at REAL NOT NULL
        );
        CREATE INDEX responses_conversation ON responses(conversation_id, created_at);
        CREATE INDEX responses_context ON responses(context_hash);
        CREATE INDEX responses_adapter ON responses(domain, version, created_at);
        CREATE TABLE signals (
            id INTEGER PRIMARY KEY,
            response_id TEXT NOT NULL REFERENCES responses(id),
            kind TEXT NOT NULL,
            dwell_ms INTEGER,
            correction_text TEXT,
            source TEXT NOT NULL,            -- "client" or "inferred"
            idempotency_key TEXT UNIQUE,
            created_at REAL NOT NULL
        );
        CREATE INDEX signals_response ON signals(response_id);
        CREATE TABLE conversations (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            turns INTEGER NOT NULL,
            first_seen REAL NOT NULL,
            last_seen REAL NOT NULL
        );
    """),
    ("0002_pairs_and_labels", """
        CREATE TABLE pairs (
            id INTEGER PRIMARY KEY,
            pair_key TEXT NOT NULL UNIQUE,   -- what makes a pair the same pair: never emitted twice
            context_hash TEXT NOT NULL,
            domain TEXT NOT NULL,
            prompt TEXT NOT NULL,            -- JSON messages, PII-scrubbed
            chosen TEXT NOT NULL,            -- PII-scrubbed
            rejected TEXT NOT NULL,          -- PII-scrubbed
            source TEXT NOT NULL,            -- the signal that decided: thumbs, correction, regenerate, copy_share, dwell
            weight REAL NOT NULL,
            chosen_response_id TEXT,         -- NULL when the chosen side is a user's correction
            rejected_response_id TEXT NOT NULL,
            chosen_adapter TEXT NOT NULL,
            rejected_adapter TEXT NOT NULL,
            signal_ids TEXT NOT NULL,        -- JSON ids of the signal rows behind the pair
            created_at REAL NOT NULL
        );
        CREATE INDEX pairs_domain ON pairs(domain, created_at);
        CREATE INDEX pairs_context ON pairs(context_hash, domain);
        CREATE TABLE labels (
            id INTEGER PRIMARY KEY,
            label_key TEXT NOT NULL UNIQUE,
            context_hash TEXT NOT NULL,
            domain TEXT NOT NULL,
            prompt TEXT NOT NULL,
            completion TEXT NOT NULL,
            label INTEGER NOT NULL,          -- 1 desirable, 0 undesirable (KTO)
            source TEXT NOT NULL,
            weight REAL NOT NULL,
            response_id TEXT,
            adapter TEXT NOT NULL,
            signal_ids TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX labels_domain ON labels(domain, created_at);
        CREATE INDEX labels_context ON labels(context_hash, domain);
        CREATE TABLE watermarks (name TEXT PRIMARY KEY, value INTEGER NOT NULL)
    """),
    ("0003_drift", """
        CREATE TABLE drift_snapshots (
            id INTEGER PRIMARY KEY,
            adapter TEXT NOT NULL,           -- domain, or "base"
            metric TEXT NOT NULL,
            value REAL,                      -- NULL: no data in the window
            threshold REAL NOT NULL,
            crossed INTEGER NOT NULL,
            reference_answers INTEGER NOT NULL,
            recent_answers INTEGER NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX drift_snapshots_time ON drift_snapshots(adapter, metric, created_at);
        CREATE TABLE drift_events (
            id INTEGER PRIMARY KEY,
            adapter TEXT NOT NULL,
            metric TEXT NOT NULL,
            value REAL NOT NULL,
            threshold REAL NOT NULL,
            created_at REAL NOT NULL
        )
    """),
    ("0004_raw_text_retention", """
        ALTER TABLE responses ADD COLUMN scrubbed INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE signals ADD COLUMN scrubbed INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX responses_unscrubbed ON responses(created_at) WHERE scrubbed = 0
    """),
    ("0005_rollouts", """
        CREATE TABLE rollouts (
            id TEXT PRIMARY KEY,             -- "medical-v2-1a2b3c4d": also the arm hash's salt
            domain TEXT NOT NULL,
            stable_version INTEGER NOT NULL,
            canary_version INTEGER NOT NULL,
            schedule TEXT NOT NULL,          -- JSON list of canary weights in percent, ending at 100
            step_index INTEGER NOT NULL,
            weight_pct REAL NOT NULL,        -- percent of units on the canary arm now
            status TEXT NOT NULL,            -- running, paused, inconclusive, promoted, rolled_back
            spec TEXT NOT NULL,              -- JSON: the RolloutConfig the rollout started with
            revision INTEGER NOT NULL,       -- +1 on every change: concurrent writers detect each other
            started_at REAL NOT NULL,
            step_started_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE UNIQUE INDEX rollouts_one_active ON rollouts(domain)
            WHERE status IN ('running', 'paused', 'inconclusive');
        CREATE INDEX rollouts_domain ON rollouts(domain, started_at);
        CREATE TABLE rollout_events (
            id INTEGER PRIMARY KEY,
            rollout_id TEXT NOT NULL REFERENCES rollouts(id),
            domain TEXT NOT NULL,
            decision TEXT NOT NULL,          -- start, advance, promote, rollback, pause, resume, inconclusive
            from_weight_pct REAL NOT NULL,
            to_weight_pct REAL NOT NULL,
            status TEXT NOT NULL,            -- the rollout's status after the event
            reason TEXT NOT NULL,
            counts TEXT NOT NULL,            -- JSON: per-arm counts and the sequential test behind the decision
            created_at REAL NOT NULL
        );
        CREATE INDEX rollout_events_domain ON rollout_events(domain, id);
        CREATE TABLE request_errors (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL,
            version INTEGER,
            arm TEXT NOT NULL,
            status TEXT NOT NULL,            -- gRPC status name of the failure
            created_at REAL NOT NULL
        );
        CREATE INDEX request_errors_adapter ON request_errors(domain, version, arm, created_at)
    """),
    ("0006_retrain_runs", """
        CREATE TABLE retrain_runs (
            id INTEGER PRIMARY KEY,
            domain TEXT NOT NULL,
            method TEXT NOT NULL,            -- sft, dpo, reward, ppo
            outcome TEXT NOT NULL,           -- running, then published, gate_failed, failed, too_few_pairs or killed
            version INTEGER,                 -- the version published (NULL unless published)
            trigger_reason TEXT NOT NULL,    -- why the daemon started it, e.g. "pairs: 64 new >= 50"
            reason TEXT NOT NULL,            -- why it ended as it did
            metrics TEXT NOT NULL,           -- JSON eval metrics of the job
            pairs INTEGER NOT NULL,          -- pairs it trained on
            pid INTEGER NOT NULL,            -- the daemon process that ran it
            started_at REAL NOT NULL,
            finished_at REAL                 -- NULL while running
        );
        CREATE INDEX retrain_runs_domain ON retrain_runs(domain, finished_at)
    """),
    # Which frontend served an answer: the gRPC API or the OpenAI-compatible HTTP API.
    ("0007_response_frontend", """
        ALTER TABLE responses ADD COLUMN frontend TEXT NOT NULL DEFAULT 'grpc'
    """),
    # API keys of chat clients (only their SHA-256 is stored), the operators' audit log, and who acted:
    # the key each answer and signal came with ('' = none), the actor of each rollout transition.
    ("0008_api_keys_and_audit", """
        CREATE TABLE api_keys (
            name TEXT PRIMARY KEY,           -- never reused, so recorded answers and audit rows stay unambiguous
            secret_sha256 TEXT NOT NULL UNIQUE,
            rate_per_s REAL,                 -- requests per second per replica; NULL = no limit
            created_at REAL NOT NULL,
            created_by TEXT NOT NULL,
            revoked_at REAL                  -- NULL while the key works
        );
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            created_at REAL NOT NULL,
            actor TEXT NOT NULL,             -- "admin-token:<fingerprint>", "cli:<user>"; never a secret
            action TEXT NOT NULL,            -- load_adapter, rollout.promote, key.revoke, ...
            target TEXT NOT NULL,            -- what it acted on: an adapter, a domain, a key name
            arguments TEXT NOT NULL,         -- JSON
            result TEXT NOT NULL,            -- OK, or the status name of the refusal
            detail TEXT NOT NULL             -- the error message, or a short summary of what changed
        );
        CREATE INDEX audit_log_time ON audit_log(created_at);
        ALTER TABLE responses ADD COLUMN client_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE signals ADD COLUMN client_key TEXT NOT NULL DEFAULT '';
        ALTER TABLE rollout_events ADD COLUMN actor TEXT NOT NULL DEFAULT 'controller'
    """),
    # The parrot pass reads a conversation's labels and pairs by their answer: without these indexes each
    # conversation scans every label and every pair (a build over 20,000 signals in 5,000 conversations: 47 s).
    ("0009_pairs_and_labels_by_answer", """
        CREATE INDEX pairs_chosen_response ON pairs(chosen_response_id);
        CREATE INDEX labels_response ON labels(response_id)
    """),
    # A group is (context_hash, domain). With only responses_context and responses_adapter to choose from,
    # SQLite's planner served the build's "conversations of this group" query from responses_adapter, a scan of
    # every answer in the domain per group: the build grew with the square of the store (60,000 signals: 11 s,
    # 200,000: 167 s). This index answers it, and the group's answers, from the group alone.
    ("0010_responses_by_group", """
        CREATE INDEX responses_group ON responses(context_hash, domain, conversation_id);
        DROP INDEX responses_context
    """),
)


# What Postgres needs beyond the rendered SQLite text of a migration, applied in the same transaction.
# SQLite gives every table an implicit `rowid` in insertion order, which queries use to order answers and
# rollouts; Postgres tables get one as an identity column. Tables read incrementally (signals, responses)
# record the writing transaction's id, whose order is commit order (see `storage.change_column`).
_TXID = f"{storage.TXID_COLUMN} BIGINT NOT NULL DEFAULT (pg_current_xact_id()::text::bigint)"
POSTGRES_ADDITIONS: dict[str, str] = {
    "0001_responses_and_signals": f"""
        ALTER TABLE responses ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE;
        ALTER TABLE responses ADD COLUMN {_TXID};
        ALTER TABLE signals ADD COLUMN {_TXID};
        CREATE INDEX responses_txid ON responses({storage.TXID_COLUMN});
        CREATE INDEX signals_txid ON signals({storage.TXID_COLUMN})
    """,
    "0005_rollouts": """
        ALTER TABLE rollouts ADD COLUMN rowid BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE
    """,
}


_LOCK = "schema_migrations"  # one migrator at a time on Postgres (SQLite's BEGIN IMMEDIATE already is)


def open_database(target: str | Path, *, busy_timeout_ms: int = 5000) -> Connection:
    """A migrated connection to the shared database in autocommit mode, rows readable by column name.

    SQLite: WAL, FULL sync, rows as sqlite3.Row. Postgres: a pooled connection (rows are `storage.Row`).
    """
    conn = storage.connect(target, busy_timeout_ms=busy_timeout_ms, autocommit=True, named_rows=True)
    migrate(conn)
    return conn


def migrate(conn: Connection) -> list[str]:
    """Apply every migration not yet recorded; return the names applied now (safe with concurrent migrators).

    Takes a storage connection (or, for old callers, a sqlite_utils Database, whose connection it uses).
    """
    conn = getattr(conn, "conn", conn)
    postgres = storage.dialect(conn) == storage.POSTGRESQL
    # Two Postgres sessions creating the same table at once collide in its catalog: create it under the lock.
    with write_transaction(conn, lock=_LOCK) if postgres else contextlib.nullcontext():
        conn.execute(render_ddl(conn, "CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, "
                                      "applied_at REAL NOT NULL)"))
    done = {row[0] for row in conn.execute("SELECT name FROM schema_migrations").fetchall()}
    applied = []
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        with write_transaction(conn, lock=_LOCK):
            # Checked under the write lock: another process may have applied it since we looked.
            if conn.execute("SELECT 1 FROM schema_migrations WHERE name = ?", [name]).fetchone():
                continue
            script = render_ddl(conn, sql)
            if postgres and name in POSTGRES_ADDITIONS:
                script = script.rstrip().rstrip(";") + ";\n" + POSTGRES_ADDITIONS[name]
            for statement in split_statements(script):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", [name, time.time()])
        applied.append(name)
    return applied
