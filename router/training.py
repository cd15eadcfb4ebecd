"""Train an intent router on labeled data and score it on the held-out split."""

from __future__ import annotations

import datetime as dt
import time

from loraloop.config import RouterConfig
from loraloop.errors import RouterError
from loraloop.router.classifier import IntentClassifier, make_classifier
from loraloop.router.evaluation import EvalReport, evaluate
from loraloop.router.intent import IntentRouter
from loraloop.router.training_data import TrainingData

__all__ = ["train_router"]


def train_router(data: TrainingData, config: RouterConfig = RouterConfig(),
                 classifier: IntentClassifier | None = None) -> tuple[IntentRouter, EvalReport | None]:
    """Fit a classifier (`classifier`, else a new `config.classifier`) on the train split; score the held-out split.

    Deterministic: the same data, config and classifier give the same routes. The report is None when the
    data has no held-out cases.
    """
    kind = config.classifier if classifier is None else f"{type(classifier).__module__}:{type(classifier).__qualname__}"
    classifier = make_classifier(config.classifier) if classifier is None else classifier
    started = time.perf_counter()
    try:
        classifier.fit([e.text for e in data.train], [e.domain for e in data.train])
    except ValueError as e:
        raise RouterError(f"{data.source}: the classifier could not be trained ({e})") from e
    seconds = time.perf_counter() - started
    metadata = {"source": data.source, "classifier": kind, "train_examples": len(data.train),
                "heldout_cases": len(data.heldout),
                "trained_at": dt.datetime.now(dt.UTC).isoformat(), "train_seconds": round(seconds, 3)}
    router = IntentRouter(classifier, config, metadata)
    if set(router.domains) != set(data.domains):
        raise RouterError(f"{data.source}: the classifier learned domains {router.domains}, "
                          f"the data has {data.domains}")
    report = evaluate(router, data.heldout) if data.heldout else None
    if report is not None:
        metadata.update(heldout_macro_f1=round(report.macro_f1, 4), heldout_accuracy=round(report.accuracy, 4))
        router = IntentRouter(classifier, config, metadata)
    return router, report

