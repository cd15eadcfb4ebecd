"""Phone numbers in free text for the PII scrubber, found by Google's libphonenumber (`phonenumbers`, as Presidio does).

Owns which numbers count as phones; replacing them is `feedback/pii.py`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import phonenumbers
from phonenumbers import Leniency, PhoneNumberMatcher

# libphonenumber compiles its metadata patterns on use and relies on re's cache of 512, which three regions'
# patterns overflow; this keeps them all (a few hundred small patterns).
phonenumbers.enable_pattern_cache()

__all__ = ["REGIONS", "phone_spans"]

# National formats ("010-12345678", "(415) 555-2671", "020 7946 0958") are read as numbers of these regions; a
# number written with its country code ("+49 30 123456", "0044 20 ...") is found whatever the list.
REGIONS = ("CN", "US", "GB")

_F = re.ASCII

# The matcher is pure Python and costs about a tenth of a millisecond per number it tries, so it runs only on
# windows around runs of digits (separators allowed) that could hold a number of the regions, with enough text
# either side for its own checks (a letter before, a time after), and per run only in the regions whose national
# numbers can start that way. A national number has at least nine digits and a group of three or more
# ("04 11 23 35 42" is not one); a run that opens with a year and month is a date ("2023-12-01 12:30").
_RUN = re.compile(r"(?:[(（]?\+|[(（])?\d(?:[ ()（）./-]{0,3}\d)+[)）]?", _F)
_MIN_DIGITS = {"+": 7, "national": 9}
_GROUP_OF_THREE = re.compile(r"\d{3}", _F)
_DATE_START = re.compile(r"\(?(?:19|20)\d\d[-/.](?:0?[1-9]|1[0-2])[-/.]", _F)
_MARGIN = 8
_REGIONS_FOR = {"+": ("CN",), "0": ("CN", "GB"), "": ("CN", "US")}  # by how the run starts: "+", "00"/"0", else

# STRICT_GROUPING is VALID (the number fits the region's numbering plan, which keeps order numbers, timestamps and
# ISBNs out) plus a check that the digits are grouped the way the region writes them, which keeps out lottery
# draws ("04 11 23 35 42 07" is a valid Dalian number). Fictional ranges such as UK drama numbers (+44 7700 900xxx,
# 01632 960xxx) fail VALID; they are taken when written in international form or after a word that says they are
# phones ("tel. 01632 960123"), if their length is possible for their country.
_LENIENCY = Leniency.STRICT_GROUPING
_NATIONAL_LENGTHS = (10, 12)  # digits of a national number of the regions written with its trunk prefix or area code
_PLUS = re.compile(r"\+(?<![\w+].)\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?!\w)", _F)
_KEYWORD = re.compile(
    r"(?i:\b(?:tel|phone|telephone|call|mobile|cell|fax|ring|text|whatsapp|hotline)\b)\.?:?"
    r"|电话|電話|手机|手機|座机|传真|致电|拨打|联系方式|联系电话")
_AFTER_KEYWORD = re.compile(r"[^\d\n+(]{0,16}?(\(?\d(?:[ ()./-]{0,3}\d){6,14})(?![\w-])", _F)

# A number right after one of these words is a reference, not a phone: "INV-2023-004512", "ISBN 7-111-54742-3".
_NOT_A_PHONE_BEFORE = re.compile(
    r"(?:(?i:\b(?:isbn(?:-1[03])?|issn|order|invoice|inv|tracking|ref|reference|sku|po|case|serial|sn|batch|lot|"
    r"version|build|model|part)\b)|订单号?|单号|流水号|编号|批次号?|版本号?|型号)[\s#:：.-]*(?:no\.?|number|id)?[\s#:：.-]*\Z"
    r"|[A-Za-z][-#_/]\Z|#\s*\Z")
_COUNTRY_CODE_BEFORE = re.compile(r"(?:\+\d{1,3}[ .-]?|\(\+\d{1,3}\) ?)\Z", _F)
_LOOKBACK = 24

_Span = tuple[int, int]


def _possible(number: str, region: str | None) -> bool:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_possible_number(parsed)


def _digits(s: str) -> int:
    return sum(ch.isdigit() for ch in s)


def _international(text: str) -> Iterator[_Span]:
    """"+" numbers of a possible length for their country, cut back at a separator when run on into another number."""
    for m in _PLUS.finditer(text):
        s = m.group()
        ends = [i for i, ch in enumerate(s) if ch in " .-"] + [len(s)]
        for end in reversed(ends):
            if 8 <= _digits(s[:end]) <= 15 and _possible(s[:end], None):
                yield m.start(), m.start() + end
                break


def _after_keyword(text: str) -> Iterator[_Span]:
    for k in _KEYWORD.finditer(text):
        m = _AFTER_KEYWORD.match(text, k.end())
        if (m and not _NOT_A_PHONE_BEFORE.search(text, max(0, m.start(1) - _LOOKBACK), m.start(1))
                and _NATIONAL_LENGTHS[0] <= _digits(m.group(1)) <= _NATIONAL_LENGTHS[1]
                and any(_possible(m.group(1), region) for region in REGIONS)):
            yield m.span(1)


def _windows(text: str) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, regions) around each run of digits long enough to be a phone; neighbouring runs share one."""
    windows: list[tuple[int, int, tuple[str, ...]]] = []
    for m in _RUN.finditer(text):
        run = m.group()
        first = run.lstrip("(（")[0]
        if first == "+":
            if _digits(run) < _MIN_DIGITS["+"]:
                continue
        elif _digits(run) < _MIN_DIGITS["national"] or not _GROUP_OF_THREE.search(run) or _DATE_START.match(run):
            continue
        regions = _REGIONS_FOR.get(first if first in "+0" else "", _REGIONS_FOR[""])
        start, end = max(0, m.start() - _MARGIN), m.end() + _MARGIN
        if windows and start <= windows[-1][1]:
            prev = windows[-1]
            windows[-1] = (prev[0], end, tuple(dict.fromkeys(prev[2] + regions)))
        else:
            windows.append((start, end, regions))
    return windows


def _matched(text: str, windows: list[tuple[int, int, tuple[str, ...]]]) -> Iterator[_Span]:
    for lo, hi, regions in windows:
        window = text[lo:hi]
        for region in regions:
            for m in PhoneNumberMatcher(window, region, leniency=_LENIENCY):
                start, end = lo + m.start, lo + m.end
                before = text[max(0, start - _LOOKBACK):start]
                if _NOT_A_PHONE_BEFORE.search(before):
                    continue
                # "+1 (555) 123-4567" is matched from the parenthesis when the whole is not valid; take the code too.
                code = _COUNTRY_CODE_BEFORE.search(before)
                yield start - (len(code.group()) if code else 0), end


def phone_spans(text: str) -> list[_Span]:
    """Spans of the phone numbers in text, in no particular order; they may overlap."""
    windows = _windows(text)
    if not windows:
        return []
    found = list(_matched(text, windows))
    if "+" in text:
        found += _international(text)
    found += _after_keyword(text)
    return found
