"""`loraloop keys` and `loraloop audit` on a real database: the secret is printed once, rows record who did what."""

import json
import sqlite3

import pytest

from loraloop.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_create_prints_the_secret_once_and_stores_only_its_hash(tmp_path, capsys):
    db = str(tmp_path / "shared.sqlite")
    code, out, err = run(capsys, "keys", "create", "web-app", "--rate", "20/s", "--db", db)
    assert code == 0
    secret = out.strip()
    assert secret.startswith("llk_") and "\n" not in secret  # stdout is the secret alone: KEY=$(loraloop keys ...)
    assert "not shown again" in err
    code, out, _ = run(capsys, "keys", "list", "--db", db)
    assert code == 0 and "web-app" in out and "20/s" in out and "active" in out
    assert secret not in out
    with sqlite3.connect(db) as conn:
        assert secret not in "\n".join(conn.iterdump())


def test_revoke_and_the_audit_log_lists_both_actions(tmp_path, capsys):
    db = str(tmp_path / "shared.sqlite")
    run(capsys, "keys", "create", "web", "--db", db)
    assert run(capsys, "keys", "revoke", "web", "--db", db)[0] == 0
    code, out, _ = run(capsys, "audit", "--db", db, "--json")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["action"], r["target"], r["result"]) for r in rows] == [("key.create", "web", "OK"),
                                                                       ("key.revoke", "web", "OK")]
    assert all(r["actor"].startswith("cli:") for r in rows)
    code, out, _ = run(capsys, "audit", "--db", db, "--action", "key.rev")
    assert code == 0 and "key.revoke" in out and "key.create" not in out
    code, out, _ = run(capsys, "keys", "list", "--db", db)
    assert "revoked" in out


@pytest.mark.parametrize("argv, code, needle", [
    (("keys", "create", "Bad Name"), 2, "name: 'Bad Name'"),
    (("keys", "create", "x", "--rate", "fast"), 2, "--rate='fast'"),
    (("keys", "create", "x", "--rate", "0/s"), 2, "--rate='0/s'"),
    (("keys", "revoke", "nobody"), 2, "no key named 'nobody'"),
    (("audit", "--since", "yesterday"), 2, "--since: 'yesterday'"),
    (("audit", "--limit", "0"), 2, "--limit=0"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, argv, code, needle):
    got, _out, err = run(capsys, *argv, "--db", str(tmp_path / "shared.sqlite"))
    assert got == code
    assert needle in err and len(err.strip().splitlines()) == 1, err


def test_a_name_is_never_reused_exit_1(tmp_path, capsys):
    db = str(tmp_path / "shared.sqlite")
    run(capsys, "keys", "create", "web", "--db", db)
    run(capsys, "keys", "revoke", "web", "--db", db)
    code, _out, err = run(capsys, "keys", "create", "web", "--db", db)
    assert code == 1 and "never reused" in err
