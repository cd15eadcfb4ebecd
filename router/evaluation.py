"""How well a router routes held-out cases: per-domain precision / recall / F1, macro-F1, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from loraloop.router.intent import FALLBACK_DOMAIN, IntentRouter
from loraloop.router.training_data import Example

__all__ = ["DomainScore", "EvalReport", "evaluate", "format_report"]


@dataclass(frozen=True)
class DomainScore:
    """Precision, recall and F1 of one domain, and how many held-out cases it had (support)."""

    domain: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class EvalReport:
    """The router's scores on held-out cases; `confusion[i][j]` counts cases of labels[i] routed to labels[j]."""

    cases: int
    accuracy: float
    macro_f1: float
    fallback_rate: float
    per_domain: tuple[DomainScore, ...]
    labels: tuple[str, ...]
    confusion: tuple[tuple[int, ...], ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return asdict(self)


def evaluate(router: IntentRouter, examples: Sequence[Example]) -> EvalReport:
    """Route every example (its turns as a conversation) and score the routes against the labels.

    A fallback counts as routing to "general": that is what the user gets. Macro-F1 averages over the
    domains that occur as labels, so a domain the router predicts but the data lacks cannot pad it.
    """
    cases = [e for e in examples if e.routable]
    if not cases:
        raise ValueError("no held-out routing cases to evaluate")
    truth = [e.domain for e in cases]
    routes = [router.route(e.messages()) for e in cases]
    predicted = [r.domain for r in routes]
    base = {FALLBACK_DOMAIN} if FALLBACK_DOMAIN in router.domains else set()
    labels = tuple(sorted(set(truth) | set(predicted) | base))
    index = {label: i for i, label in enumerate(labels)}
    confusion = [[0] * len(labels) for _ in labels]
    for t, p in zip(truth, predicted):
        confusion[index[t]][index[p]] += 1
    scores = []
    for label in labels:
        i = index[label]
        tp = confusion[i][i]
        support = sum(confusion[i])
        routed_here = sum(row[i] for row in confusion)
        precision = tp / routed_here if routed_here else 0.0
        recall = tp / support if support else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores.append(DomainScore(label, precision, recall, f1, support))
    present = [s for s in scores if s.support]
    return EvalReport(cases=len(cases), accuracy=sum(t == p for t, p in zip(truth, predicted)) / len(cases),
                      macro_f1=sum(s.f1 for s in present) / len(present),
                      fallback_rate=sum(r.fallback for r in routes) / len(cases),
                      per_domain=tuple(scores), labels=labels, confusion=tuple(tuple(row) for row in confusion))


def format_report(report: EvalReport) -> str:
    """The report as aligned text tables: the scores per domain, then the confusion matrix."""
    width = max(12, *(len(label) + 2 for label in report.labels))
    lines = [f"{'domain':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'support':>10}"]
    for s in report.per_domain:
        lines.append(f"{s.domain:<{width}}{s.precision:>10.3f}{s.recall:>10.3f}{s.f1:>10.3f}{s.support:>10}")
    lines.append(f"{'macro avg':<{width}}{'':>10}{'':>10}{report.macro_f1:>10.3f}{report.cases:>10}")
    lines.append(f"accuracy {report.accuracy:.3f}, fallback to base {report.fallback_rate:.1%} of {report.cases} cases")
    lines.append("")
    lines.append("confusion (rows: true domain, columns: routed to)")
    lines.append(f"{'':<{width}}" + "".join(f"{label:>{width}}" for label in report.labels))
    for label, row in zip(report.labels, report.confusion):
        lines.append(f"{label:<{width}}" + "".join(f"{n:>{width}}" for n in row))
    return "\n".join(lines)
