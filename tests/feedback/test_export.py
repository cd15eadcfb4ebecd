"""Exports: shapes, filters, the CLI, and TRL's own dataset processing on the real exports."""

import asyncio
import sys
import time

import pytest

from loraloop.feedback.export import export_rows, stats, write_jsonl
from loraloop.feedback.pairs import PairBuilder
from loraloop.feedback.store import FeedbackStore, SignalKind
from tests.feedback.records import say, signal


@pytest.fixture
def built(db_url):
    """A store with pairs and labels built, on SQLite and on Postgres."""
    store = FeedbackStore(db_url)
    say(store, "up", "How do I treat a burn?")
    say(store, "down", "How do I treat a burn?")
    say(store, "plain", "How do I treat a burn?")
    signal(store, "up", SignalKind.THUMBS_UP)
    signal(store, "down", SignalKind.THUMBS_DOWN)
    say(store, "fixme", "Is aspirin safe for kids?")
    signal(store, "fixme", SignalKind.CORRECTION, correction_text="No, ask a doctor first.")
    PairBuilder(store.db).build()
    yield store
    store.close()


def test_dpo_kto_sft_rows(built):
    dpo = list(export_rows(built.db, domain="medical", fmt="dpo"))
    assert len(dpo) == 4  # up>down, up>plain, plain>down, correction>fixme
    assert all(set(r) == {"prompt", "chosen", "rejected"} for r in dpo)
    assert all(r["prompt"][-1]["role"] == "user" and r["chosen"][0]["role"] == "assistant" for r in dpo)
    kto = list(export_rows(built.db, domain="medical", fmt="kto"))
    assert sorted(r["label"] for r in kto) == [False, False, True, True]  # down, fixme | up, correction
    sft = list(export_rows(built.db, domain="medical", fmt="sft"))
    assert {r["completion"][0]["content"] for r in sft} == {"No, ask a doctor first."} | {
        r["completion"][0]["content"] for r in kto if r["label"] and "doctor" not in r["completion"][0]["content"]}
    assert list(export_rows(built.db, domain="finance", fmt="dpo")) == []
    assert list(export_rows(built.db, domain="medical", fmt="dpo", since=time.time() + 60)) == []


def test_stats_per_adapter_version(built):
    [row] = stats(built.db)
    assert row["adapter"] == "medical@v1" and row["answers"] == 4
    assert row["thumbs_up_rate"] == 0.5 and row["thumbs_down_rate"] == 0.25
    assert row["signals"] == {"THUMBS_UP": 1, "THUMBS_DOWN": 1, "CORRECTION": 1}


async def _cli(*args):
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "loraloop.cli", "feedback", *args,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await proc.communicate()
    return proc.returncode, out.decode(), err.decode()


async def test_cli_export_and_its_errors(built, tmp_path):
    db = str(built.path)
    rc, out, _ = await _cli("pairs", "--db", db)
    assert rc == 0 and "pairs added: 0" in out  # already built: nothing twice
    rc, out, _ = await _cli("export", "--db", db, "--adapter", "medical", "--format", "dpo", "--out", str(tmp_path / "d.jsonl"))
    assert rc == 0 and "wrote 4 dpo rows" in out
    assert len((tmp_path / "d.jsonl").read_text().splitlines()) == 4
    rc, _, err = await _cli("export", "--db", db, "--adapter", "medical", "--format", "dpo", "--since", "yesterday",
                            "--out", str(tmp_path / "x.jsonl"))
    assert rc == 2 and err.strip().count("\n") == 0 and "--since" in err
    rc, _, err = await _cli("stats", "--db", str(tmp_path / "missing.sqlite"))
    assert rc == 2 and "--db-url: no database file at" in err


def test_trl_trainers_take_the_exports_as_they_are(built, demo_model, tmp_path):
    from datasets import load_dataset
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from trl import DPOConfig, DPOTrainer, SFTConfig, SFTTrainer
    from trl.experimental.kto import KTOConfig, KTOTrainer

    tokenizer = AutoTokenizer.from_pretrained(demo_model.model_dir)
    common = dict(report_to="none", use_cpu=True, bf16=False, max_steps=1, per_device_train_batch_size=2,
                  save_strategy="no", gradient_checkpointing=False)
    files = {}
    for fmt in ("dpo", "kto", "sft"):
        files[fmt] = tmp_path / f"{fmt}.jsonl"
        assert write_jsonl(export_rows(built.db, domain="medical", fmt=fmt), files[fmt]) > 0
    for fmt, trainer_cls, config_cls in (("dpo", DPOTrainer, DPOConfig), ("kto", KTOTrainer, KTOConfig),
                                         ("sft", SFTTrainer, SFTConfig)):
        dataset = load_dataset("json", data_files=str(files[fmt]), split="train")
        model = AutoModelForCausalLM.from_pretrained(demo_model.model_dir)
        trainer = trainer_cls(model=model, args=config_cls(output_dir=str(tmp_path / fmt), **common),
                              train_dataset=dataset, processing_class=tokenizer)
        assert len(trainer.train_dataset) == len(dataset)
        # TRL tokenized every row through the chat template (input_ids, prompt_ids, chosen_ids, ...).
        assert any(c.endswith("_ids") for c in trainer.train_dataset.column_names), trainer.train_dataset.column_names
        result = trainer.train()  # one real optimisation step on the exported rows
        assert result.training_loss == result.training_loss  # not NaN
