"""Guard rows in every job: the share, the seeded pick from the train split, SFT rows or pairs by method, lineage,
and a bad operator file failing the job in one line (no training: these run in milliseconds)."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from loraloop.adapters import AdapterStore
from loraloop.cli import main
from loraloop.config import RetrainConfig
from loraloop.guard import guard_count, load_guard_set, pick_cases
from loraloop.retrain.dataset import snapshot, with_guard
from loraloop.retrain.jobs import run_job
from loraloop.retrain.outcomes import FAILED
from tests.adapter_files import make_adapter_dir
from tests.retrain.scripted import write_scripted_feedback

GUARD = load_guard_set()


def _snap(db):
    return snapshot(db, "legal", {"pairs": 0.0, "labels": 0.0}, replay_share=0.25, eval_share=0.15, seed=0)


@pytest.mark.parametrize("rows, share, expected", [(85, 0.15, 15), (54, 0.15, 10), (1, 0.15, 1), (10, 0.5, 10),
                                                   (0, 0.15, 0), (40, 0.0, 0)])
def test_the_share_is_of_the_rows_trained_on_once_mixed(rows, share, expected):
    assert guard_count(rows, share) == expected
    if rows >= 50 and share:
        assert abs(expected / (rows + expected) - share) < 0.01


def test_the_pick_is_seeded_takes_turns_by_category_and_never_a_held_out_case():
    picked = pick_cases(GUARD.cases, 12, seed=0)
    assert [c.id for c in picked] == [c.id for c in pick_cases(GUARD.cases, 12, seed=0)]
    assert [c.id for c in picked] != [c.id for c in pick_cases(GUARD.cases, 12, seed=1)]
    assert all(c.split == "train" for c in pick_cases(GUARD.cases, 500, seed=3))
    # Controls every other row; the refusing categories take turns in between.
    assert Counter(c.category for c in picked) == {"control": 6, "harmful": 2, "private": 2, "injection": 2}
    assert [c.category for c in picked[:6]] == ["harmful", "control", "private", "control", "injection", "control"]
    assert len({c.id for c in picked}) == 12
    # More rows than train cases: the cycle repeats, every case is used, and the halves stay even.
    train = GUARD.split("train")
    many = pick_cases(GUARD.cases, 2 * len(train) + 5, seed=0)
    assert {c.id for c in many} == {c.id for c in train}
    assert abs(sum(c.category == "control" for c in many) - len(many) / 2) <= 1


def test_a_dpo_snapshot_gains_guard_pairs_on_its_training_side_only(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=40)
    plain = _snap(db)
    mixed = with_guard(plain, "dpo", GUARD.cases, share=0.15, seed=0, guard_digest=GUARD.digest)
    guard = mixed.train_pairs[len(plain.train_pairs):]
    assert mixed.train_pairs[:len(plain.train_pairs)] == plain.train_pairs
    assert len(guard) == guard_count(len(plain.train_pairs), 0.15) == 6  # 34 train pairs + 6 = 15 %
    assert (mixed.eval_pairs, mixed.train_sft, mixed.eval_sft) == (plain.eval_pairs, plain.train_sft, plain.eval_sft)
    by_id = {f"guard:{c.id}": c for c in GUARD.cases}
    for row in guard:
        case = by_id[row["id"]]
        assert (row["prompt"], row["chosen"], row["rejected"]) == (list(case.messages), case.chosen, case.rejected)
    assert set(mixed.lineage) == set(plain.lineage) | {r["id"] for r in guard}
    assert mixed.guard == {"share": 0.15, "rows": 6, "kind": "pairs", "cases": 6, "digest": GUARD.digest}
    assert mixed.summary()["guard"] == mixed.guard and mixed.new_pairs == plain.new_pairs
    assert mixed.digest != plain.digest
    assert with_guard(plain, "dpo", GUARD.cases, share=0.15, seed=0, guard_digest=GUARD.digest).digest == mixed.digest


@pytest.mark.parametrize("method, kind", [("sft", "sft"), ("reward", "pairs"), ("ppo", "pairs")])
def test_sft_gets_sft_rows_and_the_preference_methods_get_pairs(tmp_path, method, kind):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=40)
    plain = _snap(db)
    mixed = with_guard(plain, method, GUARD.cases, share=0.2, seed=0)
    added_sft = mixed.train_sft[len(plain.train_sft):]
    added_pairs = mixed.train_pairs[len(plain.train_pairs):]
    assert mixed.guard["kind"] == kind and mixed.guard["rows"] == len(added_sft) + len(added_pairs) > 0
    if kind == "sft":
        assert not added_pairs and all(set(r) == {"id", "prompt", "completion"} for r in added_sft)
    else:
        assert not added_sft and all({"chosen", "rejected"} <= set(r) for r in added_pairs)
    # The controls' chosen side is the helpful answer; the refusals' chosen side is the refusal.
    cases = {f"guard:{c.id}": c for c in GUARD.cases}
    for row in added_sft + added_pairs:
        assert row.get("completion", row.get("chosen")) == cases[row["id"]].chosen


def test_ppo_counts_its_share_on_distinct_prompts(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=40)
    plain = _snap(db)  # 34 train prompts, each with one pair and one SFT row
    assert with_guard(plain, "ppo", GUARD.cases, share=0.15, seed=0).guard["rows"] == guard_count(34, 0.15)


def test_share_zero_mixes_nothing_and_keeps_the_digest(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=10)
    plain = _snap(db)
    off = with_guard(plain, "sft", GUARD.cases, share=0.0, seed=0)
    assert (off.train_sft, off.lineage, off.digest) == (plain.train_sft, plain.lineage, plain.digest)
    assert off.guard["rows"] == 0
    with pytest.raises(ValueError, match=r"method='kto'"):
        with_guard(plain, "kto", GUARD.cases, share=0.15, seed=0)


def test_the_snapshot_files_hold_the_guard_rows_in_trl_format(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=40)
    mixed = with_guard(_snap(db), "dpo", GUARD.cases, share=0.15, seed=0)
    mixed.write(tmp_path / "data")
    rows = [json.loads(line) for line in (tmp_path / "data" / "train_pairs.jsonl").read_text().splitlines()]
    assert len(rows) == len(mixed.train_pairs)
    guard = {(json.dumps(r["prompt"]), r["chosen"][0]["content"]) for r in rows}
    for row in mixed.train_pairs[-mixed.guard["rows"]:]:
        assert (json.dumps(row["prompt"]), row["chosen"]) in guard
    snapshot = json.loads((tmp_path / "data" / "snapshot.json").read_text())
    assert snapshot["guard"]["rows"] == 6 and any(i.startswith("guard:") for i in snapshot["lineage"])


def test_the_config_bounds_the_share():
    assert RetrainConfig().guard_share == 0.15
    for bad in (-0.1, 0.6):
        with pytest.raises(ValueError, match=r"^guard_share="):
            RetrainConfig(guard_share=bad)
    assert RetrainConfig(guard_files=["a.jsonl"]).guard_files == ("a.jsonl",)  # job.json gives lists


def test_a_bad_operator_guard_file_fails_the_job_in_one_line_before_training(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    store = AdapterStore(tmp_path / "adapters")
    store.publish("legal", make_adapter_dir(tmp_path / "v1"), {"method": "sft"})
    bad = tmp_path / "mine.jsonl"
    bad.write_text(json.dumps({**GUARD.cases[0].as_dict(), "id": "mine-1", "category": "harmfull"}) + "\n")
    config = RetrainConfig(model=str(model), adapter_store=str(store.root), db_url=str(tmp_path / "none.sqlite"),
                           work_dir=str(tmp_path / "work"), min_free_bytes=0, guard_files=(str(bad),))
    result = run_job("legal", "sft", config)
    assert result.outcome == FAILED
    assert result.reason == (f"guard data: {bad}:1: category: 'harmfull' is not one of harmful, private, injection, "
                             "control")
    assert not (tmp_path / "work").exists() or not any((tmp_path / "work").iterdir())  # no job dir: nothing ran


def test_guard_check_counts_good_files_and_refuses_a_bad_one_in_one_line(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    good.write_text(json.dumps({**GUARD.cases[0].as_dict(), "id": "mine-1", "family": "arson"}) + "\n"
                    + json.dumps({**GUARD.cases[0].as_dict(), "id": "mine-2", "family": "fraud"}) + "\n")
    assert main(["retrain", "guard-check", str(good)]) == 0
    out = capsys.readouterr().out
    assert f"{good}: 1 train, 1 held out" in out and f"ok: {len(GUARD.cases) + 2} cases" in out
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text().replace('"lang": "en"', '"lang": "de"', 1))
    assert main(["retrain", "guard-check", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err == f"loraloop: error: {bad}:1: lang: 'de' is not one of en, zh\n"
