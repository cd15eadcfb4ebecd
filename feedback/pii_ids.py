"""National ID, passport and tax numbers in free text for the PII scrubber, and the check-digit helpers they need.

Shapes that are rarely anything else (an 18-digit Chinese resident ID with a valid birth date, a dashed SSN, a
Taiwan ID whose check digit holds) are taken anywhere; looser shapes (nine digits, a letter and eight digits)
only after a word that names the document: "passport", "护照", "身份证", "Aadhaar", "ID card".
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

__all__ = ["id_spans", "luhn"]

_F = re.ASCII
_Span = tuple[int, int]


def luhn(digits: str) -> bool:
    """Whether a string of digits passes the Luhn check (payment cards, Canadian SIN)."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _taiwan_ok(s: str) -> bool:
    code = "ABCDEFGHJKLMNPQRSTUVXYWZIO".index(s[0]) + 10
    digits = [code // 10, code % 10, *map(int, s[1:])]
    return sum(d * w for d, w in zip(digits, (1, 9, 8, 7, 6, 5, 4, 3, 2, 1, 1))) % 10 == 0


def _nric_ok(s: str) -> bool:
    total = sum(int(d) * w for d, w in zip(s[1:8], (2, 7, 6, 5, 4, 3, 2))) + (4 if s[0] in "TG" else 0)
    table = "JZIHGFEDCBA" if s[0] in "ST" else "XWUTRQPNMLK"
    return s[-1] == table[total % 11]


def _dni_ok(s: str) -> bool:
    return s[-1] == "TRWAGMYFPDXBNJZSQVHLCKE"[int(s[:8]) % 23]


def _yymmdd_ok(s: str) -> bool:
    return 1 <= int(s[2:4]) <= 12 and 1 <= int(s[4:6]) <= 31


# Anywhere, each pattern with its check (None: the shape is enough).
_ANYWHERE: tuple[tuple[re.Pattern[str], Callable[[str], bool] | None], ...] = (
    # Chinese resident ID: area, birth date, sequence, check character; the check is not verified because
    # people mistype it and the birth date already makes the shape rare.
    (re.compile(r"[1-9](?<!\w.)\d{5}(?:18|19|20)\d\d(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]\b", _F), None),
    # US SSN with dashes: 000, 666, 9xx, 00 and 0000 are never issued.
    (re.compile(r"\d(?<![\w-]\d)\d\d(?<!000)(?<!666)(?<!9\d\d)-\d\d(?<!00)-\d{4}(?<!0000)(?![\w-])", _F), None),
    # UK National Insurance number; the prefixes left out are never issued.
    (re.compile(r"[A-CEGHJ-PR-TW-Z](?<!\w.)[A-CEGHJ-NPR-TW-Z](?<!BG|GB|KN|NK|NT|TN|ZZ) ?\d\d ?\d\d ?\d\d ?[A-D]\b", _F),
     None),
    # Hong Kong ID with its bracketed check digit, "A123456(7)".
    (re.compile(r"[A-Z](?<!\w.)[A-Z]?\d{6}\([\dA]\)", _F), None),
    (re.compile(r"[A-Z](?<!\w.)[12]\d{8}\b", _F), _taiwan_ok),
    # Korean resident registration number: birth date, dash, sex digit.
    (re.compile(r"\d(?<![\w-]\d)\d{5}-[1-4]\d{6}(?![\w-])", _F), _yymmdd_ok),
    # Indian PAN: the fourth letter is the holder type (P for a person, C for a company, ...).
    (re.compile(r"[A-Z](?<!\w.)[A-Z]{2}[ABCFGHJLPT][A-Z]\d{4}[A-Z]\b", _F), None),
    (re.compile(r"[STFGM](?<!\w.)\d{7}[A-Z]\b", _F), _nric_ok),  # Singapore NRIC / FIN
    (re.compile(r"\d(?<!\w\d)\d{7}[A-Z]\b", _F), _dni_ok),  # Spanish DNI
)

# Words that name an identity document. Short upper-case ones are matched as written so that "pan" or "sin" in
# a sentence is not a keyword. A bare "ID" counts unless a word before it says whose: an order ID is not a person's.
_DOCUMENT = (
    r"(?<![A-Za-z])(?i:passports?|passeport|pasaporte|reisepass|personalausweis|ausweis|national\s+id|"
    r"identity\s+(?:card|number|document)|id\s+card|id\s+number|id\s+no|social\s+security|national\s+insurance|"
    r"aadhaa?r|driv(?:er'?s|ing)\s+licen[cs]e|tax\s+id)"
    r"|(?<![A-Za-z])(?:SSN|NINO|NI|HKID|UID|UIDAI|PAN|NRIC|FIN|DNI|NIE|NIF|SIN|CPF|TIN|ITIN)(?![A-Za-z])"
    r"|护照|護照|身份证|身份證|身分證|证件|證件|公民身份号码|居民身份|通行证|台胞证|回乡证|驾驶证|驾照|"
    r"旅券|パスポート|マイナンバー|주민등록번호|여권|आधार")
# Between the keyword and the number: "number", "no.", "is", "号码", "是", colons and the like.
_FILLER = (r"(?:[\s:：#=.,-]|(?i:numbers?|num|nr|no|card|is|was|of|nummer)(?![A-Za-z])"
           r"|号码|號碼|号|號|字号|字號|是|为|為|码|碼|संख्या|नंबर)*")
_KEYWORD_BEFORE = re.compile(rf"(?:{_DOCUMENT}|(?<![A-Za-z])(?P<bare>ID)(?![A-Za-z])){_FILLER}\Z")
_NOT_PERSONAL = re.compile(
    r"(?i:\b(?:order|transaction|txn|tracking|request|session|product|item|invoice|ticket|message|job|task|batch|"
    r"trace|process|thread|event|device|app|client|model|run|commit|build|merchant|payment|shipment|package|case|"
    r"reference|ref|record|row|file|object|chat|conversation|group|channel|video|post|question|issue|bug|span|"
    r"container|pod|instance|node|key|adapter|response|user)\s*\Z)")
# The number: alphanumeric groups separated by single spaces or dashes; a later group holds a digit or is a lone
# check letter, so a following upper-case word is not taken. HK IDs end in a bracketed digit, Chinese ones in x.
# The first group holds a digit or is one letter ("E 1234 5678"), so "UID 3141 ..." starts at 3141.
# Numbers are rarer than words, so they are found first and the keyword is looked for just before them.
_TOKEN = re.compile(
    r"[A-Z0-9](?<![A-Za-z0-9].)(?:(?<=[A-Z])[A-Z]*\d[A-Z0-9]*|(?<=\d)[A-Z0-9]*|(?<=[A-Z])(?![A-Za-z0-9]))"
    r"(?:[ -](?:[A-Z]?\d[A-Z0-9]*|[A-Z](?![A-Za-z0-9])))*(?:\([\dA]\)|x)?"
    r"(?![A-Za-z0-9])", _F)
_LOOKBACK = 40


def _after_keywords(text: str) -> Iterator[_Span]:
    for m in _TOKEN.finditer(text):
        compact = re.sub(r"[ ()-]", "", m.group())
        digits = sum(ch.isdigit() for ch in compact)
        if not (6 <= len(compact) <= 20 and digits):
            continue
        k = _KEYWORD_BEFORE.search(text, max(0, m.start() - _LOOKBACK), m.start())
        if k is None:
            continue
        if k.group("bare") and (digits < 6 or _NOT_PERSONAL.search(text, max(0, k.start() - 24), k.start())):
            continue
        yield m.span()


def id_spans(text: str) -> list[_Span]:
    """Spans of the ID and passport numbers in text, in no particular order; they may overlap."""
    found = [m.span() for pattern, ok in _ANYWHERE for m in pattern.finditer(text) if ok is None or ok(m.group())]
    found += _after_keywords(text)
    return found
