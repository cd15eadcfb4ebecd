"""Database names: a path or `sqlite:///path` (the embedded default), or a `postgresql://` URL."""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["POSTGRES_SCHEMES", "SQLITE_URL_PREFIX", "check_database", "database_path", "is_postgres", "redact"]

SQLITE_URL_PREFIX = "sqlite:///"
POSTGRES_SCHEMES = ("postgresql", "postgres")  # libpq takes both
_PASSWORD = re.compile(r"(://[^:/@]+:)[^@]*@")


def is_postgres(target: str | Path) -> bool:
    """Whether `target` names a Postgres database (a postgresql:// or postgres:// URL)."""
    return isinstance(target, str) and target.split("://", 1)[0] in POSTGRES_SCHEMES and "://" in target


def database_path(target: str | Path) -> Path:
    """The SQLite file a path or `sqlite:///<path>` URL names; any other URL scheme is refused by name."""
    text = str(target)
    if text.startswith(SQLITE_URL_PREFIX):
        text = text[len(SQLITE_URL_PREFIX):]
        if not text.startswith("/"):
            text = "/" + text  # sqlite:////abs and sqlite:///abs both mean /abs
    elif "://" in text:
        scheme = text.split("://", 1)[0]
        if scheme in POSTGRES_SCHEMES:
            raise ValueError(f"database {redact(text)!r} is a Postgres URL, not a SQLite file")
        raise ValueError(f"database {redact(text)!r}: unsupported scheme {scheme!r} "
                         f"(expected a path, sqlite:///path or postgresql://…)")
    if not text:
        raise ValueError("database: empty path")
    return Path(text)


def check_database(target: str | Path) -> str:
    """`target` as a database name every backend function takes; a name no backend can open is a ValueError."""
    if is_postgres(target):
        return str(target)
    return str(database_path(target))


def redact(target: str | Path) -> str:
    """The database name fit for a log line or an error message: a URL's password replaced by ***."""
    return _PASSWORD.sub(r"\1***@", str(target))
