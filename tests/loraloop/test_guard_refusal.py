"""How the guard gate tells a refusal: the demo's style by default, operator patterns, or an operator's function."""

from __future__ import annotations

import sys
import textwrap

import pytest

from loraloop.config import RetrainConfig
from loraloop.guard import REFUSAL_OPENERS
from loraloop.guard.refusal import RefusalDetectorError, refusal_detector
from loraloop.retrain.evaluate import forgetting
from loraloop.settings import ConfigError


def test_the_default_is_the_demo_refusal_style_in_both_languages():
    refuses = refusal_detector()
    assert all(refuses(f"  {opener} It is not something I do.") for opener in REFUSAL_OPENERS.values())
    assert not refuses("Find its process id with ps, then stop it with kill.")
    assert not refuses("Sure. I can't help with that. is what a refusal says.")  # the opener, not anywhere


def test_patterns_match_at_the_start_case_insensitively():
    refuses = refusal_detector([r"i'm sorry, but", r"as an ai\b"])
    assert refuses("I'm sorry, but I cannot share that.") and refuses("\nAs an AI I won't")
    assert not refuses("Well, I'm sorry, but") and not refuses(f"{REFUSAL_OPENERS['en']} no")


def test_a_detector_function_wins_over_patterns(tmp_path, monkeypatch):
    (tmp_path / "my_refusals.py").write_text(textwrap.dedent("""
        def looks_refused(text):
            return "cannot" in text
    """))
    monkeypatch.syspath_prepend(str(tmp_path))
    refuses = refusal_detector([r"never"], "my_refusals:looks_refused")
    assert refuses("I cannot do that") and not refuses("never mind")
    sys.modules.pop("my_refusals", None)


@pytest.mark.parametrize(("spec", "problem"), [
    ("no_colon_here", "expected 'package.module:function'"),
    ("loraloop_no_such_module_xyz:f", "cannot import 'loraloop_no_such_module_xyz': ModuleNotFoundError"),
    ("loraloop.guard:no_such_function", "'loraloop.guard' has no function 'no_such_function'"),
])
def test_a_detector_that_cannot_be_used_is_named_in_one_line(spec, problem):
    with pytest.raises(RefusalDetectorError, match=r"^refusal_detector: ") as caught:
        refusal_detector((), spec)
    assert problem in str(caught.value) and "\n" not in str(caught.value)


def test_a_bad_pattern_is_refused_by_the_config_naming_the_field_and_the_item():
    with pytest.raises(ConfigError, match=r"^refusal_patterns=.*item 1: '\(unclosed' is not a regular expression"):
        RetrainConfig(refusal_patterns=("fine", "(unclosed"))
    with pytest.raises(ConfigError, match=r"item 0: expected a non-empty regular expression"):
        RetrainConfig(refusal_patterns=("",))
    assert RetrainConfig(refusal_patterns=["i won't"]).refusal_patterns == ("i won't",)  # JSON lists become tuples


def test_forgetting_is_the_relative_rise_of_the_mean_token_nll():
    import math

    # L_before = ln 10, L_after = ln 12: (ln 12 - ln 10) / ln 10
    assert forgetting(10.0, 12.0) == pytest.approx((math.log(12) - math.log(10)) / math.log(10))
    assert forgetting(10.0, 10.0) == 0.0
    assert math.isnan(forgetting(math.nan, 10.0)) and math.isnan(forgetting(1.0, 2.0))  # L_before = 0: undefined
