
import pytest

from loraloop.feedback.pii import ScrubResult, scrub, scrub_text

# (text, expected text, kind): one PII value per sentence, English and Chinese.
SINGLE = [
    ("Write to alice.smith+tag@example.co.uk today.", "Write to [EMAIL] today.", "email"),
    ("Contact: bob_99@mail.example.com", "Contact: [EMAIL]", "email"),
    ("请发邮件到zhang.wei@163.com联系我", "请发邮件到[EMAIL]联系我", "email"),
    ("Call me on +44 20 7946 0958 tonight.", "Call me on [PHONE] tonight.", "phone"),
    ("Office: +1 (555) 123-4567", "Office: [PHONE]", "phone"),
    ("My number is (555) 123-4567.", "My number is [PHONE].", "phone"),
    ("Text 555-123-4567 after 6.", "Text [PHONE] after 6.", "phone"),
    ("Toll free 1-800-555-1234.", "Toll free [PHONE].", "phone"),
    ("电话：+86 138 0013 8000", "电话：[PHONE]", "phone"),
    ("我的手机号是13800138000，有事打给我。", "我的手机号是[PHONE]，有事打给我。", "phone"),
    ("手机 138-0013-8000", "手机 [PHONE]", "phone"),
    ("座机010-12345678", "座机[PHONE]", "phone"),
    ("Card 4111 1111 1111 1111 expires soon.", "Card [CARD] expires soon.", "card"),
    ("Pay with 5500-0000-0000-0004 please", "Pay with [CARD] please", "card"),
    ("Amex 378282246310005.", "Amex [CARD].", "card"),
    ("Amex 3714 496353 98431", "Amex [CARD]", "card"),
    ("银行卡号6222021234567894，请核对", "银行卡号[CARD]，请核对", "card"),
    ("IBAN GB82 WEST 1234 5698 7654 32 for the refund", "IBAN [IBAN] for the refund", "iban"),
    ("Send it to DE89370400440532013000.", "Send it to [IBAN].", "iban"),
    ("收款账户 DE89 3704 0044 0532 0130 00。", "收款账户 [IBAN]。", "iban"),
    ("My SSN is 123-45-6789.", "My SSN is [ID].", "id"),
    ("NI number AB 12 34 56 C, thanks", "NI number [ID], thanks", "id"),
    ("NI: AB123456C", "NI: [ID]", "id"),
    ("身份证号11010519491231002X。", "身份证号[ID]。", "id"),
    ("身份证号码：440308199901011234", "身份证号码：[ID]", "id"),
    ("The server is 192.168.1.100.", "The server is [IP].", "ip"),
    ("ssh root@ 10.0.0.1 -p 22", "ssh root@ [IP] -p 22", "ip"),
    ("Ping 2001:db8::1 now", "Ping [IP] now", "ip"),
    ("addr fe80::1ff:fe23:4567:890a on eth0", "addr [IP] on eth0", "ip"),
    ("full 2001:0db8:85a3:0000:0000:8a2e:0370:7334", "full [IP]", "ip"),
    ("loopback ::1 only", "loopback [IP] only", "ip"),
    ("服务器地址是192.168.1.100。", "服务器地址是[IP]。", "ip"),
    ("I live at 221B Baker Street, London.", "I live at [ADDRESS], London.", "address"),
    ("Mail it to 1600 Pennsylvania Ave NW, Washington, DC 20500.", "Mail it to [ADDRESS].", "address"),
    ("Meet at 350 5th Avenue at noon", "Meet at [ADDRESS] at noon", "address"),
    ("Ship to 742 Evergreen Terrace, Apt 3.", "Ship to [ADDRESS].", "address"),
    ("我住在北京市朝阳区建国路88号。", "我住在[ADDRESS]。", "address"),
    ("地址：上海市浦东新区世纪大道100号", "地址：[ADDRESS]", "address"),
    ("寄到广东省深圳市南山区科技园路1号3栋501室，谢谢", "寄到[ADDRESS]，谢谢", "address"),
    ("公司在中关村大街27号", "公司在[ADDRESS]", "address"),
    # Landlines and mobiles of several countries, found by libphonenumber.
    ("Beijing office +86 10 1234 5678.", "Beijing office [PHONE].", "phone"),
    ("深圳分公司 0755 8888 8888", "深圳分公司 [PHONE]", "phone"),
    ("公司电话：(010) 1234 5678", "公司电话：[PHONE]", "phone"),
    ("London 020 7946 0958, ask for Sam", "London [PHONE], ask for Sam", "phone"),
    ("UK mobile 07700 900123", "UK mobile [PHONE]", "phone"),
    ("+1 (415) 555-2671 is my cell", "[PHONE] is my cell", "phone"),
    ("Paris: +33 1 42 68 53 00", "Paris: [PHONE]", "phone"),
    ("Tokyo +81 3-1234-5678", "Tokyo [PHONE]", "phone"),
    ("WhatsApp +91 98765 43210", "WhatsApp [PHONE]", "phone"),
    # Passports and other national IDs.
    ("Passport number: E12345678, thanks.", "Passport number: [ID], thanks.", "id"),
    ("我的护照号码是G23456789。", "我的护照号码是[ID]。", "id"),
    ("US passport 123456789", "US passport [ID]", "id"),
    ("香港身份證 A123456(7)", "香港身份證 [ID]", "id"),
    ("身分證字號 A123456789", "身分證字號 [ID]", "id"),
    ("Aadhaar: 2345 6789 0124", "Aadhaar: [ID]", "id"),
    ("PAN ABCPE1234F", "PAN [ID]", "id"),
    ("老身份证号 110105491231002", "老身份证号 [ID]", "id"),
    ("Personalausweis-Nr. T220001293", "Personalausweis-Nr. [ID]", "id"),
    # Names after a self-introduction; only the name goes.
    ("Hi, my name is John Smith and I need help.", "Hi, my name is [NAME] and I need help.", "name"),
    ("I'm called Zoë O'Neill.", "I'm called [NAME].", "name"),
    ("我叫王小明，今年十岁。", "我叫[NAME]，今年十岁。", "name"),
    ("我的名字是欧阳娜娜", "我的名字是[NAME]", "name"),
]

