"""`loraloop router train|eval|route`, run in-process: exit codes, tables and JSON."""

from __future__ import annotations

import json

import pytest

from loraloop.cli import main
from tests.router.intent_helpers import SMALL, small_rows, write_jsonl


@pytest.fixture
def data_file(tmp_path):
    return write_jsonl(tmp_path / "data.jsonl", small_rows())


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_train_prints_the_report_and_saves_then_eval_agrees(capsys, tmp_path, data_file):
    out_path = tmp_path / "r.joblib"
    code, out, _ = run(capsys, "router", "train", "--data", str(data_file), "--out", str(out_path),
                       "--heldout-share", "0.25")
    assert code == 0 and out_path.is_file()
    assert f"from {data_file} (domains: finance, general, medical)" in out
    assert "confusion (rows: true domain, columns: routed to)" in out
    assert "held-out macro-F1: " in out and f"saved: {out_path}" in out
    for domain in SMALL:
        assert any(line.startswith(domain) for line in out.splitlines())

    code, out, _ = run(capsys, "router", "train", "--data", str(data_file), "--out", str(out_path),
                       "--heldout-share", "0.25", "--json")
    trained = json.loads(out)
    assert code == 0 and trained["path"] == str(out_path) and trained["domains"] == sorted(SMALL)
    assert trained["heldout"]["cases"] == 6

    code, out, _ = run(capsys, "router", "eval", "--data", str(data_file), "--router", str(out_path),
                       "--heldout-share", "0.25", "--json")
    evaluated = json.loads(out)
    assert code == 0
    assert evaluated["macro_f1"] == pytest.approx(trained["heldout"]["macro_f1"])
    assert evaluated["confusion"] == trained["heldout"]["confusion"]
    assert sum(map(sum, evaluated["confusion"])) == evaluated["cases"] == 6

    code, out, _ = run(capsys, "router", "eval", "--data", str(data_file), "--router", str(out_path),
                       "--heldout-share", "0.25")
    assert code == 0 and "macro avg" in out and f"router {out_path} on the held-out split of {data_file}" in out


def test_route_prints_the_domain_and_the_latest_turn_scores(capsys, tmp_path, data_file):
    out_path = tmp_path / "r.joblib"
    assert run(capsys, "router", "train", "--data", str(data_file), "--out", str(out_path))[0] == 0
    code, out, _ = run(capsys, "router", "route", "--router", str(out_path), "--json", "my tooth hurts, I have a fever")
    routed = json.loads(out)
    assert code == 0 and routed["domain"] == "medical" and routed["fallback"] is False
    assert set(routed["latest_turn_scores"]) == set(SMALL)
    code, out, _ = run(capsys, "router", "route", "--router", str(out_path), "--min-confidence", "0.99",
                       "tell me a joke")
    assert code == 0 and out.startswith("general (confidence") and "fallback to the base model" in out


def test_train_on_the_demo_corpus_by_default(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("LORALOOP_HOME", str(tmp_path))
    code, out, _ = run(capsys, "router", "train", "--json")
    trained = json.loads(out)
    assert code == 0 and trained["path"] == str(tmp_path / "router" / "router.joblib")
    assert trained["metadata"]["source"] == "demo corpus"
    assert trained["heldout"]["macro_f1"] >= 0.9
    code, out, _ = run(capsys, "router", "eval")
    assert code == 0 and "on the held-out split of demo corpus" in out


@pytest.mark.parametrize("argv, message", [
    (["router", "eval", "--router", "{tmp}/missing.joblib"], "missing.joblib: no router file"),
    (["router", "route", "--router", "{tmp}/missing.joblib", "hi"], "missing.joblib: no router file"),
    (["router", "train", "--data", "{tmp}/missing.jsonl", "--out", "{tmp}/r.joblib"], "missing.jsonl: no such file"),
    (["router", "train", "--data", "{tmp}/bad.jsonl", "--out", "{tmp}/r.joblib"], "bad.jsonl:2: not valid JSON"),
    (["router", "train", "--min-confidence", "2", "--out", "{tmp}/r.joblib"], "min_confidence=2.0"),
    (["router", "train", "--classifier", "nowhere.mod:Thing", "--data", "{tmp}/good.jsonl", "--out", "{tmp}/r.joblib"],
     "classifier 'nowhere.mod:Thing': cannot import it"),
])
def test_bad_input_exits_2_with_one_clear_line(capsys, tmp_path, argv, message):
    write_jsonl(tmp_path / "bad.jsonl", [small_rows()[0], "{oops"])
    write_jsonl(tmp_path / "good.jsonl", small_rows())
    code, _, err = run(capsys, *(a.format(tmp=tmp_path) for a in argv))
    assert code == 2
    assert err.startswith("loraloop: error: ") and message in err and err.count("\n") == 1
    assert not (tmp_path / "r.joblib").exists()
