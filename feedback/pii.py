"""PII scrubbing for text that is stored for training or exported (regular expressions, standard library only)."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["ScrubResult", "scrub", "scrub_text"]


@dataclass(frozen=True, kw_only=True)
class ScrubResult:
    """Scrubbed text and the number of replacements per kind ('email', 'phone', 'card', ...)."""

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
# Candidates with at least two colons; ipaddress decides.
_IPV6 = re.compile(
    r"[0-9A-Fa-f:](?<![\w:.].)(?:(?<=:):|[0-9A-Fa-f]{0,3}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]*(?<=[0-9A-Fa-f:])(?![\w:])",
    _F)

_CN_ID = re.compile(
    r"[1-9](?<!\w.)\d{5}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b", _F)
# Dashes required: a bare nine-digit number is too often something else. 000, 666, 9xx, 00 and 0000
# are never issued.
_SSN = re.compile(
    r"\d(?<![\w-]\d)\d\d(?<!000)(?<!666)(?<!9\d\d)-\d\d(?<!00)-\d{4}(?<!0000)(?![\w-])", _F)
_UK_NI = re.compile(
    r"[A-CEGHJ-PR-TW-Z](?<!\w.)[A-CEGHJ-NPR-TW-Z](?<!BG|GB|KN|NK|NT|TN|ZZ) ?\d\d ?\d\d ?\d\d ?[A-D]\b", _F)

# Issuers start with 2-6; leaving out 1 keeps millisecond timestamps and similar counters. The digit
# count and Luhn checksum are checked in code.
_CARD = re.compile(r"[2-6](?<![\w+-].)(?:\d{12,18}|\d{3}(?P<sep>[ -])\d{4,6}(?:(?P=sep)\d{3,5}){1,3})(?!\w)", _F)

_PHONE_INTL = re.compile(r"\+(?<![\w+].)\d{1,3}(?:[ .-]?(?:\(\d{1,4}\)|\d{1,5})){1,6}(?!\w)", _F)
_PHONE_US = re.compile(
    r"[(1-9](?<![\w+(-].)(?:(?<=1)[-. ](?:\([2-9]\d\d\) ?|[2-9]\d\d[-. ])|(?<=\()[2-9]\d\d\) ?|(?<=[2-9])\d\d[-. ])"
    r"\d{3}[-. ]\d{4}(?!\w|-\d)", _F)
_PHONE_CN_MOBILE = re.compile(r"1(?<![\w+-]1)[3-9]\d(?:[ -]?\d{4}){2}(?![\w-])", _F)
_PHONE_CN_LANDLINE = re.compile(r"0(?<![\w-]0)\d{2,3}-\d{7,8}(?![\w-])", _F)

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
    r"(?:大道|大街|路|街|巷|弄|胡同)\d{1,5}(?:-\d{1,5}|之\d{1,3})?号院?"
    r"(?:[A-Za-z]?\d{1,5}(?:号楼|栋|幢|座|单元|层|楼|室|号))*", _F)


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


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


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
    return 13 <= len(digits) <= 19 and _luhn(digits)


def _iban_ok(part: str) -> bool:
    compact = part.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _accept_card(text: str, m: re.Match[str], lo: int) -> _Span | None:
    return _longest_prefix(m, _card_ok)


def _accept_iban(text: str, m: re.Match[str], lo: int) -> _Span | None:
    return _longest_prefix(m, _iban_ok)


def _accept_phone_intl(text: str, m: re.Match[str], lo: int) -> _Span | None:
    # E.164 allows at most 15 digits; fewer than 8 is a signed number, not a phone.
    return _longest_prefix(m, lambda part: 8 <= sum(ch.isdigit() for ch in part) <= 15)


def _accept_ipv4(text: str, m: re.Match[str], lo: int) -> _Span | None:
    return m.span() if all(int(octet) <= 255 for octet in m.group().split(".")) else None


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


@dataclass(frozen=True)
class _Rule:
    kind: str
    pattern: re.Pattern[str]
    # The span to replace given (text, match, end of the previous replacement); None keeps the text.
    accept: Callable[[str, re.Match[str], int], _Span | None] | None = None
    hint: str | None = None  # a substring the text must contain for the rule to run at all


# Order matters: earlier kinds are replaced first so later, looser patterns cannot take their digits
# (an IP or an ID is never read as a phone, a card never as a phone).
_RULES = (
    _Rule("email", _EMAIL, hint="@"),
    _Rule("iban", _IBAN, _accept_iban),
    _Rule("ip", _IPV6, _accept_ipv6, hint=":"),
    _Rule("ip", _IPV4, _accept_ipv4, hint="."),
    _Rule("id", _CN_ID),
    _Rule("id", _SSN, hint="-"),
    _Rule("id", _UK_NI),
    _Rule("card", _CARD, _accept_card),
    _Rule("phone", _PHONE_INTL, _accept_phone_intl, hint="+"),
    _Rule("phone", _PHONE_US),
    _Rule("phone", _PHONE_CN_MOBILE),
    _Rule("phone", _PHONE_CN_LANDLINE, hint="-"),
    _Rule("address", _ADDRESS_EN),
    _Rule("address", _ADDRESS_ZH, _accept_address_zh, hint="号"),
)


def _apply(rule: _Rule, text: str, counts: dict[str, int]) -> str:
    pieces: list[str] = []
    last = pos = 0
    while m := rule.pattern.search(text, pos):
        span = rule.accept(text, m, last) if rule.accept else m.span()
        if span is None or span[0] < last:
            pos = m.end()
            continue
        pieces += (text[last:span[0]], f"[{rule.kind.upper()}]")
        # A match cut short (a card followed by another number) is searched again from where it was cut.
        last = pos = span[1]
    if not pieces:
        return text
    counts[rule.kind] = counts.get(rule.kind, 0) + len(pieces) // 2
    pieces.append(text[last:])
    return "".join(pieces)


def scrub(text: str) -> ScrubResult:
    """Replace PII in text with typed placeholders such as [EMAIL] and count the replacements by kind."""
    counts: dict[str, int] = {}
    # Every pattern but the e-mail one needs a digit; text without one is done after a single scan.
    rules = _RULES if _DIGIT.search(text) else _RULES[:1]
    for rule in rules:
        if rule.hint is None or rule.hint in text:
            text = _apply(rule, text, counts)
    return ScrubResult(text=text, counts=counts)


def scrub_text(text: str) -> str:
    """Return text with PII replaced by typed placeholders."""
    return scrub(text).text
