"""Summary templates as text: structure, placeholders and checking (filling: reports.summary.filling).

Pure functions, no database.

A template is plain text, one paragraph per line, written the way the
committee writes its reports:

- ``一、上半年工作开展情况`` — a level-1 heading (黑体);
- ``（一）坚决维护社会大局和谐稳定`` — a level-2 heading (楷体); when the line
  goes on after its first 。, the rest is body text in the same paragraph;
- ``1.`` and ``（1）`` — level-3 (仿宋 bold) and level-4 (仿宋) headings, run-in the same way;
- any other line — a body paragraph. Empty lines are ignored.

Figures are placeholders in 【】 (half-width ``[[ ]]`` is accepted too): an
indicator's code or its exact Chinese name, then options separated by ``|``
or ``｜``::

    【anti_fraud.cases】                    127件
    【anti_fraud.cases|同比】               同比下降11.81%
    【enforcement.conclusion_rate|1位小数】  93.6%
    【anti_fraud.losses|无单位】万余元       1043.5万余元
    【县名】 【期间】 【年度】                示范县 2023年上半年 2023年

A figure nobody reported is written in place as
``【缺数：重大事项请示报告备案 · 县委政法委】``, never as 0.
"""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

# What a placeholder shows: option word → internal name. The first word of each is the one documented.
SHOW_OPTIONS = {
    "值": "value",
    "数值": "value",
    "同比": "yoy",
    "增减": "verb",
    "升降": "verb",
    "幅度": "size",
    "增减幅度": "size",
    "上年": "previous",
    "去年": "previous",
    "上年同期": "previous",
    "目标": "target",
    "完成率": "completion",
    "目标完成率": "completion",
    "名称": "name",
}
UNIT_OFF = {"无单位", "不带单位", "不要单位"}
UNIT_ON = {"带单位", "有单位"}
IN_WAN = {"万", "以万计", "万为单位"}
DECIMALS_RE = re.compile(r"^([0-4一二三四零])位小数$")
WHOLE = {"取整", "整数"}
_CHINESE_DIGITS = {"零": 0, "一": 1, "二": 2, "三": 3, "四": 4}
# Wording bound to the value (the numbers themselves: metrics.formatting.document_value).
QUALIFIERS = {"余", "多", "近", "约"}  # 200余篇 / 150多万元 (floor), 近60次 (ceiling), 约 (half up): only when rounded
STEPS = {"整十": 10, "整百": 100, "整千": 1000, "整万": 10000}
# Options carrying text: 为零：未发生… (the words for a 0), 否则：发生…# (the words otherwise, # the figure),
# 全降：…“双降” / 全升：… (a group of indicators joined by +, when every one fell / rose).
TEXT_OPTION_RE = re.compile(r"^(为零|零|否则|全降|全升)[：:=](.*)$")
FIGURE_MARK = "#"
GROUP_SPLIT = "+"

# Placeholders that are not indicators: filled from the period and settings.
SPECIALS = {"县名": "county", "期间": "period", "年度": "year", "上年度": "previous_year"}

OPEN_CLOSE = (("【", "】"), ("[[", "]]"))
PLACEHOLDER_RE = re.compile(r"【([^【】]*)】|\[\[(.*?)\]\]")
_OPTION_SPLIT_RE = re.compile(r"[|｜]")

H1_RE = re.compile(r"^[一二三四五六七八九十]+、")
H2_RE = re.compile(r"^[（(][一二三四五六七八九十]+[）)]")
# "1." but not "1.5万…" or "2023年": one or two digits, a full or half-width point, no digit after it.
H3_RE = re.compile(r"^\d{1,2}[.．](?!\d)")
H4_RE = re.compile(r"^[（(]\d{1,2}[）)]")

TITLE, HEADING1, HEADING2, HEADING3, HEADING4, PARAGRAPH = (
    "title",
    "heading1",
    "heading2",
    "heading3",
    "heading4",
    "paragraph",
)
HEADINGS = (HEADING1, HEADING2, HEADING3, HEADING4)


