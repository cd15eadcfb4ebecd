"""Prompt pools come from the corpus's held-out split, and the evaluation prompts are never in the users' pool."""

from __future__ import annotations

import pytest

from loraloop.demo.data import load_corpus
from loraloop.simulate.prompts import GENERIC_FOLLOW_UPS, MAX_FOLLOW_UPS, prompt_pools


def test_pools_are_held_out_and_disjoint():
    pools = prompt_pools("finance", eval_share=0.3, seed=0)
    trained_on = {r["messages"][0]["content"] for r in load_corpus("train") if r["domain"] == "finance"}
    ids = [i.id for i in pools.pool + pools.evaluation]
    assert len(ids) == len(set(ids)) == sum(r["domain"] == "finance" for r in load_corpus("heldout"))
    assert {i.id for i in pools.pool}.isdisjoint(i.id for i in pools.evaluation)
    assert all(i.id.startswith("finance-") for i in pools.pool + pools.evaluation)
    assert all(i.text not in trained_on or i.id not in {r["id"] for r in load_corpus("train")} for i in pools.pool)
    assert 0.25 < len(pools.evaluation) / len(ids) < 0.4
    assert all(len(i.follow_ups) == MAX_FOLLOW_UPS and all(i.follow_ups) for i in pools.pool)
    # A held-out conversation's own later questions come first: three-turn ones give both follow-ups.
    records = {r["id"]: r for r in load_corpus("heldout")}
    three = [i for i in pools.pool + pools.evaluation if len(records[i.id]["messages"]) == 6]
    assert three and all(i.follow_ups == (records[i.id]["messages"][2]["content"], records[i.id]["messages"][4]["content"])
                         for i in three)
    one = next(i for i in pools.pool if len(records[i.id]["messages"]) == 2)
    assert one.follow_ups == GENERIC_FOLLOW_UPS[one.lang]


def test_the_split_is_seeded():
    a, b = prompt_pools("legal", eval_share=0.3, seed=1), prompt_pools("legal", eval_share=0.3, seed=1)
    assert a == b
    assert prompt_pools("legal", eval_share=0.3, seed=2).evaluation != a.evaluation


def test_unknown_domain_is_refused():
    with pytest.raises(ValueError, match="domain='astrology'"):
        prompt_pools("astrology", eval_share=0.3, seed=0)
