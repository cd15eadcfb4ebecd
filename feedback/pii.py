"""PII scrubbing for text that is stored for training or exported.

Owns the placeholders, the order in which kinds are replaced and the patterns for e-mails, IBANs, IPs, cards and
addresses; phones (`pii_phone`, libphonenumber), ID and passport numbers (`pii_ids`) and self-introduced names
(`pii_names`) are found in their own modules.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from loraloop.feedback.pii_ids import id_spans, luhn
from loraloop.feedback.pii_names import name_spans
from loraloop.feedback.pii_phone import phone_spans

__all__ = ["ScrubResult", "scrub", "scrub_text"]


@dataclass(frozen=True, kw_only=True)
class ScrubResult:
    """Scrubbed text and the number of replacements per kind ('email', 'phone', 'card', 'id', 'name', ...)."""

    text: str
    counts: dict[str, int]


# Conventions for the patterns below, all compiled with re.ASCII:
# - re.ASCII makes \b, \w and \d treat Chinese characters as non-word and accept only 0-9; without it
#   "电话13800138000" has no word boundary before the number.
# - Patterns start with a literal or a character class and check the character before the match in a
#   lookbehind placed after that first character ("1(?<![\w+-]1)..." rather than "(?<![\w+-])1...").
#   CPython's re can then skip ahead to candidate characters, which makes a pass several times faster.
_F = re.ASCII

_EMAIL = re.compile(
    r"[\w.%+-](?<![\w.%+-].)[\w.%+-]*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,}(?![\w-])", _F)

# Groups of four, spaced or not; when the check fails on the whole match, trailing groups are dropped
# and the check retried, so a following upper-case word cannot hide an IBAN.
_IBAN = re.compile(r"[A-Z](?<!\w.)[A-Z]\d\d(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b", _F)

# Octets are range-checked in code. Letters before keep "v1.2.3.4" out; a trailing ".5" means a longer
# dotted number.
_IPV4 = re.compile(r"\d(?<![\w.]\d)\d{0,2}(?:\.\d{1,3}){3}(?!\.?\d)", _F)
# "firmware version 1.2.3.4" and "Chrome/120.0.0.0" are versions, not addresses.
_VERSION_BEFORE = re.compile(
    r"(?i:\b(?:version|ver|release|build|firmware|fw|rev|revision)\b|版本号?|固件)\W{0,3}\Z|[A-Za-z]/\Z")
# Candidates with at least two colons; ipaddress decides.
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![\w:.].)(?:(?<=:):|[0-9A-Fa-f]{0,3}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]*(?<=[0-9A-Fa-f:])(?![\w:])",
    _F)

# Issuers start with 2-6; leaving out 1 keeps millisecond timestamps and similar counters. The digit
# count and Luhn checksum are checked in code.
_CARD = re.compile(r"[2-6](?<![\w+-].)(?:\d{12,18}|\d{3}(?P<sep>[ -])\d{4,6}(?:(?P=sep)\d{3,5}){1,3})(?!\w)", _F)

# Abbreviations may take a dot; a dot after a full word ends the sentence and stays.
_SUFFIX = (r"(?:Street|Avenue|Road|Boulevard|Lane|Drive|Court|Place|Square|Terrace|Parkway|Highway|Circle|"
           r"Crescent|Close|Way|Row|Alley|Trail|Plaza)\b|(?:St|Ave|Rd|Blvd|Ln|Dr|Ct|Pl|Sq|Pkwy|Hwy|Cir)\b\.?")
_ADDRESS_EN = re.compile(
    rf"\d(?<!\w\d)\d{{0,5}}[A-Za-z]?(?:-\d{{1,4}})?\s+(?:(?:[A-Z][a-z]+|\d{{1,3}}(?:st|nd|rd|th))\s+){{1,4}}"
    rf"(?i:{_SUFFIX})(?:\s+(?:NE|NW|SE|SW|N|S|E|W)\b)?"
    r"(?:,?\s+(?:Apt|Apartment|Suite|Ste|Unit|Flat|Floor)\.?\s*#?\w+)?"
    r"(?:,\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*,?\s+[A-Z]{2}\s+\d{5}(?:-\d{4})?)?", _F)

# Chinese addresses are found from their end, "路88号", and then extended leftwards over administrative
# units within a short window: anchoring on the rare street-and-number core keeps the pass fast.
_ADDRESS_ZH = re.compile(
    r"(?:大道|大街|路|街|巷|弄|胡同)(?:[东西南北中]?[一二三四五六七八九十]{1,3}段)?\d{1,5}(?:-\d{1,5}|之\d{1,3})?号院?"
    r"(?:(?:[A-Za-z]|[A-Za-z]?\d{1,5})(?:号楼|栋|幢|座|单元|层|楼|室|号))*", _F)


def _han_except(stop: str) -> str:
    """A character class of the CJK Unified Ideographs block without the characters in stop."""
    ranges, low = [], 0x4E00
    for code in sorted(map(ord, set(stop))):
        if code > low:
            ranges.append(f"{chr(low)}-{chr(code - 1)}")
        low = code + 1
    ranges.append(f"{chr(low)}-\u9fff")
    return f"[{''.join(ranges)}]"


# A Han character that is not a common verb or particle, so "我住在北京市..." starts at 北. A plain class
# rather than a lookahead per character keeps the leftward search cheap.
_HAN = _han_except("在住是我你他她的到于从往址为与及寄送至把请将")
_ADDRESS_ZH_HEAD = re.compile(
    rf"(?:{_HAN}{{2,7}}?(?:省|自治区|特别行政区))?(?:{_HAN}{{1,7}}?(?:市|州|盟))?"
    rf"(?:{_HAN}{{1,7}}?(?:区|县|旗))?(?:{_HAN}{{1,7}}?(?:镇|乡|街道))?{_HAN}{{1,6}}\Z", _F)
_ZH_HEAD_WINDOW = 48

_DIGIT = re.compile(r"\d", _F)
_SEPARATOR = re.compile(r"[ .-]")

_Span = tuple[int, int]


def _longest_prefix(m: re.Match[str], ok: Callable[[str], bool]) -> _Span | None:
    """The span of the longest prefix of the match, cut at a separator, that passes ok."""
    s = m.group()
    ends = [sep.start() for sep in _SEPARATOR.finditer(s)] + [len(s)]
    for end in reversed(ends):
        if ok(s[:end]):
            return m.start(), m.start() + end
    return None


def _card_ok(part: str) -> bool:
    digits = part.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and luhn(digits)


# Length of the IBAN in each country that issues them (SWIFT's IBAN registry): the mod-97 check alone passes one
# random code in 97, and tracking numbers such as "JD0012345678901" have the shape.
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27, "BR": 29,
    "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29,
    "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28,
    "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30, "KW": 30, "KZ": 20,
    "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19,
    "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29,
    "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}


def _iban_ok(part: str) -> bool:
    compact = part.replace(" ", "")
    if len(compact) != _IBAN_LENGTHS.get(compact[:2]):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _accept_card(text: str, m: re.Match[str], lo: int) -> _Span | None:
    return _longest_prefix(m, _card_ok)


def _accept_iban(text: str, m: re.Match[str], lo: int) -> _Span | None:
    return _longest_prefix(m, _iban_ok)


def _accept_ipv4(text: str, m: re.Match[str], lo: int) -> _Span | None:
    if not all(int(octet) <= 255 for octet in m.group().split(".")):
        return None
    return None if _VERSION_BEFORE.search(text, max(0, m.start() - 24), m.start()) else m.span()


def _accept_ipv6(text: str, m: re.Match[str], lo: int) -> _Span | None:
    # A decimal digit is required so that code such as "a::b" or "::" stays.
    if not _DIGIT.search(m.group()):
        return None
    try:
        ipaddress.IPv6Address(m.group())
    except ValueError:
        return None
    return m.span()


def _accept_address_zh(text: str, m: re.Match[str], lo: int) -> _Span | None:
    window_start = max(lo, m.start() - _ZH_HEAD_WINDOW)
    head = _ADDRESS_ZH_HEAD.search(text, window_start, m.start())
    return (head.start(), m.end()) if head else None


def _matches(pattern: re.Pattern[str], accept: Callable[[str, re.Match[str], int], _Span | None] | None,
             ) -> Callable[[str], Iterator[_Span]]:
    """A span finder from a pattern and a check that returns the span to replace (None keeps the text)."""
    def find(text: str) -> Iterator[_Span]:
        last = pos = 0
        while m := pattern.search(text, pos):
            span = accept(text, m, last) if accept else m.span()
            if span is None or span[0] < last:
                pos = m.end()
                continue
            yield span
            # A match cut short (a card followed by another number) is searched again from where it was cut.
            last = pos = span[1]
    return find


@dataclass(frozen=True)
class _Rule:
    kind: str
    find: Callable[[str], Iterable[_Span]]  # spans to replace, in any order; overlapping ones are joined
    hint: str | None = None  # a substring the text must contain for the rule to run at all
    digits: bool = True  # the rule can only match text that has a digit


# Order matters: earlier kinds are replaced first so later, looser patterns cannot take their digits
# (an IP or an ID is never read as a phone, a card never as a phone).
_RULES = (
    _Rule("email", _matches(_EMAIL, None), hint="@", digits=False),
    _Rule("name", name_spans, digits=False),
    _Rule("iban", _matches(_IBAN, _accept_iban)),
    _Rule("ip", _matches(_IPV6, _accept_ipv6), hint=":"),
    _Rule("ip", _matches(_IPV4, _accept_ipv4), hint="."),
    _Rule("id", id_spans),
    _Rule("card", _matches(_CARD, _accept_card)),
    _Rule("phone", phone_spans),
    _Rule("address", _matches(_ADDRESS_EN, None)),
    _Rule("address", _matches(_ADDRESS_ZH, _accept_address_zh), hint="号"),
)
_NO_DIGIT_RULES = tuple(r for r in _RULES if not r.digits)


def _apply(rule: _Rule, text: str, counts: dict[str, int]) -> str:
    spans: list[_Span] = []
    for start, end in sorted(rule.find(text)):
        if spans and start < spans[-1][1]:  # overlapping finds (two phone regions, two ID shapes) are one value
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    if not spans:
        return text
    pieces: list[str] = []
    last = 0
    for start, end in spans:
        pieces += (text[last:start], f"[{rule.kind.upper()}]")
        last = end
    counts[rule.kind] = counts.get(rule.kind, 0) + len(spans)
    pieces.append(text[last:])
    return "".join(pieces)


def scrub(text: str) -> ScrubResult:
    """Replace PII in text with typed placeholders such as [EMAIL] and count the replacements by kind."""
    counts: dict[str, int] = {}
    # Most patterns need a digit; text without one is done after a scan or two.
    rules = _RULES if _DIGIT.search(text) else _NO_DIGIT_RULES
    for rule in rules:
        if rule.hint is None or rule.hint in text:
            text = _apply(rule, text, counts)
    return ScrubResult(text=text, counts=counts)


def scrub_text(text: str) -> str:
    """Return text with PII replaced by typed placeholders."""
    return scrub(text).text
