"""Personal names for the PII scrubber, only where the writer introduces themselves: "my name is ...", "我叫...".

Names elsewhere in a text are left alone: telling them from other capitalised words needs a model, and this runs
on every stored answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["name_spans"]

_Span = tuple[int, int]

_UPPER = "A-ZÀ-ÖØ-Þ"
_LOWER = "a-zß-öø-ÿ"
# "Sarah", "O'Neill", "Mary-Jane", "McDonald", "Zoë"; an initial with its dot, "J.", inside a name.
_WORD = rf"[{_UPPER}](?:[{_LOWER}]+(?:[{_UPPER}][{_LOWER}]+)?(?:['’-][{_UPPER}{_LOWER}][{_LOWER}]+)*|['’][{_UPPER}][{_LOWER}]+)"
_EN = re.compile(
    r"(?<![A-Za-z])(?i:my\s+(?:full\s+|real\s+|first\s+|last\s+)?name\s+is|my\s+name['’]s|i\s+am\s+called|"
    r"i['’]m\s+called|(?:they\s+|please\s+)?call\s+me)\s+(?:(?:Mr|Mrs|Ms|Miss|Dr|Prof)\.?\s+)?"
    rf"({_WORD}(?:\s+(?:[{_UPPER}]\.\s+)?{_WORD}){{0,3}})")
_WORDS = re.compile(r"\S+")
# Capitalised words that follow "call me" or open a clause but are not names.
_NOT_NAMES = frozenset((
    "A", "An", "The", "Not", "It", "This", "That", "What", "Who", "Maybe", "Back", "Later", "Now", "Today", "Tomorrow",
    "Tonight", "Anytime", "Soon", "Again", "Please", "When", "If", "Here", "There", "Anything", "Whatever", "Crazy",
    "And", "But", "Or", "From", "In", "At", "On", "To", "By", "With", "For", "Is", "Am", "Are",
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"))

# The hundred-odd commonest surnames cover most people; two-character ones are tried first.
_COMPOUND = "欧阳|司马|上官|诸葛|东方|皇甫|尉迟|公孙|慕容|令狐|夏侯|长孙|宇文|端木|独孤|南宫|西门|司徒|申屠|澹台"
_SINGLE = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚"
           "卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
           "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季"
           "裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄"
           "窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
           "查麻苑迟邝")
# Characters that end a name: particles, pronouns and the verbs and time words that follow one ("我叫李娜今年...").
_GIVEN = (r"(?![的了是在和与从来去今年岁我你他她它们这那有没不也都就还要会能想请谢吗呢吧啊呀哦嗯个跟给让被把说到过着地得很太最更又再才只"
          r"已经当时候住家做叫姓名])[\u4e00-\u9fff]")
# Not a plain "我是" ("I am"): 我是房东, 我是江苏人, 我是高手 start with surname characters too.
_ZH = re.compile(rf"(?:我叫|我名叫|我的名字是|我的名字叫|名字叫|我的姓名是|姓名[:：]?)\s*((?:{_COMPOUND}|[{_SINGLE}]){_GIVEN}{{1,2}})")
# Common words that start with a surname character.
_ZH_WORDS = frozenset((
    "马上", "周末", "高兴", "方便", "白天", "黄色", "金色", "安全", "何时", "文件", "江湖", "明白", "常常", "华人", "司机",
    "单位", "高中", "高级", "关于", "关心", "包括", "程序", "成功", "时间", "路上", "应该", "全部", "管理", "向上"))


def _english(text: str) -> Iterator[_Span]:
    for m in _EN.finditer(text):
        end = None
        for word in _WORDS.finditer(text, m.start(1), m.end(1)):
            if word.group().rstrip(".") in _NOT_NAMES:
                break
            end = word.end()
        if end is not None:
            yield m.start(1), end


def _chinese(text: str) -> Iterator[_Span]:
    for m in _ZH.finditer(text):
        if m.group(1)[:2] not in _ZH_WORDS:
            yield m.span(1)


def name_spans(text: str) -> list[_Span]:
    """Spans of the names that follow a self-introduction in text."""
    # Lower-casing and plain substring tests run at hundreds of MB/s, the patterns at tens: most texts skip them.
    low = text.lower()
    spans = list(_english(text)) if "name" in low or "call" in low else []
    if "我" in text or "名" in text:
        spans += _chinese(text)
    return spans
