"""The feedback store: every answer and every user signal, in the shared database (SQLite or Postgres)."""

from __future__ import annotations

import enum
import hashlib
import itertools
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from loraloop import storage
from loraloop.errors import InvalidArgument, ResponseNotFound
from loraloop.feedback.pii import scrub_text
from loraloop.feedback.schema import migrate, write_transaction

__all__ = ["ErrorRecord", "FeedbackStore", "ResponseRecord", "SignalAck", "SignalKind", "SignalRecord", "context_hash",
           "response_exists"]


class SignalKind(str, enum.Enum):  # noqa: UP042 - str() must stay "SignalKind.X" for existing log lines
    """User signals; the names are the proto enum's."""

    THUMBS_UP = "THUMBS_UP"
    THUMBS_DOWN = "THUMBS_DOWN"
    REGENERATE = "REGENERATE"
    COPY = "COPY"
    SHARE = "SHARE"
    FOLLOW_UP = "FOLLOW_UP"
    DWELL = "DWELL"
    CORRECTION = "CORRECTION"


def context_hash(messages: Sequence[dict[str, str]]) -> str:
    """Identity of "the same prompt": a hash of the conversation before the answer."""
    canonical = json.dumps([[m["role"], m["content"]] for m in messages], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, kw_only=True)
class ResponseRecord:
    """One answer the server gave, with everything needed to learn from it later."""

    id: str
    conversation_id: str
    user_id: str
    messages: tuple[dict[str, str], ...]
    text: str
    adapter: str
    domain: str
    version: int | None
    arm: str
    route_domain: str
    route_confidence: float
    sampling: dict[str, Any]
    prompt_tokens: int
    completion_tokens: int
    ttft_s: float | None
    latency_s: float
    finish_reason: str
    regenerate_of: str = ""
    frontend: str = "grpc"  # "grpc" or "http": which API served the answer
    client_key: str = ""    # the name of the API key the request came with ("" = none)
    created_at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class SignalRecord:
    """One user signal about an answer (already validated)."""

    response_id: str
    kind: SignalKind
    dwell_ms: int | None = None
    correction_text: str | None = None
    source: str = "client"
    idempotency_key: str | None = None
    client_key: str = ""  # the API key's name; inferred signals take the key of the answer that implied them
    created_at: float = field(default_factory=time.time)


@dataclass(frozen=True, kw_only=True)
class ErrorRecord:
    """A request that failed after its adapter version and arm were chosen (the rollout's error guardrail)."""

    domain: str
    version: int | None
    arm: str
    status: str           # gRPC status name, e.g. "INTERNAL"
    created_at: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if not self.status or not self.status.isupper():
            raise ValueError(f"status={self.status!r}: expected a gRPC status name such as 'INTERNAL'")


@dataclass(frozen=True, kw_only=True)
class SignalAck:
    """A stored signal: its id, and whether an earlier call with the same idempotency key stored it."""

    signal_id: int
    duplicate: bool


# Every SignalRecord field is a signals column (as asdict() once wrote them), plus whether the text was scrubbed.
_SIGNAL_FIELDS = tuple(f.name for f in fields(SignalRecord))
# A key already stored makes the INSERT a no-op (rowcount 0) rather than an error: one statement per signal.
_INSERT_SIGNAL = (f"INSERT INTO signals ({', '.join(_SIGNAL_FIELDS)}, scrubbed) "
                  f"VALUES ({', '.join('?' * (len(_SIGNAL_FIELDS) + 1))}) ON CONFLICT(idempotency_key) DO NOTHING")
_ANSWERS_BY_ID = "SELECT id, domain, version FROM responses WHERE id IN ({})"
_SIGNAL_BY_KEY = "SELECT id, response_id, kind FROM signals WHERE idempotency_key = ?"
_IN_CHUNK = 500  # bound parameters per IN query, well under SQLite's limit (999 before 3.32)