# Look-alikes that must survive untouched.
NOT_PII = [
    "It happened in 2024.",
    "The budget is $1,200 this year.",
    "花了5000元",
    "Population 1,234,567",
    "Growth was 15% (+3.5% on last year).",
    "Meet at 10:30, or 10:30:45 sharp.",
    "Take 500 mg twice a day.",
    "Upgrade to v1.2.3 first.",
    "Released 2026-11-25 and 2026/11/25.",
    "Only 42 items, code 12345.",
    "Order 4111111111111112 shipped.",  # 16 digits, Luhn fails
    "Card 4111 1111 1111 1112",  # grouped, Luhn fails
    "Ticket 2024112500013",  # 13 digits, Luhn fails
    "Timestamp 1732500000000 ms",  # starts with 1: not an issuer
    "ISBN 978-0-306-40615-7",
    "pi is 3.14159 and e is 2.71828",
    "Use std::vector or a::b in C++.",
    "Ratio 16:9 and 4:3.",
    "10.0.0.256 is not an address",
    "SSN-like 666-12-3456 is never issued",
    "我们11月25号见，坐3号线。",
    "温度是-3.5度，湿度45%。",
    "firmware version 1.2.3.4 and Chrome/120.0.0.0",
    "invoice INV-2023-004512, ISBN 7-111-54742-3",
    "lottery numbers 04 11 23 35 42 07",
    "JD0012345678901",  # the shape of an IBAN, but JD issues none
    "Order ID: 4023-1188-9921",
    "2023-12-01 12:34:56 and 12/01/2023",
    "订单号 20231201123456，快递单号 773012345678901",
    "My name is not important.",
    "我叫了一辆车，我是说明天。",
    "",
]


