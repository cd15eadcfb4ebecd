"""A real sft job on the demo model mixes guard rows into what the worker trains on and lists them in loraloop.json."""

from __future__ import annotations

import json
import shutil

from loraloop.adapters import AdapterStore
from loraloop.guard import guard_count, load_guard_set
from loraloop.retrain.jobs import run_job
from tests.retrain.conftest import DOMAIN, PROMPTS, tiny_config


def test_an_sft_job_trains_on_its_guard_rows_and_lists_them(demo_model, private_store, scripted_db, tmp_path):
    store_root = tmp_path / "adapters"
    shutil.copytree(private_store, store_root)
    config = tiny_config(db=scripted_db, store=store_root, model_dir=demo_model.model_dir, work=tmp_path / "work")
    progress: list[str] = []
    result = run_job(DOMAIN, "sft", config, on_progress=progress.append)
    assert result.outcome == "published", result.reason
    assert result.pairs == PROMPTS  # the feedback rows, as the minimum counts them; guard rows come on top
    [job] = (tmp_path / "work").iterdir()
    trained = [json.loads(line) for line in (job / "data" / "train_sft.jsonl").read_text().splitlines()]
    feedback = PROMPTS - len((job / "data" / "eval_sft.jsonl").read_text().splitlines())
    expected = guard_count(feedback, 0.15)
    assert len(trained) == feedback + expected
    assert any(f"+ {expected} guard rows" in p for p in progress)
    # The guard rows the worker read are the cases' prompts and the answers to keep, in TRL's format.
    cases = {json.dumps(list(c.messages)): c for c in load_guard_set().split("train")}
    guard_rows = [r for r in trained if json.dumps(r["prompt"]) in cases]
    assert len(guard_rows) == expected
    assert all(r["completion"] == [{"role": "assistant", "content": cases[json.dumps(r["prompt"])].chosen}]
               for r in guard_rows)
    meta = AdapterStore(store_root).metadata(AdapterStore(store_root).get(DOMAIN, result.version))
    listed = sorted(i for i in meta["lineage"] if i.startswith("guard:"))
    assert listed == sorted({f"guard:{cases[json.dumps(r['prompt'])].id}" for r in guard_rows})
    assert meta["dataset"]["guard"] == {"share": 0.15, "rows": expected, "kind": "sft", "cases": len(listed),
                                        "digest": load_guard_set().digest}
    assert meta["config"]["guard_share"] == 0.15 and "guard_files" not in meta["config"]
