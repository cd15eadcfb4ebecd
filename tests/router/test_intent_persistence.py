"""Saving and loading the router, and `ensure_router` for the server's start."""

from __future__ import annotations

import dataclasses

import joblib
import pytest

from loraloop.config import RouterConfig
from loraloop.errors import RouterError
from loraloop.router.intent import FORMAT_VERSION, IntentRouter, ensure_router
from tests.router.intent_helpers import demo_router


def test_save_and_load_give_identical_routes_and_scores(tmp_path):
    router, report, data = demo_router()
    path = router.save(tmp_path / "sub" / "router.joblib")
    assert [p.name for p in path.parent.iterdir()] == ["router.joblib"]  # no temporary file left behind
    loaded = IntentRouter.load(path)
    assert loaded.domains == router.domains
    assert loaded.metadata["heldout_macro_f1"] == pytest.approx(report.macro_f1, abs=1e-4)
    assert loaded.metadata["source"] == "demo corpus" and "saved_at" in loaded.metadata
    for example in data.heldout:
        assert loaded.route(example.messages()) == router.route(example.messages())
        assert loaded.scores(example.text) == router.scores(example.text)


def test_the_routing_rules_come_from_the_config_not_the_file(tmp_path):
    router, _, data = demo_router()
    path = router.save(tmp_path / "router.joblib")
    strict = IntentRouter.load(path, RouterConfig(min_confidence=0.99))
    assert strict.config.min_confidence == 0.99
    unsure = [e for e in data.heldout if not router.route(e.messages()).fallback
              and router.route(e.messages()).confidence < 0.99]
    assert unsure
    assert all(strict.route(e.messages()).fallback for e in unsure)


def test_loading_a_missing_file_names_it_and_says_how_to_make_one(tmp_path):
    with pytest.raises(RouterError, match=r"missing.joblib: no router file \(train one with `loraloop router train"):
        IntentRouter.load(tmp_path / "missing.joblib")


def test_loading_a_corrupt_file_names_it(tmp_path):
    path = tmp_path / "router.joblib"
    path.write_bytes(b"\x80\x04 this is not a pickle")
    with pytest.raises(RouterError, match=f"{path}: not a readable router file"):
        IntentRouter.load(path)


def test_loading_a_truncated_file_names_it(tmp_path):
    router, _, _ = demo_router()
    path = router.save(tmp_path / "router.joblib")
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(RouterError, match=f"{path}: not a readable router file"):
        IntentRouter.load(path)


def test_loading_another_pickle_or_another_format_version_is_refused(tmp_path):
    router, _, _ = demo_router()
    other = tmp_path / "other.joblib"
    joblib.dump({"weights": [1, 2, 3]}, other)
    with pytest.raises(RouterError, match=f"{other}: not a loraloop router file"):
        IntentRouter.load(other)
    future = tmp_path / "future.joblib"
    joblib.dump({"format": "loraloop-router", "format_version": FORMAT_VERSION + 1, "domains": list(router.domains),
                 "metadata": {}, "classifier": router._classifier}, future)
    with pytest.raises(RouterError, match=f"{future}: router format version {FORMAT_VERSION + 1}.*retrain"):
        IntentRouter.load(future)


def test_ensure_router_trains_on_the_demo_corpus_once_then_loads(tmp_path):
    config = RouterConfig()
    router = ensure_router(config, home=tmp_path)
    path = tmp_path / "router" / "router.joblib"
    assert path.is_file()
    assert router.metadata["heldout_macro_f1"] >= 0.9
    saved_at = IntentRouter.load(path).metadata["saved_at"]
    again = ensure_router(config, home=tmp_path)
    assert again.metadata["saved_at"] == saved_at  # loaded, not retrained
    # deterministic: a fresh training routes exactly like the session's router
    reference, _, data = demo_router()
    assert [again.route(e.messages()) for e in data.heldout] == [reference.route(e.messages()) for e in data.heldout]


def test_ensure_router_never_replaces_a_broken_file(tmp_path):
    path = tmp_path / "router.joblib"
    path.write_bytes(b"garbage")
    with pytest.raises(RouterError, match="not a readable router file"):
        ensure_router(dataclasses.replace(RouterConfig(), path=str(path)))
    assert path.read_bytes() == b"garbage"