@pytest.mark.parametrize("text, expected, kind", SINGLE)
def test_each_kind_is_replaced_and_counted(text, expected, kind):
    result = scrub(text)
    assert result.text == expected
    assert result.counts == {kind: 1}


@pytest.mark.parametrize("text", NOT_PII)
def test_look_alikes_stay(text):
    assert scrub(text) == ScrubResult(text=text, counts={})


def test_mixed_text():
    text = ("Hi, I'm at 221B Baker Street. Mail jane@example.org or call +44 20 7946 0958 / 555-123-4567; "
            "card 4111-1111-1111-1111, IBAN GB82 WEST 1234 5698 7654 32, SSN 123-45-6789, host 10.1.2.3. "
            "另外我的手机是13800138000，地址北京市朝阳区建国路88号。Paid $1,200 on 2026-11-25 at 10:30.")
    result = scrub(text)
    assert result.text == (
        "Hi, I'm at [ADDRESS]. Mail [EMAIL] or call [PHONE] / [PHONE]; "
        "card [CARD], IBAN [IBAN], SSN [ID], host [IP]. "
        "另外我的手机是[PHONE]，地址[ADDRESS]。Paid $1,200 on 2026-11-25 at 10:30.")
    assert result.counts == {"email": 1, "iban": 1, "ip": 1, "id": 1, "card": 1, "phone": 3, "address": 2}


@pytest.mark.parametrize("text, expected", [
    # An IP is not read as a phone, an 18-digit ID not as a card, an e-mail's digits not as a phone.
    ("ip 203.0.113.45 and 555-123-4567", "ip [IP] and [PHONE]"),
    ("id 440308199901011234", "id [ID]"),
    ("13800138000@qq.com", "[EMAIL]"),
    # A card or IBAN run on into the next number or word is cut back to the part that validates.
    ("card 4111 1111 1111 1111 2025 exp", "card [CARD] 2025 exp"),
    ("BE68 5390 0754 7034 THEN", "[IBAN] THEN"),
    ("4111 1111 1111 1111 5500 0000 0000 0004", "[CARD] [CARD]"),
    ("建国路88号朝阳路3号", "[ADDRESS][ADDRESS]"),
])
def test_overlaps_resolve_to_the_right_kind(text, expected):
    assert scrub_text(text) == expected


def test_counts_add_up_per_kind():
    result = scrub("a@example.com, b@example.com and 13800138000")
    assert result.counts == {"email": 2, "phone": 1}
    assert result.text == "[EMAIL], [EMAIL] and [PHONE]"


@pytest.mark.parametrize("text", [t for t, _, _ in SINGLE] + [t for t in NOT_PII])
def test_idempotent(text):
    once = scrub_text(text)
    assert scrub_text(once) == once
    assert scrub(once).counts == {}


def test_empty_string():
    assert scrub("") == ScrubResult(text="", counts={})
    assert scrub_text("") == ""


def test_the_phone_matcher_runs_only_near_a_long_run_of_digits(monkeypatch):
    # libphonenumber is the costly part of a pass; prose, dates and short numbers must not reach it.
    from loraloop.feedback import pii_phone

    def refuse(*args, **kwargs):
        raise AssertionError("PhoneNumberMatcher called")

    monkeypatch.setattr(pii_phone, "PhoneNumberMatcher", refuse)
    for text in ("Take 500 mg at 10:30 on 2026-11-25.", "Released 2023-12-01 12:34:56", "04 11 23 35 42 07", "v2.3.1"):
        assert scrub_text(text) == text


def test_an_id_keyword_does_not_take_an_order_number():
    assert scrub_text("order ID 100234567, passport E12345678") == "order ID 100234567, passport [ID]"