class FeedbackStore:
    """A small class over one storage connection. Not thread-safe: one writer thread owns an instance."""

    def __init__(self, target: str | Path, *, busy_timeout_ms: int = 5000, keep_raw_text: bool = True):
        self.target = storage.check_database(target)
        self.path = storage.redact(self.target)  # the database's name, fit for messages
        self._keep_raw_text = keep_raw_text
        # SQLite: WAL, synchronous=FULL, transactions from write_transaction (autocommit otherwise).
        self.db = storage.connect(self.target, busy_timeout_ms=busy_timeout_ms, autocommit=True)
        migrate(self.db)
        self._batch_signals: list[tuple[str, int | None, str]] = []
        self.recorded_signals: list[tuple[str, int | None, str]] = []

    def close(self) -> None:
        """Close the connection."""
        self.db.close()

    def write_batch(self, items: Sequence[ResponseRecord | SignalRecord | ErrorRecord]
                    ) -> list[SignalAck | Exception | None]:
        """Write items in one transaction; each item's result is its ack, None, or the error that refused it alone.

        Afterwards `recorded_signals` holds (domain, version, kind) of every new signal the batch stored,
        inferred ones included, for the caller's metrics.
        """
        results: list[SignalAck | Exception | None] = []
        recorded: list[tuple[str, int | None, str]] = []
        with write_transaction(self.db):
            for is_signal, run in itertools.groupby(items, key=lambda item: isinstance(item, SignalRecord)):
                if is_signal:  # a run of signals is checked up front, so no savepoint per signal is needed
                    self._batch_signals = []
                    results.extend(self._insert_signals(list(run)))
                    recorded.extend(self._batch_signals)
                    continue
                for item in run:
                    self._batch_signals = []
                    try:
                        with storage.savepoint(self.db):  # a savepoint: one bad item does not undo the others
                            results.append(self._insert(item))
                        recorded.extend(self._batch_signals)
                    except (ResponseNotFound, InvalidArgument) as e:
                        results.append(e)
        self.recorded_signals = recorded
        return results

    def _insert(self, item: ResponseRecord | SignalRecord | ErrorRecord) -> SignalAck | None:
        if isinstance(item, ResponseRecord):
            return self._insert_response(item)
        if isinstance(item, ErrorRecord):
            self.db.execute("INSERT INTO request_errors (domain, version, arm, status, created_at) VALUES (?, ?, ?, ?, ?)",
                            [item.domain, item.version, item.arm, item.status, item.created_at])
            return None
        return self._insert_signal(item)

    def _insert_response(self, record: ResponseRecord) -> None:
        row = asdict(record)
        messages = list(record.messages)
        if not self._keep_raw_text:
            row["text"] = scrub_text(record.text)
            messages = [{**m, "content": scrub_text(m["content"])} for m in messages]
            row["scrubbed"] = 1
        row["messages"] = json.dumps(messages, ensure_ascii=False)
        row["sampling"] = json.dumps(record.sampling, sort_keys=True)
        row["context_hash"] = context_hash(record.messages)
        row["regenerate_of"] = record.regenerate_of or None
        if record.regenerate_of and not self._exists(record.regenerate_of):
            raise ResponseNotFound(f"regenerate_of: no answer with response id {record.regenerate_of!r}")
        previous = self._previous_answer(record)
        storage.insert_rows(self.db, "responses", [row])
        self.db.execute(
            "INSERT INTO conversations (id, user_id, turns, first_seen, last_seen) VALUES (?, ?, 1, ?, ?) "
            "ON CONFLICT(id) DO UPDATE SET turns = conversations.turns + 1, last_seen = excluded.last_seen",
            [record.conversation_id, record.user_id, record.created_at, record.created_at])
        if record.regenerate_of:
            self._insert_signal(SignalRecord(response_id=record.regenerate_of, kind=SignalKind.REGENERATE,
                                             idempotency_key=f"regenerate:{record.id}", created_at=record.created_at,
                                             client_key=record.client_key))
        if previous:
            # The user went on from that answer: a weak positive, inferred once per answer.
            self._insert_signal(SignalRecord(response_id=previous, kind=SignalKind.FOLLOW_UP, source="inferred",
                                             idempotency_key=f"follow-up:{previous}", created_at=record.created_at,
                                             client_key=record.client_key))

    def _previous_answer(self, record: ResponseRecord) -> str | None:
        """The recorded answer this request continues from: same conversation, text = the last assistant turn."""
        if not record.conversation_id or not record.messages:
            return None
        assistant = [m["content"] for m in record.messages if m["role"] == "assistant"]
        if not assistant:
            return None
        text = assistant[-1] if self._keep_raw_text else scrub_text(assistant[-1])
        row = self.db.execute(
            "SELECT id FROM responses WHERE conversation_id = ? AND text = ? ORDER BY created_at DESC LIMIT 1",
            [record.conversation_id, text]).fetchone()
        return row[0] if row else None

    def _insert_signal(self, signal: SignalRecord) -> SignalAck:
        [result] = self._insert_signals([signal])
        if isinstance(result, Exception):
            raise result
        return result

    def _insert_signals(self, signals: Sequence[SignalRecord]) -> list[SignalAck | ResponseNotFound | InvalidArgument]:
        """Store signals in order; each result is its ack or the error that refused that signal alone.

        A refused signal writes nothing. The answers are read in a few IN queries up front, not one query per
        signal. A key sent twice, in this call or an earlier one, stores the signal once: the repeat's INSERT does
        nothing, and it is acked as a duplicate of the stored row (or refused if that row is another signal).
        """
        answers = self._rows_by_first(_ANSWERS_BY_ID, {s.response_id for s in signals})
        results: list[SignalAck | ResponseNotFound | InvalidArgument | None] = [None] * len(signals)
        accepted: list[tuple[int, SignalRecord, tuple[Any, ...]]] = []
        rows = []
        for i, signal in enumerate(signals):
            answer = answers.get(signal.response_id)
            if answer is None:
                results[i] = ResponseNotFound(f"response_id: no answer with id {signal.response_id!r}")
                continue
            row = {name: getattr(signal, name) for name in _SIGNAL_FIELDS}
            row["kind"], scrubbed = signal.kind.value, 0
            if signal.correction_text and not self._keep_raw_text:
                row["correction_text"], scrubbed = scrub_text(signal.correction_text), 1
            accepted.append((i, signal, answer))
            rows.append((*row.values(), scrubbed))
        # One round trip for the whole run on Postgres (pipelined), one INSERT each on SQLite.
        for (i, signal, answer), signal_id in zip(accepted, storage.insert_many_returning_ids(self.db, _INSERT_SIGNAL, rows)):
            kind = signal.kind.value
            if signal_id is None:  # the idempotency key is taken (only a key can conflict)
                signal_id, response_id, stored_kind = self.db.execute(
                    _SIGNAL_BY_KEY, [signal.idempotency_key]).fetchone()
                if (response_id, stored_kind) != (signal.response_id, kind):
                    results[i] = InvalidArgument("idempotency_key", "already used for a different signal")
                else:
                    results[i] = SignalAck(signal_id=signal_id, duplicate=True)
                continue
            self._batch_signals.append((answer[0], answer[1], kind))
            results[i] = SignalAck(signal_id=signal_id, duplicate=False)
        return results  # type: ignore[return-value]  # every slot was filled above

    def _rows_by_first(self, sql: str, values: set[str]) -> dict[str, tuple[Any, ...]]:
        """Rows of `sql` (an IN query on one column) keyed by their first column; the rest is the value."""
        found: dict[str, tuple[Any, ...]] = {}
        ordered = sorted(values)
        for start in range(0, len(ordered), _IN_CHUNK):
            chunk = ordered[start:start + _IN_CHUNK]
            query = sql.format(", ".join("?" * len(chunk)))
            found.update((row[0], tuple(row[1:])) for row in self.db.execute(query, chunk))
        return found

    def purge_raw_text(self, older_than: float) -> int:
        """Replace answers and prompts recorded before `older_than` (epoch s) by their PII-scrubbed form."""
        rows = self.db.execute("SELECT id, text, messages FROM responses WHERE created_at < ? AND scrubbed = 0",
                               [older_than]).fetchall()
        with write_transaction(self.db):
            for rid, text, messages in rows:
                clean = [{**m, "content": scrub_text(m["content"])} for m in json.loads(messages)]
                self.db.execute("UPDATE responses SET text = ?, messages = ?, scrubbed = 1 WHERE id = ?",
                                [scrub_text(text), json.dumps(clean, ensure_ascii=False), rid])
            for sid, text in self.db.execute("SELECT id, correction_text FROM signals WHERE created_at < ? AND "
                                             "scrubbed = 0 AND correction_text IS NOT NULL", [older_than]).fetchall():
                self.db.execute("UPDATE signals SET correction_text = ?, scrubbed = 1 WHERE id = ?",
                                [scrub_text(text), sid])
        return len(rows)

    def _exists(self, response_id: str) -> bool:
        # On every signal write: an indexed probe, not a full-row read.
        return self.db.execute("SELECT 1 FROM responses WHERE id = ?", [response_id]).fetchone() is not None

    def response(self, response_id: str) -> dict[str, Any] | None:
        """One recorded answer, or None."""
        row = self.db.execute("SELECT * FROM responses WHERE id = ?", [response_id])
        return next(storage.dict_rows(row), None)

    def signals(self, response_id: str | None = None) -> list[dict[str, Any]]:
        """Stored signals, oldest first (of one answer when given)."""
        where, args = ("WHERE response_id = ?", [response_id]) if response_id else ("", [])
        return list(storage.dict_rows(self.db.execute(f"SELECT * FROM signals {where} ORDER BY id", args)))

    def count(self, table: str) -> int:
        """Rows in a table."""
        return storage.count(self.db, table)


def response_exists(target: str | Path, response_id: str) -> bool:
    """Whether an answer is committed, read on a short-lived connection (safe from any thread)."""
    conn = storage.connect(target, busy_timeout_ms=5000, readonly=True)
    try:
        return conn.execute("SELECT 1 FROM responses WHERE id = ?", [response_id]).fetchone() is not None
    finally:
        conn.close()
