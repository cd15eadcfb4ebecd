"""Reading a table in a test, on either backend (sqlite-utils' `db[table].rows`, which only SQLite has)."""

from __future__ import annotations

from typing import Any

from loraloop import storage


def table_rows(conn: Any, table: str, where: str = "", params: tuple = ()) -> list[dict[str, Any]]:
    """The rows of `table` (matching `where`, e.g. "WHERE source = ?") as dicts, in id order."""
    return list(storage.dict_rows(conn.execute(f"SELECT * FROM {table} {where} ORDER BY id", params)))
