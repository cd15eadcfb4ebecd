"""FeedbackConfig: where and how the feedback store keeps answers and user signals, and how drift is measured."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from loraloop.settings import DATABASE_HELP, ConfigError, check_database_url, check_fields, resolve_database, setting

__all__ = ["FeedbackConfig"]


@dataclass(frozen=True, kw_only=True)
class FeedbackConfig:
    """Where and how answers and user signals are stored."""

    db_url: str = setting("", DATABASE_HELP)
    queue_size: int = setting(10_000, "Writes waiting for the writer thread before new ones get RESOURCE_EXHAUSTED.", ge=1)
    batch_size: int = setting(256, "Most writes committed in one transaction; a client's batch of signals is never split "
                                   "(a bigger one commits alone).", ge=1)
    max_batch_signals: int = setting(1_000, "Most signals in one SendFeedbackBatch call (or HTTP /v1/feedback/batch body); "
                                            "a bigger batch gets INVALID_ARGUMENT. At most queue_size.", ge=1)
    max_correction_chars: int = setting(16_000, "Longest CORRECTION text accepted.", ge=1)
    max_dwell_ms: int = setting(24 * 3600 * 1000, "Largest DWELL value accepted (one day).", ge=1)
    max_idempotency_key_chars: int = setting(128, "Longest idempotency key accepted.", ge=1)
    busy_timeout_ms: int = setting(5_000, "How long a write waits for a locked database before failing.", ge=1)
    keep_raw_text: bool = setting(True, "Store answers and prompts as sent; False scrubs PII before the first write.")
    raw_text_retention_days: float = setting(30.0, "Days raw text is kept before it is replaced by its PII-scrubbed form; "
                                                   "0 = forever.", ge=0)
    drift_window: int = setting(200, "Answers in the reference window (the adapter's first) and the recent window "
                                     "(its last).", ge=1)
    drift_min_answers: int = setting(30, "Fewest answers per window before drift is computed.", ge=1)
    drift_interval_s: float = setting(300.0, "Seconds between drift snapshots in the server; 0 disables them.", ge=0)
    drift_logprob_samples: int = setting(16, "Prompts per window scored under the base model for the log-prob metric.",
                                         ge=0)
    drift_js_threshold: float = setting(0.1, "Prompt-token JS divergence (above sampling noise) that counts as drift.",
                                        gt=0, le=1)
    drift_psi_threshold: float = setting(0.2, "PSI of prompt or answer lengths that counts as drift.", gt=0)

    def __post_init__(self) -> None:
        check_fields(self)
        check_database_url("db_url", self.db_url)
        if self.max_batch_signals > self.queue_size:  # such a batch could never reserve its slots
            raise ConfigError("max_batch_signals", self.max_batch_signals, f"must be <= queue_size={self.queue_size}")

    def database(self) -> str:
        """The shared database to open: db_url, else the SQLite file <home>/feedback.sqlite."""
        return resolve_database(self.db_url)

    def db_file(self) -> Path:
        """The SQLite file of `database()`; a ConfigError when db_url names a Postgres database."""
        from loraloop.storage import database_path  # the seam's own parsing (it imports the drivers)

        try:
            return database_path(self.database())
        except ValueError as e:
            raise ConfigError("db_url", self.db_url.split("@")[-1], str(e)) from None
