"""Router training data: the demo corpus split, user JSONL / YAML files, and a clear error for each bad input."""

from __future__ import annotations

import json
import re
from collections import Counter

import pytest

from loraloop.config import RouterConfig
from loraloop.demo.data import load_corpus
from loraloop.errors import RouterError
from loraloop.router.training_data import demo_data, load_data
from tests.router.intent_helpers import SMALL, small_rows, write_jsonl


def test_demo_data_keeps_the_corpus_split_by_conversation():
    data = demo_data()
    heldout_ids = {r["id"] for r in load_corpus("heldout")}
    assert {e.where.split(" ")[0] for e in data.heldout} == heldout_ids
    assert not any(e.where.split(" ")[0] in heldout_ids for e in data.train)
    assert all(e.routable for e in data.heldout)
    # every user turn of a held-out conversation is a case, with the turns before it as context
    user_turns = sum(m["role"] == "user" for r in load_corpus("heldout") for m in r["messages"])
    assert len(data.heldout) == user_turns
    assert any(len(e.turns) == 2 for e in data.heldout)
    # answers are extra training text, never routing cases
    assert any(not e.routable for e in data.train)
    assert data.domains == ("finance", "general", "legal", "medical")


def test_jsonl_rows_are_split_per_domain_by_the_seed(tmp_path):
    path = write_jsonl(tmp_path / "data.jsonl", small_rows())
    data = load_data(path, RouterConfig(heldout_share=0.25, seed=3))
    assert Counter(e.domain for e in data.heldout) == {d: 2 for d in SMALL}
    assert Counter(e.domain for e in data.train) == {d: 6 for d in SMALL}
    assert {e.text for e in data.train} | {e.text for e in data.heldout} == {t for ts in SMALL.values() for t in ts}
    assert load_data(path, RouterConfig(heldout_share=0.25, seed=3)) == data
    assert load_data(path, RouterConfig(heldout_share=0.25, seed=4)).heldout != data.heldout
    assert data.heldout[0].where.startswith(f"{path}:")


def test_jsonl_split_field_and_conversations(tmp_path):
    rows = small_rows(split="train")
    rows[0]["split"] = "heldout"
    rows.append({"messages": [{"role": "user", "content": "my back hurts"},
                              {"role": "assistant", "content": "Medically speaking, rest helps."},
                              {"role": "user", "content": "for how long?"}],
                 "domain": "medical", "split": "heldout"})
    data = load_data(write_jsonl(tmp_path / "data.jsonl", rows))
    assert [e.turns for e in data.heldout] == [(SMALL["medical"][0],), ("my back hurts",),
                                               ("my back hurts", "for how long?")]
    assert len(data.train) == len(rows) - 2


def test_yaml_mapping_and_list_forms(tmp_path):
    import yaml

    mapping = tmp_path / "by_domain.yaml"
    mapping.write_text(yaml.safe_dump(SMALL, allow_unicode=True), encoding="utf-8")
    listed = tmp_path / "rows.yml"
    listed.write_text(yaml.safe_dump(small_rows(), allow_unicode=True), encoding="utf-8")
    a, b = load_data(mapping), load_data(listed)
    assert a.domains == b.domains == tuple(sorted(SMALL))
    assert sorted(e.text for e in a.train + a.heldout) == sorted(e.text for e in b.train + b.heldout)


def _error(tmp_path, name: str, content: str, config: RouterConfig = RouterConfig()) -> str:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RouterError) as info:
        load_data(path, config)
    return str(info.value)


def _lines(rows) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(RouterError, match=r"nope.jsonl: no such file"):
        load_data(tmp_path / "nope.jsonl")
    assert "expected a .jsonl, .yaml or .yml file" in _error(tmp_path, "data.csv", "text,domain\n")


