"""The pluggable classifier interface, and the default n-gram classifier on its own."""

from __future__ import annotations

import math
from collections import Counter, defaultdict

import numpy as np
import pytest

from loraloop.config import RouterConfig
from loraloop.errors import RouterError
from loraloop.router.classifier import NgramClassifier, make_classifier
from loraloop.router.evaluation import evaluate
from loraloop.router.intent import IntentRouter
from loraloop.router.training import train_router
from loraloop.router.training_data import load_data
from tests.router.intent_helpers import SMALL, small_rows, turns, write_jsonl


class WordVoteClassifier:
    """A tiny multinomial naive Bayes over lowercase words: a real, different classifier to plug in."""

    def __init__(self) -> None:
        self.classes: tuple[str, ...] = ()
        self._counts: dict[str, Counter[str]] = {}

    def fit(self, texts, labels):
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for text, label in zip(texts, labels):
            counts[label].update(text.lower().split())
        self.classes = tuple(sorted(counts))
        self._counts = dict(counts)
        return self

    def predict_proba(self, texts):
        vocab = len(set().union(*self._counts.values()))
        out = []
        for text in texts:
            logp = np.array([sum(math.log((self._counts[c][w] + 1) / (sum(self._counts[c].values()) + vocab))
                                 for w in text.lower().split()) for c in self.classes])
            p = np.exp(logp - logp.max())
            out.append(p / p.sum())
        return np.array(out)


class NotAClassifier:
    """Has neither fit nor predict_proba."""


def test_another_classifier_plugs_into_training_routing_evaluation_and_saving(tmp_path):
    data = load_data(write_jsonl(tmp_path / "data.jsonl", small_rows()), RouterConfig(heldout_share=0.25))
    router, report = train_router(data, RouterConfig(), classifier=WordVoteClassifier())
    assert router.metadata["classifier"] == f"{__name__}:WordVoteClassifier"
    assert router.domains == ("finance", "general", "medical")
    # the naive Bayes' own behaviour: a word seen only in one domain's examples decides the route
    assert router.route(turns("pancakes")).domain == "general"
    assert router.route(turns("mortgage")).domain == "finance"
    scores = router.scores("fever")
    assert max(scores, key=scores.get) == "medical"
    assert report is not None and report.cases == len(data.heldout)
    assert evaluate(router, data.heldout) == report
    loaded = IntentRouter.load(router.save(tmp_path / "nb.joblib"))
    assert isinstance(loaded._classifier, WordVoteClassifier)
    assert loaded.route(turns("pancakes")) == router.route(turns("pancakes"))


def test_config_picks_a_classifier_by_import_path(tmp_path):
    config = RouterConfig(classifier=f"{__name__}:WordVoteClassifier", heldout_share=0.25)
    data = load_data(write_jsonl(tmp_path / "data.jsonl", small_rows()), config)
    router, _ = train_router(data, config)
    assert router.metadata["classifier"] == config.classifier
    assert router.route(turns("pancakes")).domain == "general"


def test_make_classifier_errors_are_clear():
    assert isinstance(make_classifier("ngram"), NgramClassifier)
    with pytest.raises(RouterError, match="cannot import it"):
        make_classifier("no_such_package.module:Thing")
    with pytest.raises(RouterError, match="cannot import it"):
        make_classifier(f"{__name__}:Missing")
    with pytest.raises(RouterError, match="NotAClassifier has no fit or predict_proba method"):
        make_classifier(f"{__name__}:NotAClassifier")


def test_a_router_needs_a_fitted_classifier():
    with pytest.raises(RouterError, match="is it fitted"):
        IntentRouter(WordVoteClassifier())


def test_ngram_probabilities_are_distributions_over_the_classes():
    texts = [t for ts in SMALL.values() for t in ts]
    labels = [d for d, ts in SMALL.items() for _ in ts]
    clf = NgramClassifier().fit(texts, labels)
    assert clf.classes == tuple(sorted(SMALL))
    probs = clf.predict_proba([*texts, "", "ᚠᚢᚦ"])
    assert probs.shape == (len(texts) + 2, 3)
    assert np.allclose(probs.sum(axis=1), 1.0) and (probs > 0).all()
    train_accuracy = np.mean([clf.classes[i] for i in probs[:len(texts)].argmax(axis=1)] == np.array(labels))
    assert train_accuracy >= 0.95
    assert np.allclose(probs[-1], probs[-2])  # two texts with no known n-gram both get the prior


def test_ngram_reads_chinese_and_handles_two_classes():
    medical = ["我头疼了三天", "感冒发烧怎么办", "孩子咳嗽很厉害", "牙疼睡不着", "胃疼吃什么药", "最近总是失眠"]
    finance = ["基金怎么买", "房贷利率上涨", "信用卡还款", "工资怎么存钱", "股票风险大吗", "养老金怎么交"]
    clf = NgramClassifier().fit(medical + finance, ["medical"] * 6 + ["finance"] * 6)
    assert clf.classes == ("finance", "medical")
    probs = clf.predict_proba(["头疼发烧", "买基金"])
    assert probs[0, 1] > 0.5 > probs[1, 1]


def test_ngram_refuses_bad_input():
    with pytest.raises(ValueError, match="at least two distinct labels"):
        NgramClassifier().fit(["a", "b"], ["x", "x"])
    with pytest.raises(ValueError, match="2 texts but 1 labels"):
        NgramClassifier().fit(["a", "b"], ["x"])
    with pytest.raises(ValueError, match="char_ngrams"):
        NgramClassifier(char_ngrams=(3, 2))
    with pytest.raises(RuntimeError, match="before fit"):
        NgramClassifier().predict_proba(["a"])