class TemplateProblem(ValueError):
    """Problems found in a template; `problems` lists each with its place."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("\n".join(p.message for p in problems))


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a template: where (line, section) and what."""

    line: int
    section: str
    text: str
    reason: str

    @property
    def message(self):
        where = _("第%(line)d行") % {"line": self.line} if self.line else (self.section or _("标题"))
        if not self.line:
            return _("%(where)s：%(text)s %(reason)s") % {"where": where, "text": self.text, "reason": self.reason}
        if self.section:
            where += _("（%(section)s）") % {"section": self.section}
        return _("%(where)s：%(text)s %(reason)s") % {"where": where, "text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class Placeholder:
    """A placeholder as typed: the indicator (code or name; several joined by + for a group condition) or
    special word, and how to show it."""

    raw: str
    key: str
    show: str = "value"
    decimals: int | None = None
    with_unit: bool = True
    in_wan: bool = False
    about: str | None = None  # 余 多 近 约
    step: int | None = None  # 整十 整百 …
    zero_text: str | None = None
    other_text: str | None = None
    group_way: str | None = None  # "down" (全降) or "up" (全升)
    group_text: str | None = None

    @property
    def special(self):
        return SPECIALS.get(self.key)

    @property
    def keys(self):
        """The indicators named: one, or a group's members."""
        return tuple(k.strip() for k in self.key.split(GROUP_SPLIT)) if self.group_way else (self.key,)


@dataclass
class Block:
    """One paragraph of the template: its kind, its parts (text and placeholders) and, for run-in headings,
    how many parts belong to the heading (`lead`)."""

    kind: str
    parts: list
    line: int
    section: str = ""
    lead: list = field(default_factory=list)


# --- parsing -----------------------------------------------------------------


def parse_placeholder(inner, *, raw=None):
    """Read the inside of 【…】; returns (Placeholder, [reasons])."""
    raw = raw if raw is not None else f"【{inner}】"
    pieces = [p.strip() for p in _OPTION_SPLIT_RE.split(inner)]
    key, options = pieces[0], pieces[1:]
    reasons = []
    if not key:
        reasons.append(_("占位符里没有写指标代码或名称。"))
    show, decimals, with_unit, in_wan = None, None, True, False
    texts, about, step = {}, None, None
    for option in options:
        if not option:
            reasons.append(_("选项之间多了一个“|”。"))
        elif match := TEXT_OPTION_RE.match(option):
            word = {"零": "为零"}.get(match.group(1), match.group(1))
            texts[word] = match.group(2).strip()
        elif option in SHOW_OPTIONS:
            if show is not None and show != SHOW_OPTIONS[option]:
                reasons.append(_("选项“%(option)s”与前面的显示内容冲突，每个占位符只能显示一项。") % {"option": option})
            show = SHOW_OPTIONS[option]
        elif option in UNIT_OFF:
            with_unit = False
        elif option in UNIT_ON:
            with_unit = True
        elif option in IN_WAN:
            in_wan = True
        elif option in WHOLE:
            decimals = 0
        elif option in QUALIFIERS:
            about = option
        elif option in STEPS:
            step = STEPS[option]
        elif match := DECIMALS_RE.match(option):
            digit = match.group(1)
            decimals = int(digit) if digit.isdigit() else _CHINESE_DIGITS[digit]
        else:
            reasons.append(
                _("未知选项“%(option)s”。可用：%(known)s。")
                % {"option": option, "known": "、".join(documented_options())}
            )
    if key in SPECIALS and options:
        reasons.append(_("“%(key)s”不带选项。") % {"key": key})
    group_way = "down" if "全降" in texts else "up" if "全升" in texts else None
    reasons += _text_option_reasons(key, texts, group_way, show)
    placeholder = Placeholder(
        raw,
        key,
        show or "value",
        decimals,
        with_unit,
        in_wan,
        about=about,
        step=step,
        zero_text=texts.get("为零"),
        other_text=texts.get("否则"),
        group_way=group_way,
        group_text=texts.get("全降", texts.get("全升")),
    )
    return placeholder, reasons


def _text_option_reasons(key, texts, group_way, show):
    reasons = []
    if "全降" in texts and "全升" in texts:
        reasons.append(_("“全降”和“全升”只能选一个。"))
    if group_way and GROUP_SPLIT not in key:
        reasons.append(_("“全降”“全升”用于多个指标，请用“+”连接，如【甲+乙|全降：实现“双降”】。"))
    if group_way and ("为零" in texts or show):
        reasons.append(_("多个指标的条件写法只能带“全降/全升”和“否则”。"))
    other = texts.get("否则")
    if other is not None and not group_way and FIGURE_MARK not in other:
        reasons.append(_("“否则：”后的文字要用 # 表示数字的位置，如“否则：发生负面舆情事件#”。"))
    if group_way and other and FIGURE_MARK in other:
        reasons.append(_("多个指标的“否则：”文字里不能用 #；不写“否则”时各指标分别写出同比。"))
    if any(ch in text for text in texts.values() for ch in "【】[]"):
        reasons.append(_("选项文字里不能再写方括号。"))
    return reasons


def documented_options():
    return [
        "值",
        "同比",
        "增减",
        "幅度",
        "上年",
        "目标",
        "完成率",
        "名称",
        "N位小数",
        "取整",
        "整十/整百/整千",
        "余",
        "多",
        "近",
        "约",
        "无单位",
        "万",
        "为零：…",
        "否则：…#…",
        "全降：…",
        "全升：…",
    ]


def split_line(text):
    """A line's parts: strings and Placeholders in order; returns (parts, [(bad text, reason)])."""
    parts, problems, pos = [], [], 0
    for match in PLACEHOLDER_RE.finditer(text):
        if match.start() > pos:
            parts.append(text[pos : match.start()])
        inner = match.group(1) if match.group(1) is not None else match.group(2)
        placeholder, reasons = parse_placeholder(inner.strip(), raw=match.group(0))
        problems.extend((match.group(0), reason) for reason in reasons)
        parts.append(placeholder)
        pos = match.end()
    if pos < len(text):
        parts.append(text[pos:])
    for piece in (p for p in parts if isinstance(p, str)):
        for opening, closing in OPEN_CLOSE:
            if opening in piece or closing in piece:
                problems.append(
                    (_excerpt(piece, opening, closing), _("“%(o)s”与“%(c)s”没有配对。") % {"o": opening, "c": closing})
                )
    return parts, problems


def _excerpt(text, *marks):
    index = min((text.find(m) for m in marks if m in text), default=0)
    return text[max(0, index - 8) : index + 12]


def _run_in(parts):
    """Split a heading line at its first 。: (heading parts, body parts); no 。 before the end → all heading."""
    for n, part in enumerate(parts):
        if isinstance(part, str) and "。" in part:
            head, _sep, rest = part.partition("。")
            tail = ([rest] if rest else []) + parts[n + 1 :]
            if not any(p.strip() if isinstance(p, str) else True for p in tail):
                return parts, []
            return [*parts[:n], head + "。"], tail
    return parts, []


def _short(text, limit=18):
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"


def parse_template(body, *, title=""):
    """The template's blocks (title first when given) and its syntax problems."""
    blocks, problems = [], []
    if title:
        parts, found = split_line(title.strip())
        problems.extend(Problem(0, "", bad, reason) for bad, reason in found)
        blocks.append(Block(TITLE, parts, 0))
    h1, h2 = "", ""
    for number, line in enumerate((body or "").splitlines(), start=1):
        text = line.strip()
        if not text:
            continue
        if H1_RE.match(text):
            kind, h1, h2 = HEADING1, _short(text), ""
        elif H2_RE.match(text):
            kind, h2 = HEADING2, _short(text.split("。")[0])
        elif H3_RE.match(text):
            kind = HEADING3
        elif H4_RE.match(text):
            kind = HEADING4
        else:
            kind = PARAGRAPH
        # For a body paragraph, its opening words locate it within the section.
        opening = _short(text.split("。")[0], 10) if kind == PARAGRAPH else ""
        section = " › ".join(s for s in (h1, h2, opening and f"“{opening}”段") if s)
        parts, found = split_line(text)
        problems.extend(Problem(number, section, bad, reason) for bad, reason in found)
        block = Block(kind, parts, number, section)
        if kind in HEADINGS:
            block.lead, block.parts = _run_in(parts)
        blocks.append(block)
    return blocks, problems


def placeholders(blocks):
    """Every placeholder of the blocks, with its block."""
    for block in blocks:
        for part in [*block.lead, *block.parts]:
            if isinstance(part, Placeholder):
                yield block, part


def check_template(body, catalogue, *, title=""):
    """All problems of a template: syntax, and indicators not in `catalogue` (a mapping of codes and names).

    Returns a list of Problem; empty means the template can be saved.
    """
    blocks, problems = parse_template(body, title=title)
    for block, placeholder in placeholders(blocks):
        if placeholder.special or not placeholder.key:
            continue
        for key in placeholder.keys:
            if key in catalogue:
                continue
            close = difflib.get_close_matches(key, list(catalogue), n=2, cutoff=0.6)
            hint = (
                _("是否想写：%(names)s？") % {"names": "、".join(close)}
                if close
                else _("请在右侧指标表中查找正确的代码。")
            )
            problems.append(
                Problem(
                    block.line,
                    block.section,
                    placeholder.raw,
                    _("指标“%(key)s”不存在。%(hint)s") % {"key": key, "hint": hint},
                )
            )
    lines = [title or "", *(body or "").splitlines()]
    problems.sort(key=lambda p: (p.line, lines[p.line].find(p.text) if p.line < len(lines) else 0))
    return problems


def check_sign_off(text, label):
    """Problems of a sign-off line (署名, 成文日期): only 【县名】【期间】… may appear there."""
    parts, found = split_line((text or "").strip())
    problems = [Problem(0, label, bad, reason) for bad, reason in found]
    for part in parts:
        if isinstance(part, Placeholder) and not part.special:
            problems.append(Problem(0, label, part.raw, _("这里只能使用【县名】【期间】【年度】【上年度】。")))
    return problems


def used_codes(blocks, catalogue):
    """The indicator codes the blocks refer to (names resolved through `catalogue`)."""
    return sorted({catalogue[k] for _b, p in placeholders(blocks) if not p.special for k in p.keys if k in catalogue})