@pytest.mark.parametrize("bad_row, message", [
    ("{not json", r"data.jsonl:3: not valid JSON"),
    ('["a list"]', r"data.jsonl:3: expected an object with 'text'"),
    ('{"text": "hello"}', r"data.jsonl:3: missing field 'domain'"),
    ('{"domain": "medical"}', r"data.jsonl:3: missing field 'text'"),
    ('{"text": "   ", "domain": "medical"}', r"data.jsonl:3: field 'text' must be a non-empty string"),
    ('{"text": 7, "domain": "medical"}', r"data.jsonl:3: field 'text' must be a non-empty string"),
    ('{"text": "hi", "domain": 3}', r"data.jsonl:3: field 'domain' must be a string"),
    ('{"text": "hi", "domain": "Medical!"}', r"data.jsonl:3: field 'domain' = 'Medical!' is not a domain name"),
    ('{"text": "hi", "domain": "base"}', r"data.jsonl:3: field 'domain' = 'base' is not a domain name"),
    ('{"text": "hi", "domain": "medical@v2"}', r"field 'domain' = 'medical@v2' is not a domain name"),
    ('{"text": "hi", "domain": "medical", "split": "test"}', r"data.jsonl:3: field 'split' = 'test'"),
    ('{"messages": [], "domain": "medical"}', r"data.jsonl:3: field 'messages' must be a non-empty list"),
    ('{"messages": [{"role": "bot", "content": "x"}], "domain": "medical"}', r"data.jsonl:3: messages\[0\]"),
    ('{"messages": [{"role": "assistant", "content": "x"}], "domain": "medical"}', r"no non-empty user message"),
])
def test_each_bad_jsonl_row_names_its_line_and_field(tmp_path, bad_row, message):
    rows = small_rows()
    text = _lines([*rows[:2], bad_row, *rows[2:]])
    assert re.search(message, _error(tmp_path, "data.jsonl", text))


def test_blank_lines_are_skipped_and_an_empty_file_is_an_error(tmp_path):
    load_data(write_jsonl(tmp_path / "ok.jsonl", [*small_rows(), "", "   "]))
    assert "no labeled examples" in _error(tmp_path, "empty.jsonl", "\n\n")


def test_yaml_errors_name_the_line_or_item(tmp_path):
    bad_yaml = "medical:\n  - fine\nfinance: x: y\n"
    assert "data.yaml:3: not valid YAML (mapping values" in _error(tmp_path, "data.yaml", bad_yaml)
    assert "expected a list of {text, domain} items or a mapping" in _error(tmp_path, "data.yaml", "just text\n")
    assert "domain 'medical': expected a list of example texts" in _error(tmp_path, "data.yaml", "medical: 3\n")
    assert "domain 'medical' item 1: field 'text' must be a non-empty string" in _error(
        tmp_path, "data.yaml", "medical: [ok, '']\nfinance: [a]\n")
    assert "item 0: missing field 'domain'" in _error(tmp_path, "data.yaml", "- text: hello\n")


def test_too_few_examples_says_how_many_are_needed(tmp_path):
    rows = [r for r in small_rows() if r["domain"] != "finance"] + small_rows()[8:11]  # 3 finance rows
    message = _error(tmp_path, "data.jsonl", _lines(rows))
    assert "'finance' has 3" in message and "at least 5" in message and "min_examples_per_domain" in message
    load_data(write_jsonl(tmp_path / "ok.jsonl", rows), RouterConfig(min_examples_per_domain=3))


def test_one_domain_is_not_enough(tmp_path):
    message = _error(tmp_path, "data.jsonl", _lines(r for r in small_rows() if r["domain"] == "medical"))
    assert "only one domain ('medical')" in message and "at least two" in message


def test_a_domain_held_out_entirely_has_nothing_to_train_on(tmp_path):
    rows = [dict(r, split="heldout") if r["domain"] == "finance" else r for r in small_rows()]
    assert "no training examples for ['finance']" in _error(tmp_path, "data.jsonl", _lines(rows))


def test_non_utf8_file(tmp_path):
    path = tmp_path / "data.jsonl"
    path.write_bytes(b'{"text": "\xff\xfe", "domain": "medical"}\n')
    with pytest.raises(RouterError, match="cannot read it as UTF-8"):
        load_data(path)
