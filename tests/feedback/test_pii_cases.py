"""The scrubber against the labelled case file: recall per kind, and no false positive on the numeric controls."""

import pytest

from loraloop.feedback.pii import scrub_text
from tests.feedback.pii_cases import load, score


@pytest.fixture(scope="module")
def result():
    return score(scrub_text)


def test_case_file_is_big_enough_and_bilingual():
    positives, controls = load()
    assert len(positives) >= 250 and len(controls) >= 150
    kinds = {c["kind"] for c in positives}
    assert kinds == {"email", "phone", "card", "iban", "ip", "id", "address", "name"}
    for kind in kinds:
        texts = [c["text"] for c in positives if c["kind"] == kind]
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), f"no Chinese {kind} case"


def test_recall_is_at_least_95_percent_overall(result):
    assert result.recall() >= 0.95, result.report()


def test_recall_is_at_least_90_percent_for_every_kind(result):
    low = {kind: round(result.recall(kind), 3) for kind in result.total if result.recall(kind) < 0.90}
    assert not low, result.report()


def test_no_control_is_touched(result):
    assert not result.false_positives, result.report()


def test_text_around_the_pii_survives(result):
    assert not result.lost, result.report()
