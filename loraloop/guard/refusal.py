"""How the guard gate tells a refusal from an answer: the demo's fixed style, patterns, or an operator's hook.

The demo model refuses in one style (REFUSAL_OPENERS), so its refusals are recognised by their first words.
A real model refuses in many ways, so `RetrainConfig` offers two hooks:
- `refusal_patterns`: regular expressions; an answer whose start (after whitespace) matches one refuses;
- `refusal_detector`: `"package.module:function"`, a function of the answer text returning True for a refusal
  (a classifier, say). It wins over the patterns.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Sequence

from loraloop.guard.cases import is_demo_refusal

__all__ = ["RefusalDetectorError", "check_refusal_patterns", "refusal_detector"]

Detector = Callable[[str], bool]


class RefusalDetectorError(ValueError):
    """The configured refusal hook cannot be used; the message is one line naming the field."""


def check_refusal_patterns(patterns: Sequence[str]) -> list[re.Pattern[str]]:
    """The patterns compiled; RefusalDetectorError naming the first bad one by its place in the list."""
    compiled = []
    for i, pattern in enumerate(patterns):
        if not isinstance(pattern, str) or not pattern:
            raise RefusalDetectorError(f"item {i}: expected a non-empty regular expression")
        try:
            compiled.append(re.compile(pattern, re.IGNORECASE))
        except re.error as e:
            raise RefusalDetectorError(f"item {i}: {pattern!r} is not a regular expression ({e})") from None
    return compiled


def _import_detector(spec: str) -> Detector:
    module_name, sep, attr = spec.partition(":")
    if not sep or not module_name or not attr:
        raise RefusalDetectorError(f"refusal_detector: {spec!r}: expected 'package.module:function'")
    try:
        module = importlib.import_module(module_name)
    except Exception as e:  # whatever the operator's module raises, said in one line
        raise RefusalDetectorError(f"refusal_detector: cannot import {module_name!r}: {type(e).__name__}: {e}") from None
    found = getattr(module, attr, None)
    if not callable(found):
        raise RefusalDetectorError(f"refusal_detector: {module_name!r} has no function {attr!r}")
    return found


def refusal_detector(patterns: Sequence[str] = (), detector: str = "") -> Detector:
    """The function that tells whether an answer refuses: the hook, else the patterns, else the demo's style."""
    if detector:
        hook = _import_detector(detector)
        return lambda text: bool(hook(text))
    compiled = check_refusal_patterns(patterns)
    if not compiled:
        return is_demo_refusal
    return lambda text: any(p.match(text.lstrip()) for p in compiled)
