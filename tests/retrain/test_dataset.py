"""Dataset snapshots: new rows since the parent's watermark, a replay share, a by-prompt held-out split."""

import json
import sqlite3
import time

from loraloop.feedback.store import FeedbackStore, SignalKind, SignalRecord
from loraloop.retrain.dataset import load_watermark, new_row_count, snapshot
from tests.retrain.scripted import write_scripted_feedback

ZERO = {"pairs": 0.0, "labels": 0.0}


def _snap(db, watermark=ZERO, **kwargs):
    return snapshot(db, "legal", watermark, **{"replay_share": 0.25, "eval_share": 0.15, "seed": 0, **kwargs})


def _contexts(rows):
    return {json.dumps(r["prompt"]) for r in rows}


def test_first_snapshot_takes_every_row_and_splits_by_prompt(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=40)
    snap = _snap(db)
    assert snap.new_pairs == 40 and snap.replayed == 0 and snap.pairs == 40
    assert len(snap.eval_pairs) == 6  # ceil(0.15 * 40) prompts held out, one pair each
    assert not _contexts(snap.train_pairs) & _contexts(snap.eval_pairs)
    # SFT rows: the chosen answers (a pair's chosen side and its thumbs-up label are one row), same split.
    assert snap.new_sft == 40 and _contexts(snap.eval_sft) == _contexts(snap.eval_pairs)
    assert all(r["chosen"].endswith("lawyer.") and len(r["rejected"]) > len(r["chosen"]) for r in snap.train_pairs)
    with sqlite3.connect(db) as conn:
        ids = {f"pairs:{i}" for (i,) in conn.execute("SELECT id FROM pairs")}
    assert ids <= set(snap.lineage)
    assert _snap(db).digest == snap.digest  # deterministic
    other = _snap(db, seed=1)
    assert _contexts(other.eval_pairs) != _contexts(snap.eval_pairs) and other.digest != snap.digest


def test_next_snapshot_takes_new_rows_and_replays_a_share_of_old_ones(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=40)
    first = _snap(db)
    mark = load_watermark({"dataset": {"watermark": first.watermark}})
    assert new_row_count(db, "legal", mark) == 0 and new_row_count(db, "legal", ZERO) == 40
    assert _snap(db, mark).new_pairs == 0
    time.sleep(0.01)
    write_scripted_feedback(db, "legal", limit=12, split="heldout")  # 12 new prompts, built later
    assert new_row_count(db, "legal", mark) == 12
    second = _snap(db, mark)
    assert second.new_pairs == 12 and second.pairs == 12 + 3  # round(0.25 * 12) old pairs replayed
    assert second.watermark["pairs"] > mark["pairs"]
    assert _snap(db, mark, replay_share=0.0).pairs == 12


def test_a_correction_becomes_an_sft_row(tmp_path):
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "legal", limit=4)
    store = FeedbackStore(db)
    try:
        answer = store.db.execute("SELECT id FROM responses LIMIT 1").fetchone()[0]
        store.write_batch([SignalRecord(response_id=answer, kind=SignalKind.CORRECTION,
                                        correction_text="Ask a court clerk; laws vary, so consult a lawyer.")])
    finally:
        store.close()
    from sqlite_utils import Database

    from loraloop.feedback.pairs import PairBuilder

    with sqlite3.connect(db) as conn:
        PairBuilder(Database(conn)).build()
    snap = _snap(db)
    texts = [r["completion"] for r in snap.train_sft + snap.eval_sft]
    assert "Ask a court clerk; laws vary, so consult a lawyer." in texts


def test_missing_database_or_other_domain_is_an_empty_snapshot(tmp_path):
    assert _snap(tmp_path / "none.sqlite").pairs == 0
    db = tmp_path / "f.sqlite"
    write_scripted_feedback(db, "finance", limit=5)
    assert _snap(db).pairs == 0 and new_row_count(db, "legal", ZERO) == 0
