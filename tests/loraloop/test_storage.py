"""The storage seam: database names, connection settings, and a migration runner that parses SQL as SQLite does."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from loraloop import storage
from loraloop.feedback import schema

TRIGGER_AND_STRINGS = """
    CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, edits INTEGER NOT NULL DEFAULT 0);
    CREATE TRIGGER notes_edit AFTER UPDATE OF body ON notes BEGIN
        UPDATE notes SET edits = edits + 1 WHERE id = NEW.id;
    END;
    INSERT INTO notes (body) VALUES ('first; with a semicolon');
    INSERT INTO notes (body) VALUES ('-- not a comment; really')
"""


def test_statements_split_where_sqlite_ends_them():
    statements = storage.split_statements(TRIGGER_AND_STRINGS)
    assert len(statements) == 4
    assert statements[1].startswith("CREATE TRIGGER") and statements[1].endswith("END;")
    assert "'first; with a semicolon'" in statements[2]
    assert statements[3].endswith("'-- not a comment; really')")  # the last one may omit its ";"


def test_an_unfinished_statement_is_an_error_naming_it():
    with pytest.raises(ValueError, match=r"incomplete SQL statement.*CREATE TRIGGER"):
        storage.split_statements("CREATE TABLE t (x);\nCREATE TRIGGER t_ins AFTER INSERT ON t BEGIN SELECT 1;")


def test_a_migration_with_a_trigger_and_semicolons_in_strings_applies(tmp_path, monkeypatch):
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, ("9999_notes_with_trigger", TRIGGER_AND_STRINGS)))
    db = Database(storage.connect(tmp_path / "db.sqlite"))
    assert "9999_notes_with_trigger" in schema.migrate(db)
    assert [r["body"] for r in db["notes"].rows] == ["first; with a semicolon", "-- not a comment; really"]
    db.execute("UPDATE notes SET body = 'changed' WHERE id = 1")
    assert db.execute("SELECT edits FROM notes WHERE id = 1").fetchone()[0] == 1  # the trigger body ran whole
    assert schema.migrate(db) == []  # recorded: never applied twice


@pytest.mark.parametrize("target, expected", [
    ("/data/feedback.sqlite", "/data/feedback.sqlite"),
    ("sqlite:///data/feedback.sqlite", "/data/feedback.sqlite"),
    ("sqlite:////data/feedback.sqlite", "/data/feedback.sqlite"),
    ("relative/feedback.sqlite", "relative/feedback.sqlite"),
])
def test_paths_and_sqlite_urls_name_the_same_file(target, expected):
    assert str(storage.database_path(target)) == expected


@pytest.mark.parametrize("target, problem", [("mysql://db/feedback", "unsupported scheme 'mysql'"), ("", "empty path")])
def test_a_database_name_it_cannot_open_is_refused_by_name(target, problem):
    with pytest.raises(ValueError, match=problem):
        storage.database_path(target)


def test_writable_connections_are_durable_and_read_only_ones_create_nothing(tmp_path):
    path = tmp_path / "sub" / "db.sqlite"
    with pytest.raises(sqlite3.OperationalError):
        storage.connect(path, readonly=True)  # no file yet: nothing is created
    assert not path.exists()
    conn = storage.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    reader = storage.connect(f"sqlite:///{path}", readonly=True)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("INSERT INTO t VALUES (1)")
    assert storage.connect(path, autocommit=True).isolation_level is None


def test_insert_rows_counts_the_rows_it_inserted_not_the_ones_it_skipped(db_url):
    # The pair builder's "pairs added" is this count, on both backends (it replaced a COUNT before and after).
    conn = storage.connect(db_url, autocommit=True)
    conn.execute("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER NOT NULL)")
    assert storage.insert_rows(conn, "kv", [{"k": "a", "v": 1}, {"k": "b", "v": 2}]) == 2
    assert storage.insert_rows(conn, "kv", [{"k": "b", "v": 3}, {"k": "c", "v": 4}, {"k": "a", "v": 5}],
                               ignore=True) == 1
    assert storage.insert_rows(conn, "kv", []) == 0
    assert sorted(tuple(row) for row in conn.execute("SELECT k, v FROM kv").fetchall()) == [("a", 1), ("b", 2), ("c", 4)]
    conn.close()
