"""RouterConfig: defaults are valid, every bad value is refused with the field named, the file path resolves."""

from __future__ import annotations

from pathlib import Path

import pytest

from loraloop.config import RouterConfig


@pytest.mark.parametrize("field, value", [
    ("min_confidence", -0.1), ("min_confidence", 1.5),
    ("follow_up_margin", -0.01), ("follow_up_margin", 2.0),
    ("context_weight", 1.0), ("context_weight", -0.5),
    ("context_turns", -1),
    ("max_chars", 0), ("max_chars", 15),
    ("cache_turns", -1),
    ("heldout_share", 0.0), ("heldout_share", 0.75),
    ("min_examples_per_domain", 1),
    ("classifier", "svm"), ("classifier", "my.module"), ("classifier", "my.module:"),
])
def test_bad_values_name_the_field(field, value):
    with pytest.raises(ValueError, match=f"^{field}="):
        RouterConfig(**{field: value})


@pytest.mark.parametrize("classifier", ["ngram", "mypkg.intent:Classifier", "tests.router.x:Y"])
def test_classifier_kinds(classifier):
    assert RouterConfig(classifier=classifier).classifier == classifier


def test_router_file_defaults_under_home(tmp_path, monkeypatch):
    assert RouterConfig().router_file(tmp_path) == tmp_path / "router" / "router.joblib"
    assert RouterConfig(path="/x/r.joblib").router_file(tmp_path) == Path("/x/r.joblib")
    monkeypatch.setenv("LORALOOP_HOME", str(tmp_path / "home"))
    assert RouterConfig().router_file() == tmp_path / "home" / "router" / "router.joblib"
